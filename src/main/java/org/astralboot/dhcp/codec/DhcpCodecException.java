package org.astralboot.dhcp.codec;

/**
 * A DHCP datagram that cannot be decoded or a packet that cannot be encoded. The only exception the
 * codec throws for bad input; the transport drops such packets (counted, logged at debug).
 */
public class DhcpCodecException extends Exception {
    private static final long serialVersionUID = 1L;

    public DhcpCodecException(String message) {
        super(message, null, false, false);
    }
}

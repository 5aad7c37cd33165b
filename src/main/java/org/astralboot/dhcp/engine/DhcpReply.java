package org.astralboot.dhcp.engine;

import org.astralboot.dhcp.codec.DhcpPacket;

/**
 * What the engine decided to send.
 *
 * @param packet       the reply
 * @param destination  IPv4 destination as an unsigned int (255.255.255.255 for broadcast)
 * @param port         UDP destination port (68 to clients, 67 to relays, the source port on 4011)
 * @param leaseChanged the lease table changed for this reply: send only after the database commit
 */
public record DhcpReply(DhcpPacket packet, int destination, int port, boolean leaseChanged) {
    public static final int BROADCAST = 0xFFFFFFFF;
    public static final int CLIENT_PORT = 68;
    public static final int SERVER_PORT = 67;
}

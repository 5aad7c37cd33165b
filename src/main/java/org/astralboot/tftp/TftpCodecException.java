package org.astralboot.tftp;

/**
 * A datagram that is not a well-formed TFTP packet (bad opcode, missing NUL terminator, truncated
 * or over-long field). The only exception {@link TftpCodec#decode} throws; answered with ERROR 4
 * (illegal TFTP operation).
 */
public class TftpCodecException extends TftpException {
    private static final long serialVersionUID = 1L;

    public TftpCodecException(String message) {
        super(TftpErrorCode.ILLEGAL_OPERATION, message);
    }
}

package org.astralboot.tftp.codec;

/**
 * A datagram that is not a well-formed TFTP packet (bad opcode, missing NUL terminator, truncated
 * or over-long field). The only exception {@link TftpCodec#decode} throws; answered with ERROR 4
 * (illegal TFTP operation), or with the code given (a file name that is not UTF-8: ERROR 1).
 */
public class TftpCodecException extends TftpException {
    private static final long serialVersionUID = 1L;

    public TftpCodecException(String message) {
        super(TftpErrorCode.ILLEGAL_OPERATION, message);
    }

    public TftpCodecException(TftpErrorCode code, String message) {
        super(code, message);
    }
}

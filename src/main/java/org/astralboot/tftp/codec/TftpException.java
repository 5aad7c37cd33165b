package org.astralboot.tftp.codec;

/**
 * The one error type of the TFTP service. It carries the RFC 1350 error code and a message fit to
 * send to the client; the transport ({@code org.astralboot.tftp.TftpService}) turns it into an ERROR packet in one place.
 */
public class TftpException extends Exception {
    private static final long serialVersionUID = 1L;

    private final TftpErrorCode code;

    public TftpException(TftpErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public TftpException(TftpErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public TftpErrorCode code() {
        return code;
    }

    /** The ERROR packet telling the client about this failure. */
    public TftpPacket.Error toPacket() {
        return new TftpPacket.Error(code.code(), getMessage());
    }
}

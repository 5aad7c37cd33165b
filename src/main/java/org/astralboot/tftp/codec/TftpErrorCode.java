package org.astralboot.tftp.codec;

/** Error codes of the TFTP ERROR packet (RFC 1350 appendix; 8: RFC 2347). */
public enum TftpErrorCode {
    /** "Not defined, see error message": used for busy, timeouts and an unavailable boot store. */
    NOT_DEFINED(0),
    FILE_NOT_FOUND(1),
    ACCESS_VIOLATION(2),
    DISK_FULL(3),
    ILLEGAL_OPERATION(4),
    UNKNOWN_TID(5),
    FILE_EXISTS(6),
    NO_SUCH_USER(7),
    /** The request's options were refused (RFC 2347); also sent by clients that reject an OACK. */
    OPTION_REFUSED(8);

    private final int code;

    TftpErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The code for {@code code}, or {@code null} for a value outside 0-8 (kept as a raw number by the codec). */
    public static TftpErrorCode of(int code) {
        return code >= 0 && code <= 8 ? values()[code] : null;
    }
}

package org.astralboot.tftp.codec;

/** TFTP packet types, the first two bytes of every packet (RFC 1350 §5; OACK: RFC 2347). */
public enum TftpOpcode {
    RRQ(1),
    WRQ(2),
    DATA(3),
    ACK(4),
    ERROR(5),
    OACK(6);

    private final int code;

    TftpOpcode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The opcode for {@code code}, or {@code null} when it is not one of RFC 1350/2347. */
    public static TftpOpcode of(int code) {
        return code >= 1 && code <= 6 ? values()[code - 1] : null;
    }
}

package org.astralboot.dhcp.codec;

/** BOOTP {@code op} field (RFC 2131 §2, RFC 951). */
public enum DhcpOp {
    BOOTREQUEST(1),
    BOOTREPLY(2);

    public final int code;

    DhcpOp(int code) {
        this.code = code;
    }

    /** The op for {@code code}, or {@code null} when it is neither 1 nor 2. */
    public static DhcpOp of(int code) {
        return switch (code) {
            case 1 -> BOOTREQUEST;
            case 2 -> BOOTREPLY;
            default -> null;
        };
    }
}

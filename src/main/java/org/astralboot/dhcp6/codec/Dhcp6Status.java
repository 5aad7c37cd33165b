package org.astralboot.dhcp6.codec;

/** Status codes of the STATUS_CODE option (RFC 8415 §21.13). */
public enum Dhcp6Status {
    SUCCESS(0), UNSPEC_FAIL(1), NO_ADDRS_AVAIL(2), NO_BINDING(3), NOT_ON_LINK(4), USE_MULTICAST(5),
    NO_PREFIX_AVAIL(6);

    /** The 16-bit status-code. */
    public final int code;

    Dhcp6Status(int code) {
        this.code = code;
    }

    /** The status for {@code code}, or {@code null} for one this server does not know. */
    public static Dhcp6Status of(int code) {
        for (Dhcp6Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}

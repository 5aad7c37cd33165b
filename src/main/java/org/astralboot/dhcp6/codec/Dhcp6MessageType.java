package org.astralboot.dhcp6.codec;

/** DHCPv6 message types (RFC 8415 §7.3). */
public enum Dhcp6MessageType {
    SOLICIT(1), ADVERTISE(2), REQUEST(3), CONFIRM(4), RENEW(5), REBIND(6), REPLY(7), RELEASE(8), DECLINE(9),
    RECONFIGURE(10), INFORMATION_REQUEST(11), RELAY_FORW(12), RELAY_REPL(13);

    /** The msg-type byte. */
    public final int code;

    Dhcp6MessageType(int code) {
        this.code = code;
    }

    private static final Dhcp6MessageType[] BY_CODE = new Dhcp6MessageType[14];

    static {
        for (Dhcp6MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    /** The type for {@code code}, or {@code null} when RFC 8415 defines none. */
    public static Dhcp6MessageType of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}

package org.astralboot.dhcp.codec;

/** DHCP message type, option 53 (RFC 2132 §9.6). Types above 8 (RFC 4388 lease query...) are not handled. */
public enum DhcpMessageType {
    DISCOVER(1),
    OFFER(2),
    REQUEST(3),
    DECLINE(4),
    ACK(5),
    NAK(6),
    RELEASE(7),
    INFORM(8);

    public final int code;

    DhcpMessageType(int code) {
        this.code = code;
    }

    private static final DhcpMessageType[] BY_CODE = new DhcpMessageType[9];

    static {
        for (DhcpMessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    /** The type for {@code code}, or {@code null} for an unknown one. */
    public static DhcpMessageType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}

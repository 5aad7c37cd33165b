package org.astralboot.ndp.codec;

/**
 * The ICMPv6 message types of router discovery (RFC 4861 §4.1, §4.2; IANA "ICMPv6 Parameters").
 * The raw socket's filter lets only these two through.
 */
public enum IcmpV6Type {
    /** RFC 4861 §4.1: a host asks the routers on the link to advertise now. */
    ROUTER_SOLICITATION(133),
    /** RFC 4861 §4.2: a router announces itself (and, optionally, prefixes and flags). */
    ROUTER_ADVERTISEMENT(134);

    private final int number;

    IcmpV6Type(int number) {
        this.number = number;
    }

    /** The type number on the wire. */
    public int number() {
        return number;
    }

    /** The type with {@code number}, or null for any other ICMPv6 message. */
    public static IcmpV6Type of(int number) {
        for (IcmpV6Type t : values()) {
            if (t.number == number) {
                return t;
            }
        }
        return null;
    }
}

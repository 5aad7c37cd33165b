package org.astralboot.ndp.codec;

/**
 * Neighbor discovery option types (RFC 4861 §4.6; RFC 8106 for RDNSS and DNSSL). Options of other
 * types are kept as they came and otherwise ignored, as RFC 4861 §4.6 asks.
 */
public enum NdpOptionType {
    /** RFC 4861 §4.6.1: the sender's link-layer (MAC) address. */
    SOURCE_LINK_LAYER_ADDRESS(1),
    /** RFC 4861 §4.6.1: the target's link-layer address (neighbor advertisements, redirects). */
    TARGET_LINK_LAYER_ADDRESS(2),
    /** RFC 4861 §4.6.2: an on-link and/or autoconfiguration prefix. */
    PREFIX_INFORMATION(3),
    /** RFC 4861 §4.6.3. */
    REDIRECTED_HEADER(4),
    /** RFC 4861 §4.6.4: the link MTU. */
    MTU(5),
    /** RFC 8106 §5.1: recursive DNS servers. */
    RDNSS(25),
    /** RFC 8106 §5.2: DNS search list. */
    DNSSL(31);

    private final int number;

    NdpOptionType(int number) {
        this.number = number;
    }

    /** The type number on the wire. */
    public int number() {
        return number;
    }

    /** The type with {@code number}, or null when it is none of these. */
    public static NdpOptionType of(int number) {
        for (NdpOptionType t : values()) {
            if (t.number == number) {
                return t;
            }
        }
        return null;
    }
}

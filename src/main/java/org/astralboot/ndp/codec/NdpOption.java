package org.astralboot.ndp.codec;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.astralboot.net.MacAddress;

/**
 * One neighbor discovery option (RFC 4861 §4.6): its type and the bytes after the type and length
 * octets. On the wire it fills a multiple of 8 octets; {@link #body()} holds exactly those octets
 * less the first two, padding included.
 *
 * @param type the option type number ({@link NdpOptionType} for the known ones)
 * @param body the option's octets after type and length (a copy; length 8n − 2)
 */
public record NdpOption(int type, byte[] body) {
    public NdpOption {
        if (type < 0 || type > 255) {
            throw new IllegalArgumentException("option type " + type);
        }
        if ((body.length + 2) % 8 != 0 || body.length + 2 > 255 * 8) {
            throw new IllegalArgumentException("option body of " + body.length + " bytes: an option fills 8n octets");
        }
        body = body.clone();
    }

    /** RFC 4861 §4.6.1 for Ethernet: the source link-layer address option carrying {@code mac}. */
    public static NdpOption sourceLinkLayer(MacAddress mac) {
        return new NdpOption(NdpOptionType.SOURCE_LINK_LAYER_ADDRESS.number(), mac.toBytes());
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The known type, or empty. */
    public Optional<NdpOptionType> known() {
        return Optional.ofNullable(NdpOptionType.of(type));
    }

    /**
     * For a source or target link-layer address option of 8 octets: the Ethernet MAC it carries
     * (RFC 2464 §6), else empty.
     */
    public Optional<MacAddress> mac() {
        boolean ll = type == NdpOptionType.SOURCE_LINK_LAYER_ADDRESS.number()
                || type == NdpOptionType.TARGET_LINK_LAYER_ADDRESS.number();
        return ll && body.length == 6 ? Optional.of(MacAddress.of(body, 0)) : Optional.empty();
    }

    /** Octets on the wire, type and length included. */
    public int wireLength() {
        return body.length + 2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NdpOption n && n.type == type && Arrays.equals(n.body, body);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return known().map(Enum::name).orElse("option-" + type) + "[" + HexFormat.of().formatHex(body) + "]";
    }
}

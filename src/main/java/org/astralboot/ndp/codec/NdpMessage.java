package org.astralboot.ndp.codec;

import java.util.List;
import java.util.Optional;
import org.astralboot.net.MacAddress;

/** A router discovery message: a {@link RouterSolicitation} or a {@link RouterAdvertisement}. */
public sealed interface NdpMessage permits RouterSolicitation, RouterAdvertisement {

    /** The options in wire order. */
    List<NdpOption> options();

    /** The ICMPv6 type. */
    IcmpV6Type type();

    /** The MAC of the first source link-layer address option (RFC 4861 §4.6.1), if any. */
    default Optional<MacAddress> sourceLinkLayer() {
        for (NdpOption o : options()) {
            if (o.type() == NdpOptionType.SOURCE_LINK_LAYER_ADDRESS.number()) {
                return o.mac();
            }
        }
        return Optional.empty();
    }
}

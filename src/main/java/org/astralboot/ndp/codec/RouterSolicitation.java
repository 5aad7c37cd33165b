package org.astralboot.ndp.codec;

import java.util.List;

/**
 * A router solicitation (RFC 4861 §4.1): an ICMPv6 header, four reserved octets, options. iPXE and
 * Linux send one with a source link-layer address option; {@code rdisc6} sends none.
 *
 * @param options the options in wire order
 */
public record RouterSolicitation(List<NdpOption> options) implements NdpMessage {
    public RouterSolicitation {
        options = List.copyOf(options);
    }

    @Override
    public IcmpV6Type type() {
        return IcmpV6Type.ROUTER_SOLICITATION;
    }
}

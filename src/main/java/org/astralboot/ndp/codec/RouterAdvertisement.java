package org.astralboot.ndp.codec;

import java.util.List;

/**
 * A router advertisement (RFC 4861 §4.2).
 *
 * @param curHopLimit    the hop limit hosts should use; 0: unspecified by this router
 * @param managed        the M flag: addresses from DHCPv6
 * @param other          the O flag: other configuration from DHCPv6
 * @param flags          the whole flags octet as sent (M = 0x80, O = 0x40; the rest: RFC 5175,
 *                       RFC 4191 preference, ...)
 * @param routerLifetime seconds this router may serve as a default router; 0: it is none
 *                       (RFC 4861 §6.3.4)
 * @param reachableTime  milliseconds; 0: unspecified
 * @param retransTimer   milliseconds; 0: unspecified
 * @param options        the options in wire order
 */
public record RouterAdvertisement(int curHopLimit, boolean managed, boolean other, int flags, int routerLifetime,
        long reachableTime, long retransTimer, List<NdpOption> options) implements NdpMessage {
    /** The M flag in the flags octet. */
    public static final int MANAGED = 0x80;
    /** The O flag in the flags octet. */
    public static final int OTHER = 0x40;

    public RouterAdvertisement {
        if (curHopLimit < 0 || curHopLimit > 255 || flags < 0 || flags > 255 || routerLifetime < 0
                || routerLifetime > 65535 || reachableTime < 0 || reachableTime > 0xFFFF_FFFFL || retransTimer < 0
                || retransTimer > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("router advertisement field out of range");
        }
        if (managed != ((flags & MANAGED) != 0) || other != ((flags & OTHER) != 0)) {
            throw new IllegalArgumentException("M and O must agree with the flags octet");
        }
        options = List.copyOf(options);
    }

    /**
     * The advertisement that ends a host's wait for a router and configures nothing: router
     * lifetime 0 (not a default router, RFC 4861 §6.3.4), M = O = 0 (no DHCPv6), hop limit,
     * reachable time and retransmission timer unspecified, no prefix; only the sender's MAC (none
     * when {@code sender} is null).
     */
    public static RouterAdvertisement nothingToConfigure(org.astralboot.net.MacAddress sender) {
        return forBoot(sender, false, false, null);
    }

    /**
     * The answer for a segment where Astralboot serves DHCPv6 (issue 16 §2): router lifetime 0 as
     * ever, the M flag when addresses come from DHCPv6 (then O too: RFC 4861 §4.2 makes O redundant
     * under M, but a host that reads only O still asks for the boot options), the O flag alone when
     * only other configuration does (stateless DHCPv6, RFC 8415 §6.1), and {@code prefix}, when
     * not null, as a prefix information option (RFC 4861 §4.6.2). With neither flag and no prefix
     * it is {@link #nothingToConfigure}.
     */
    public static RouterAdvertisement forBoot(org.astralboot.net.MacAddress sender, boolean managed, boolean other,
            PrefixInformation prefix) {
        boolean o = other || managed;
        List<NdpOption> options = new java.util.ArrayList<>();
        if (sender != null) {
            options.add(NdpOption.sourceLinkLayer(sender));
        }
        if (prefix != null) {
            options.add(prefix.toOption());
        }
        return new RouterAdvertisement(0, managed, o, (managed ? MANAGED : 0) | (o ? OTHER : 0), 0, 0, 0, options);
    }

    /** The prefix information options it carries that are well-formed, in wire order. */
    public List<PrefixInformation> prefixInformation() {
        return options.stream().flatMap(o -> PrefixInformation.of(o).stream()).toList();
    }

    /**
     * What it tells a host, for logs: {@code lifetime 0, no prefix} for the answer that configures
     * nothing; else the lifetime, the M and O flags and each prefix.
     */
    public String summary() {
        if (!managed && !other && prefixes() == 0) {
            return "lifetime " + routerLifetime + ", no prefix";
        }
        StringBuilder b = new StringBuilder("lifetime " + routerLifetime + ", M=" + (managed ? 1 : 0) + " O="
                + (other ? 1 : 0));
        prefixInformation().forEach(p -> b.append(", prefix ").append(p));
        return b.toString();
    }

    @Override
    public IcmpV6Type type() {
        return IcmpV6Type.ROUTER_ADVERTISEMENT;
    }

    /** How many prefix information options it carries. */
    public long prefixes() {
        return options.stream().filter(o -> o.type() == NdpOptionType.PREFIX_INFORMATION.number()).count();
    }
}

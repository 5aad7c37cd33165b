package org.astralboot.ndp.codec;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astralboot.net.Ipv6;
import org.astralboot.net.MacAddress;

/**
 * Router discovery messages from and to ICMPv6 bytes (the ICMPv6 header and what follows; the IPv6
 * header is the kernel's). Decoding applies RFC 4861's validity checks (§6.1.1 for solicitations,
 * §6.1.2 for advertisements): IP hop limit 255 (so the message cannot have crossed a router), ICMP
 * code 0, the minimum length, every option longer than 0 and inside the message, no source
 * link-layer address option when the source is the unspecified address, and an advertisement's
 * source link-local. The ICMPv6 checksum is the kernel's: it checks it on every raw ICMPv6
 * socket and fills it in on sending (RFC 3542 §3.1), so {@link #encode} leaves it 0.
 */
public final class NdpCodec {
    /** ICMPv6 header (type, code, checksum) plus the solicitation's reserved field (RFC 4861 §4.1). */
    public static final int SOLICITATION_HEADER = 8;
    /** ICMPv6 header plus hop limit, flags, lifetime, reachable time, retrans timer (RFC 4861 §4.2). */
    public static final int ADVERTISEMENT_HEADER = 16;
    /** The only IP hop limit a valid neighbor discovery message arrives with (RFC 4861 §6.1). */
    public static final int HOP_LIMIT = 255;

    private NdpCodec() {
    }

    /** What {@link #decode} made of a message. */
    public sealed interface Result permits Decoded, Malformed, Ignored {
    }

    /** A valid message. */
    public record Decoded(NdpMessage message) implements Result {
    }

    /** A solicitation or advertisement that fails a validity check: RFC 4861 says discard it. */
    public record Malformed(String why) implements Result {
    }

    /** Another ICMPv6 message (the socket filter lets none through; counted if it does). */
    public record Ignored(String why) implements Result {
    }

    /**
     * Decodes the first {@code length} bytes of {@code icmp}.
     *
     * @param source   the IPv6 source address of the packet
     * @param hopLimit the IPv6 hop limit it arrived with (-1 when not known: then invalid)
     */
    public static Result decode(byte[] icmp, int length, Inet6Address source, int hopLimit) {
        if (length < 0 || length > icmp.length) {
            throw new IllegalArgumentException("length " + length + " of " + icmp.length + " bytes");
        }
        if (length < 4) {
            return new Malformed("ICMPv6 message of " + length + " bytes");
        }
        IcmpV6Type type = IcmpV6Type.of(icmp[0] & 0xFF);
        if (type == null) {
            return new Ignored("ICMPv6 type " + (icmp[0] & 0xFF));
        }
        if (hopLimit != HOP_LIMIT) {
            return new Malformed(type + " with hop limit " + hopLimit + " (must be 255: it crossed a router)");
        }
        if (icmp[1] != 0) {
            return new Malformed(type + " with ICMP code " + (icmp[1] & 0xFF));
        }
        return switch (type) {
            case ROUTER_SOLICITATION -> solicitation(icmp, length, source);
            case ROUTER_ADVERTISEMENT -> advertisement(icmp, length, source);
        };
    }

    private static Result solicitation(byte[] icmp, int length, Inet6Address source) {
        if (length < SOLICITATION_HEADER) {
            return new Malformed("router solicitation of " + length + " bytes (at least 8)");
        }
        List<NdpOption> options = new ArrayList<>();
        String bad = options(icmp, SOLICITATION_HEADER, length, options);
        if (bad != null) {
            return new Malformed("router solicitation: " + bad);
        }
        RouterSolicitation rs = new RouterSolicitation(options);
        if (source.isAnyLocalAddress()
                && options.stream().anyMatch(o -> o.type() == NdpOptionType.SOURCE_LINK_LAYER_ADDRESS.number())) {
            return new Malformed("router solicitation from :: with a source link-layer address option");
        }
        return new Decoded(rs);
    }

    private static Result advertisement(byte[] icmp, int length, Inet6Address source) {
        if (!source.isLinkLocalAddress()) {
            return new Malformed("router advertisement from " + Ipv6.text(source) + ", not a link-local address");
        }
        if (length < ADVERTISEMENT_HEADER) {
            return new Malformed("router advertisement of " + length + " bytes (at least 16)");
        }
        List<NdpOption> options = new ArrayList<>();
        String bad = options(icmp, ADVERTISEMENT_HEADER, length, options);
        if (bad != null) {
            return new Malformed("router advertisement: " + bad);
        }
        int flags = icmp[5] & 0xFF;
        return new Decoded(new RouterAdvertisement(icmp[4] & 0xFF, (flags & RouterAdvertisement.MANAGED) != 0,
                (flags & RouterAdvertisement.OTHER) != 0, flags, u16(icmp, 6), u32(icmp, 8), u32(icmp, 12), options));
    }

    /** Reads the options from {@code at} to {@code end} into {@code out}; the reason when they are invalid. */
    private static String options(byte[] b, int at, int end, List<NdpOption> out) {
        while (at < end) {
            if (end - at < 2) {
                return "a truncated option at offset " + at;
            }
            int type = b[at] & 0xFF;
            int units = b[at + 1] & 0xFF;
            if (units == 0) {
                return "an option of length 0 at offset " + at + " (RFC 4861 §4.6)";
            }
            if (at + units * 8 > end) {
                return "option " + type + " of " + units * 8 + " bytes runs past the end (" + (end - at) + " left)";
            }
            byte[] body = new byte[units * 8 - 2];
            System.arraycopy(b, at + 2, body, 0, body.length);
            out.add(new NdpOption(type, body));
            at += units * 8;
        }
        return null;
    }

    /** The ICMPv6 bytes of {@code ra}, checksum 0 (the kernel computes it). */
    public static byte[] encode(RouterAdvertisement ra) {
        int len = ADVERTISEMENT_HEADER + ra.options().stream().mapToInt(NdpOption::wireLength).sum();
        byte[] b = new byte[len];
        b[0] = (byte) IcmpV6Type.ROUTER_ADVERTISEMENT.number();
        b[4] = (byte) ra.curHopLimit();
        b[5] = (byte) ra.flags();
        b[6] = (byte) (ra.routerLifetime() >>> 8);
        b[7] = (byte) ra.routerLifetime();
        put32(b, 8, ra.reachableTime());
        put32(b, 12, ra.retransTimer());
        putOptions(b, ADVERTISEMENT_HEADER, ra.options());
        return b;
    }

    /** The ICMPv6 bytes of {@code rs}, checksum 0 (tests and tools send solicitations too). */
    public static byte[] encode(RouterSolicitation rs) {
        int len = SOLICITATION_HEADER + rs.options().stream().mapToInt(NdpOption::wireLength).sum();
        byte[] b = new byte[len];
        b[0] = (byte) IcmpV6Type.ROUTER_SOLICITATION.number();
        putOptions(b, SOLICITATION_HEADER, rs.options());
        return b;
    }

    private static void putOptions(byte[] b, int at, List<NdpOption> options) {
        for (NdpOption o : options) {
            b[at] = (byte) o.type();
            b[at + 1] = (byte) (o.wireLength() / 8);
            byte[] body = o.body();
            System.arraycopy(body, 0, b, at + 2, body.length);
            at += o.wireLength();
        }
    }

    /**
     * The MAC an EUI-64 link-local address was formed from (RFC 4291 §2.5.1, RFC 2464 §4:
     * {@code fe80::XXYY:ZZff:feUU:VVWW}, the universal/local bit of the first octet flipped); empty
     * for other addresses (privacy or stable-privacy interface identifiers, RFC 8981, RFC 7217).
     */
    public static Optional<MacAddress> eui64Mac(Inet6Address address) {
        byte[] a = address.getAddress();
        if (!address.isLinkLocalAddress() || (a[11] & 0xFF) != 0xFF || (a[12] & 0xFF) != 0xFE) {
            return Optional.empty();
        }
        byte[] mac = {(byte) (a[8] ^ 0x02), a[9], a[10], a[13], a[14], a[15]};
        return Optional.of(MacAddress.of(mac, 0));
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }

    static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}

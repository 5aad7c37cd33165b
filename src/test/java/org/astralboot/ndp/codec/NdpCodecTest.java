package org.astralboot.ndp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

/** {@link NdpCodec} on messages captured from iPXE, Linux, rdisc6, radvd and Astralboot, and every truncation. */
class NdpCodecTest {
    /** One captured message (src/test/resources/ndp-vectors). */
    record Vector(String name, Inet6Address source, int hop, byte[] icmp) {
    }

    static Vector vector(String name) throws IOException {
        try (InputStream in = NdpCodecTest.class.getResourceAsStream("/ndp-vectors/" + name + ".txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            String source = null;
            int hop = -1;
            byte[] icmp = null;
            for (String l : text.split("\n")) {
                String[] f = l.split(" ", 2);
                switch (f[0]) {
                    case "source" -> source = f[1].trim();
                    case "hop" -> hop = Integer.parseInt(f[1].trim());
                    case "icmp" -> icmp = HexFormat.of().parseHex(f[1].trim());
                    default -> { }
                }
            }
            return new Vector(name, (Inet6Address) InetAddress.getByName(source), hop, icmp);
        }
    }

    static NdpMessage decoded(Vector v) {
        NdpCodec.Result r = NdpCodec.decode(v.icmp(), v.icmp().length, v.source(), v.hop());
        return assertInstanceOf(NdpCodec.Decoded.class, r, v.name() + ": " + r).message();
    }

    @Test
    void ipxeSolicitationCarriesItsMac() throws Exception {
        RouterSolicitation rs = assertInstanceOf(RouterSolicitation.class, decoded(vector("ipxe-rs")));
        assertEquals(Optional.of(MacAddress.parse("52:54:00:aa:01:01")), rs.sourceLinkLayer());
        assertEquals(1, rs.options().size());
        assertEquals(Optional.of(NdpOptionType.SOURCE_LINK_LAYER_ADDRESS), rs.options().get(0).known());
    }

    @Test
    void linuxSolicitationCarriesItsMac() throws Exception {
        RouterSolicitation rs = assertInstanceOf(RouterSolicitation.class, decoded(vector("linux-rs")));
        assertEquals(Optional.of(MacAddress.parse("3e:2d:a5:be:aa:75")), rs.sourceLinkLayer());
    }

    @Test
    void rdisc6SolicitationHasNoOptionAndItsMacComesFromTheEui64Address() throws Exception {
        Vector v = vector("rdisc6-rs");
        RouterSolicitation rs = assertInstanceOf(RouterSolicitation.class, decoded(v));
        assertEquals(List.of(), rs.options());
        assertEquals(Optional.empty(), rs.sourceLinkLayer());
        assertEquals(Optional.of(MacAddress.parse("52:54:00:aa:02:02")), NdpCodec.eui64Mac(v.source()));
    }

    @Test
    void radvdAdvertisementWithAPrefix() throws Exception {
        RouterAdvertisement ra = assertInstanceOf(RouterAdvertisement.class, decoded(vector("radvd-ra")));
        assertEquals(64, ra.curHopLimit());
        assertFalse(ra.managed());
        assertFalse(ra.other());
        assertEquals(12, ra.routerLifetime());
        assertEquals(0, ra.reachableTime());
        assertEquals(0, ra.retransTimer());
        assertEquals(1, ra.prefixes());
        assertEquals(Optional.of(MacAddress.parse("52:54:00:aa:02:01")), ra.sourceLinkLayer());
        NdpOption prefix = ra.options().get(0);
        assertEquals(NdpOptionType.PREFIX_INFORMATION.number(), prefix.type());
        assertEquals(30, prefix.body().length);
        assertEquals(64, prefix.body()[0]);
    }

    @Test
    void radvdStopAdvertisementHasLifetimeZero() throws Exception {
        RouterAdvertisement ra = assertInstanceOf(RouterAdvertisement.class, decoded(vector("radvd-stop-ra")));
        assertEquals(0, ra.routerLifetime());
        assertEquals(1, ra.prefixes());
    }

    @Test
    void astralbootsAnswerAsCapturedIsWhatTheEncoderWrites() throws Exception {
        Vector v = vector("astralboot-ra");
        RouterAdvertisement ra = assertInstanceOf(RouterAdvertisement.class, decoded(v));
        assertEquals(RouterAdvertisement.nothingToConfigure(MacAddress.parse("6a:cf:92:8e:cd:8d")), ra);
        byte[] encoded = NdpCodec.encode(ra);
        byte[] captured = v.icmp().clone();
        captured[2] = 0; // the checksum is the kernel's
        captured[3] = 0;
        assertArrayEquals(captured, encoded);
    }

    @Test
    void theAnswerConfiguresNothing() {
        RouterAdvertisement ra = RouterAdvertisement.nothingToConfigure(MacAddress.parse("02:00:00:00:00:01"));
        byte[] b = NdpCodec.encode(ra);
        assertEquals("8600000000000000000000000000000001010200000000" + "01", HexFormat.of().formatHex(b));
        assertEquals(0, ra.routerLifetime());
        assertEquals(0, ra.prefixes());
        assertFalse(ra.managed() || ra.other());
        assertEquals(16, NdpCodec.encode(RouterAdvertisement.nothingToConfigure(null)).length);
    }

    @Test
    void solicitationRoundTrips() throws Exception {
        Vector v = vector("ipxe-rs");
        RouterSolicitation rs = (RouterSolicitation) decoded(v);
        byte[] b = v.icmp().clone();
        b[2] = 0;
        b[3] = 0;
        assertArrayEquals(b, NdpCodec.encode(rs));
    }

    /**
     * Every prefix of every vector: a cut on an option boundary (at or after the fixed header) is
     * a valid message with fewer options, any other cut is malformed, and nothing throws.
     */
    @Test
    void everyTruncationIsMalformedOrAShorterValidMessage() throws Exception {
        for (String name : List.of("ipxe-rs", "linux-rs", "rdisc6-rs", "radvd-ra", "radvd-stop-ra", "astralboot-ra")) {
            Vector v = vector(name);
            int header = v.icmp()[0] == (byte) 133 ? NdpCodec.SOLICITATION_HEADER : NdpCodec.ADVERTISEMENT_HEADER;
            List<Integer> boundaries = new java.util.ArrayList<>(List.of(header));
            for (int at = header; at < v.icmp().length; ) {
                at += (v.icmp()[at + 1] & 0xFF) * 8;
                boundaries.add(at);
            }
            assertEquals(v.icmp().length, boundaries.get(boundaries.size() - 1), name);
            for (int len = 0; len <= v.icmp().length; len++) {
                byte[] cut = Arrays.copyOf(v.icmp(), len);
                NdpCodec.Result r = NdpCodec.decode(cut, len, v.source(), v.hop());
                if (boundaries.contains(len)) {
                    NdpMessage m = assertInstanceOf(NdpCodec.Decoded.class, r, name + " cut to " + len).message();
                    assertEquals(boundaries.indexOf(len), m.options().size(), name + " cut to " + len);
                } else {
                    assertInstanceOf(NdpCodec.Malformed.class, r, name + " cut to " + len);
                }
                // The same cut inside a longer buffer: decode reads only `len` bytes.
                byte[] padded = Arrays.copyOf(v.icmp(), v.icmp().length + 8);
                assertEquals(r.getClass(), NdpCodec.decode(padded, len, v.source(), v.hop()).getClass());
            }
        }
    }

    @Test
    void rfc4861ValidityChecks() throws Exception {
        Vector rs = vector("ipxe-rs");
        Vector ra = vector("radvd-ra");
        // §6.1.1 / §6.1.2: hop limit 255 only (the message crossed no router).
        for (int hop : new int[] {254, 64, 1, 0, -1}) {
            assertInstanceOf(NdpCodec.Malformed.class, NdpCodec.decode(rs.icmp(), rs.icmp().length, rs.source(), hop));
            assertInstanceOf(NdpCodec.Malformed.class, NdpCodec.decode(ra.icmp(), ra.icmp().length, ra.source(), hop));
        }
        // ICMP code 0 only.
        byte[] coded = rs.icmp().clone();
        coded[1] = 1;
        assertInstanceOf(NdpCodec.Malformed.class, NdpCodec.decode(coded, coded.length, rs.source(), 255));
        // An option of length 0.
        byte[] zero = rs.icmp().clone();
        zero[9] = 0;
        assertInstanceOf(NdpCodec.Malformed.class, NdpCodec.decode(zero, zero.length, rs.source(), 255));
        // An option claiming more than is there.
        byte[] longer = rs.icmp().clone();
        longer[9] = 2;
        assertInstanceOf(NdpCodec.Malformed.class, NdpCodec.decode(longer, longer.length, rs.source(), 255));
        // From :: with a source link-layer address option.
        Inet6Address any = (Inet6Address) InetAddress.getByName("::");
        assertInstanceOf(NdpCodec.Malformed.class, NdpCodec.decode(rs.icmp(), rs.icmp().length, any, 255));
        Vector bare = vector("rdisc6-rs");
        assertInstanceOf(NdpCodec.Decoded.class, NdpCodec.decode(bare.icmp(), bare.icmp().length, any, 255));
        // An advertisement from a global address.
        Inet6Address global = (Inet6Address) InetAddress.getByName("2001:db8::1");
        assertInstanceOf(NdpCodec.Malformed.class, NdpCodec.decode(ra.icmp(), ra.icmp().length, global, 255));
        // Other ICMPv6 types are not ours.
        byte[] echo = {(byte) 128, 0, 0, 0, 0, 1, 0, 1};
        assertInstanceOf(NdpCodec.Ignored.class, NdpCodec.decode(echo, echo.length, rs.source(), 255));
    }

    @Test
    void unknownOptionsAreKept() throws Exception {
        Vector v = vector("rdisc6-rs");
        byte[] b = Arrays.copyOf(v.icmp(), 16);
        b[8] = (byte) 200;
        b[9] = 1;
        RouterSolicitation rs = (RouterSolicitation) assertInstanceOf(NdpCodec.Decoded.class,
                NdpCodec.decode(b, b.length, v.source(), 255)).message();
        assertEquals(1, rs.options().size());
        assertEquals(200, rs.options().get(0).type());
        assertTrue(rs.options().get(0).known().isEmpty());
        assertEquals(Optional.empty(), rs.sourceLinkLayer());
    }

    @Test
    void eui64MacOnlyFromEui64LinkLocalAddresses() throws Exception {
        assertEquals(Optional.of(MacAddress.parse("52:54:00:aa:01:01")),
                NdpCodec.eui64Mac((Inet6Address) InetAddress.getByName("fe80::5054:ff:feaa:101")));
        assertEquals(Optional.of(MacAddress.parse("00:11:22:33:44:55")),
                NdpCodec.eui64Mac((Inet6Address) InetAddress.getByName("fe80::211:22ff:fe33:4455")));
        // A stable-privacy identifier (RFC 7217) tells no MAC; nor does a global address.
        assertEquals(Optional.empty(), NdpCodec.eui64Mac((Inet6Address) InetAddress.getByName("fe80::1c2d:3e4f:5a6b:7c8d")));
        assertEquals(Optional.empty(), NdpCodec.eui64Mac((Inet6Address) InetAddress.getByName("2001:db8::5054:ff:feaa:101")));
    }

    @Test
    void radvdsPrefixInformationReadsAsRfc4861Section462Says() throws Exception {
        RouterAdvertisement ra = assertInstanceOf(RouterAdvertisement.class, decoded(vector("radvd-ra")));
        PrefixInformation p = ra.prefixInformation().get(0);
        assertEquals(InetAddress.getByName("2001:db8:1::"), p.prefix());
        assertEquals(64, p.length());
        assertTrue(p.onLink());
        assertTrue(p.autonomous());
        assertEquals(86_400, p.validLifetime());
        assertEquals(14_400, p.preferredLifetime());
        assertEquals(ra.options().get(0), p.toOption(), "re-encodes to the captured octets");
        assertEquals("2001:db8:1::/64 L=1 A=1", p.toString());
    }

    @Test
    void theDhcp6AnswerOnTheWire() throws Exception {
        PrefixInformation p = new PrefixInformation((Inet6Address) InetAddress.getByName("2001:db8:e2::1"), 64, true,
                false, 86_400, 14_400);
        assertEquals(InetAddress.getByName("2001:db8:e2::"), p.prefix(), "host bits cleared");
        RouterAdvertisement ra = RouterAdvertisement.forBoot(MacAddress.parse("02:00:00:00:00:01"), true, false, p);
        assertTrue(ra.other(), "M brings O along");
        byte[] b = NdpCodec.encode(ra);
        assertEquals("860000000" + "0c0" + "0000" + "00000000" + "00000000" // type 134, flags M|O, lifetime 0
                + "0101020000000001" // source link-layer address
                + "0304" + "40" + "80" + "00015180" + "00003840" + "00000000" // prefix: /64, L, valid, preferred
                + "20010db800e20000" + "0000000000000000", HexFormat.of().formatHex(b));
        RouterAdvertisement back = assertInstanceOf(RouterAdvertisement.class, assertInstanceOf(NdpCodec.Decoded.class,
                NdpCodec.decode(b, b.length, (Inet6Address) InetAddress.getByName("fe80::1"), 255)).message());
        assertEquals(ra, back);
        assertEquals(List.of(p), back.prefixInformation());
        assertEquals("lifetime 0, M=1 O=1, prefix 2001:db8:e2::/64 L=1 A=0", back.summary());
        assertEquals("lifetime 0, no prefix", RouterAdvertisement.nothingToConfigure(null).summary());
        assertEquals("lifetime 0, M=0 O=1", RouterAdvertisement.forBoot(null, false, true, null).summary());
    }

    @Test
    void aPrefixOptionOfTheWrongSizeOrLifetimesIsIgnored() throws Exception {
        PrefixInformation p = new PrefixInformation((Inet6Address) InetAddress.getByName("2001:db8::"), 48, true,
                true, 100, 50);
        byte[] body = p.toOption().body();
        assertEquals(Optional.of(p), PrefixInformation.of(new NdpOption(3, body)));
        assertEquals(Optional.empty(), PrefixInformation.of(new NdpOption(3, Arrays.copyOf(body, 22))), "24 octets");
        assertEquals(Optional.empty(), PrefixInformation.of(new NdpOption(1, new byte[6])), "another type");
        byte[] preferredLonger = body.clone();
        preferredLonger[9] = (byte) 200; // preferred 200 > valid 100: RFC 4862 §5.5.3 c)
        assertEquals(Optional.empty(), PrefixInformation.of(new NdpOption(3, preferredLonger)));
        byte[] tooLong = body.clone();
        tooLong[0] = (byte) 129;
        assertEquals(Optional.empty(), PrefixInformation.of(new NdpOption(3, tooLong)));
        assertTrue(p.contains((Inet6Address) InetAddress.getByName("2001:db8:0:ffff::1")));
        assertFalse(p.contains((Inet6Address) InetAddress.getByName("2001:db8:1::1")));
    }
}

package org.astralboot.dhcp6.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Relay messages (RFC 8415 §9, RFC 6939) from dnsmasq's relay and server, byte for byte, and their faults. */
class Dhcp6RelayCodecTest {

    static Dhcp6Relay relayed(byte[] b) {
        Dhcp6Decoded d = Dhcp6Codec.decode(b);
        return assertInstanceOf(Dhcp6Decoded.Relayed.class, d, () -> "not a relay message: " + d).relay();
    }

    static String malformed(byte[] b) {
        Dhcp6Decoded d = Dhcp6Codec.decode(b);
        return assertInstanceOf(Dhcp6Decoded.Malformed.class, d, () -> "not malformed: " + d).reason();
    }

    static Stream<Arguments> captured() {
        return CapturedPackets6.relays().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    static Inet6Address ip(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    @Test
    void dnsmasqRelayForwardCarriesTheSolicitAndTheClientsMac() throws Exception {
        Dhcp6Relay r = relayed(CapturedPackets6.DNSMASQ_RELAY_FORW_SOLICIT);
        assertEquals(Dhcp6MessageType.RELAY_FORW, r.type());
        assertEquals(0, r.hopCount());
        assertEquals(ip("2001:db8:31::1"), r.linkAddress());
        assertEquals(ip("fe80::5054:ff:fe31:1"), r.peerAddress());
        Dhcp6Option.ClientLinkLayerAddress ll = r.first(Dhcp6Option.ClientLinkLayerAddress.class).orElseThrow();
        assertEquals(1, ll.linkType());
        assertArrayEquals(HexFormat.of().parseHex("525400310001"), ll.ethernetAddress());
        assertTrue(r.first(Dhcp6Option.InterfaceId.class).isEmpty(), "dnsmasq sends no Interface-Id");
        Dhcp6Message m = r.innermost();
        assertEquals(Dhcp6MessageType.SOLICIT, m.type());
        assertEquals(0x7bcc54, m.transactionId());
        assertArrayEquals(HexFormat.of().parseHex("525400310001"), m.clientId().orElseThrow().ethernetAddress());
        assertEquals(List.of(r), r.chain());
    }

    @Test
    void dnsmasqRelayReplyCarriesTheAdvertise() throws Exception {
        Dhcp6Relay r = relayed(CapturedPackets6.DNSMASQ_RELAY_REPL_ADVERTISE);
        assertEquals(Dhcp6MessageType.RELAY_REPL, r.type());
        assertEquals(ip("2001:db8:31::1"), r.linkAddress());
        assertEquals(ip("fe80::5054:ff:fe31:1"), r.peerAddress());
        Dhcp6Message m = r.innermost();
        assertEquals(Dhcp6MessageType.ADVERTISE, m.type());
        assertEquals(ip("2001:db8:31::139"),
                m.first(Dhcp6Option.IaNa.class).orElseThrow().addresses().get(0).address());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void encodesByteForByte(String name, byte[] b) {
        assertArrayEquals(b, Dhcp6Codec.encode(relayed(b)), name);
    }

    /**
     * Every truncation of every captured relay message is Malformed with a reason naming the fault:
     * inside the 34-byte header "truncated", at an option boundary before the Relay Message "no Relay
     * Message", elsewhere an option overrunning the message. Never an exception.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void everyTruncationIsMalformed(String name, byte[] b) {
        Dhcp6Relay whole = relayed(b);
        List<Integer> boundaries = new ArrayList<>();
        int at = Dhcp6Relay.HEADER_LENGTH;
        for (Dhcp6Option o : whole.options()) {
            boundaries.add(at);
            at += 4 + (Dhcp6Codec.encode(new Dhcp6Message(Dhcp6MessageType.REPLY, 0, List.of(o))).length
                    - Dhcp6Codec.HEADER_LENGTH - 4);
        }
        assertEquals(b.length, at);
        for (int len = 0; len < b.length; len++) {
            String why = malformed(java.util.Arrays.copyOf(b, len));
            String cut = name + " cut at " + len + ": " + why;
            if (len == 0) {
                assertEquals("empty datagram", why, cut);
            } else if (len < Dhcp6Relay.HEADER_LENGTH) {
                assertTrue(why.contains("truncated: " + len + " bytes, the header alone has 34"), cut);
            } else if (boundaries.contains(len)) {
                assertTrue(why.contains("no Relay Message options, exactly one (RFC 8415 §9)"), cut);
            } else {
                assertTrue(why.contains("overruns the message") || why.contains("option header truncated"), cut);
            }
            assertTrue(why.startsWith(len == 0 ? "empty" : len < Dhcp6Relay.HEADER_LENGTH ? whole.type().name()
                    : whole.type() + " hop 0"), cut);
        }
    }

    /** A Relay-forward of a Relay-forward (two relay agents); nine layers decode, ten are Malformed. */
    @Test
    void nestedRelaysDecodeUpToTheHopCountLimit() throws Exception {
        Dhcp6Relay first = relayed(CapturedPackets6.DNSMASQ_RELAY_FORW_SOLICIT);
        Dhcp6Relay outer = first;
        for (int hop = 1; hop < Dhcp6Relay.MAX_LAYERS; hop++) {
            outer = new Dhcp6Relay(Dhcp6MessageType.RELAY_FORW, hop, ip("2001:db8:" + hop + "::1"),
                    ip("2001:db8:23::" + hop), List.of(new Dhcp6Option.InterfaceId("eth" + hop),
                            new Dhcp6Option.RelayMessage(outer)));
            Dhcp6Relay back = relayed(Dhcp6Codec.encode(outer));
            assertEquals(outer, back);
            assertEquals(hop + 1, back.chain().size());
            assertEquals(first, back.chain().get(hop));
            assertEquals(first.innermost(), back.innermost());
            assertEquals("eth" + hop, back.first(Dhcp6Option.InterfaceId.class).orElseThrow().id());
        }
        assertEquals(Dhcp6Relay.HOP_COUNT_LIMIT, outer.hopCount());
        Dhcp6Relay tooDeep = new Dhcp6Relay(Dhcp6MessageType.RELAY_FORW, 8, ip("::"), ip("2001:db8:23::9"),
                List.of(new Dhcp6Option.RelayMessage(outer)));
        assertTrue(malformed(Dhcp6Codec.encode(tooDeep)).contains("more than 9 relay messages nested"),
                malformed(Dhcp6Codec.encode(tooDeep)));
        Dhcp6Relay hops9 = new Dhcp6Relay(Dhcp6MessageType.RELAY_FORW, 9, ip("::"), ip("2001:db8:23::9"),
                List.of(new Dhcp6Option.RelayMessage(first)));
        assertTrue(malformed(Dhcp6Codec.encode(hops9)).contains("hop-count 9 above HOP_COUNT_LIMIT 8"),
                malformed(Dhcp6Codec.encode(hops9)));
    }

    @Test
    void aRelayMessageCarriesItsOwnDirectionOnly() throws Exception {
        Dhcp6Message advertise = Dhcp6CodecTest.ok(CapturedPackets6.DNSMASQ_ADVERTISE);
        Dhcp6Message solicit = Dhcp6CodecTest.ok(CapturedPackets6.DHCLIENT_SOLICIT);
        Dhcp6Relay forwAdvertise = new Dhcp6Relay(Dhcp6MessageType.RELAY_FORW, 0, ip("2001:db8:31::1"),
                ip("fe80::1"), List.of(new Dhcp6Option.RelayMessage(advertise)));
        assertTrue(malformed(Dhcp6Codec.encode(forwAdvertise)).endsWith("ADVERTISE inside a RELAY_FORW (RFC 8415 §9)"));
        Dhcp6Relay replSolicit = new Dhcp6Relay(Dhcp6MessageType.RELAY_REPL, 0, ip("2001:db8:31::1"),
                ip("fe80::1"), List.of(new Dhcp6Option.RelayMessage(solicit)));
        assertTrue(malformed(Dhcp6Codec.encode(replSolicit)).endsWith("SOLICIT inside a RELAY_REPL (RFC 8415 §9)"));
        Dhcp6Relay replForw = new Dhcp6Relay(Dhcp6MessageType.RELAY_REPL, 1, ip("2001:db8:31::1"),
                ip("fe80::1"), List.of(new Dhcp6Option.RelayMessage(relayed(CapturedPackets6.DNSMASQ_RELAY_FORW_SOLICIT))));
        assertTrue(malformed(Dhcp6Codec.encode(replForw)).endsWith("RELAY_FORW inside a RELAY_REPL (RFC 8415 §9)"));
    }

    @Test
    void faultsInsideARelayMessageAreNamed() {
        String head = "0c00" + "20010db8003100000000000000000001" + "fe80000000000000505400fffe310001";
        String solicit = HexFormat.of().formatHex(CapturedPackets6.DHCLIENT_SOLICIT);
        String relayMsg = String.format("0009%04x", solicit.length() / 2) + solicit;
        assertTrue(malformed(Dhcp6CodecTest.hex(head + relayMsg + relayMsg)).endsWith("2 Relay Message options, exactly one (RFC 8415 §9)"));
        assertTrue(malformed(Dhcp6CodecTest.hex(head + "004f00020001" + relayMsg))
                .endsWith("option 79 (CLIENT_LINKLAYER_ADDR): length 2, expected at least 3"));
        // The relayed Solicit's ELAPSED_TIME of 3 bytes: the fault of the inner message, named as such.
        String bad = "01000001" + "00080003000000";
        String why = malformed(Dhcp6CodecTest.hex(head + String.format("0009%04x", bad.length() / 2) + bad));
        assertEquals("RELAY_FORW hop 0: option 9 (RELAY_MSG): SOLICIT 000001: option 8 (ELAPSED_TIME): length 3,"
                + " expected 2", why);
        assertTrue(malformed(Dhcp6CodecTest.hex(head + "00090004ee000001")).contains("message type 238 is not defined"));
        assertTrue(malformed(Dhcp6CodecTest.hex(head + "00090000")).contains("empty relayed message"));
    }

    /** Random byte changes and lengths never make the decoder throw; what decodes encodes back to itself. */
    @Test
    void mutationsNeverThrow() {
        Random rnd = new Random(79);
        for (Map.Entry<String, byte[]> e : CapturedPackets6.relays().entrySet()) {
            for (int i = 0; i < 3000; i++) {
                byte[] b = e.getValue().clone();
                int n = 1 + rnd.nextInt(4);
                for (int k = 0; k < n; k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                Dhcp6Decoded d = Dhcp6Codec.decode(b, 0, rnd.nextInt(b.length + 1));
                assertNotNull(d);
                if (d instanceof Dhcp6Decoded.Relayed r) {
                    assertEquals(r.relay(), relayed(Dhcp6Codec.encode(r.relay())), e.getKey());
                }
            }
        }
    }
}

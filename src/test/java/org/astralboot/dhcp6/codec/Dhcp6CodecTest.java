package org.astralboot.dhcp6.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Dhcp6CodecTest {

    static Dhcp6Message ok(byte[] b) {
        Dhcp6Decoded d = Dhcp6Codec.decode(b);
        return assertInstanceOf(Dhcp6Decoded.Ok.class, d, () -> "not decoded: " + d).message();
    }

    static String malformed(byte[] b) {
        Dhcp6Decoded d = Dhcp6Codec.decode(b);
        return assertInstanceOf(Dhcp6Decoded.Malformed.class, d, () -> "not malformed: " + d).reason();
    }

    static Stream<Arguments> captured() {
        return CapturedPackets6.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @Test
    void dhclientSolicit() throws Exception {
        Dhcp6Message m = ok(CapturedPackets6.DHCLIENT_SOLICIT);
        assertEquals(Dhcp6MessageType.SOLICIT, m.type());
        assertEquals(0x8bb393, m.transactionId());
        Duid client = m.clientId().orElseThrow();
        assertEquals(Duid.LLT, client.type());
        assertArrayEquals(HexFormat.of().parseHex("52540006dc01"), client.ethernetAddress());
        assertTrue(m.serverId().isEmpty());
        assertEquals(List.of(23, 24, 39, 31), m.first(Dhcp6Option.OptionRequest.class).orElseThrow().codes());
        assertEquals(0, m.first(Dhcp6Option.ElapsedTime.class).orElseThrow().hundredths());
        Dhcp6Option.IaNa ia = m.first(Dhcp6Option.IaNa.class).orElseThrow();
        assertEquals(0x0006dc01L, ia.iaid());
        assertEquals(3600, ia.t1());
        assertEquals(5400, ia.t2());
        assertEquals(List.of(), ia.options());
    }

    @Test
    void dnsmasqAdvertiseCarriesAnAddressInItsIa() throws Exception {
        Dhcp6Message m = ok(CapturedPackets6.DNSMASQ_ADVERTISE);
        assertEquals(Dhcp6MessageType.ADVERTISE, m.type());
        Dhcp6Option.IaNa ia = m.first(Dhcp6Option.IaNa.class).orElseThrow();
        Dhcp6Option.IaAddress a = ia.addresses().get(0);
        assertEquals(InetAddress.getByName("2001:db8:7::1ed"), a.address());
        assertEquals(3600, a.preferred());
        assertEquals(3600, a.valid());
        assertEquals(new Dhcp6Option.StatusCode(Dhcp6Status.SUCCESS, "success"),
                m.first(Dhcp6Option.StatusCode.class).orElseThrow());
        assertEquals(new Dhcp6Option.Preference(0), m.first(Dhcp6Option.Preference.class).orElseThrow());
        assertEquals(Duid.LLT, m.serverId().orElseThrow().type());
    }

    @Test
    void dhclientRequestNamesTheServerAndTheAddress() throws Exception {
        Dhcp6Message m = ok(CapturedPackets6.DHCLIENT_REQUEST);
        assertEquals(Dhcp6MessageType.REQUEST, m.type());
        assertEquals(ok(CapturedPackets6.DNSMASQ_ADVERTISE).serverId(), m.serverId());
        assertEquals(InetAddress.getByName("2001:db8:7::1ed"),
                m.first(Dhcp6Option.IaNa.class).orElseThrow().addresses().get(0).address());
    }

    @Test
    void confirmReleaseAndInformationRequest() throws Exception {
        Dhcp6Message c = ok(CapturedPackets6.DHCLIENT_CONFIRM);
        assertEquals(Dhcp6MessageType.CONFIRM, c.type());
        assertEquals(0, c.first(Dhcp6Option.IaNa.class).orElseThrow().addresses().get(0).valid());
        assertEquals(Dhcp6MessageType.RELEASE, ok(CapturedPackets6.DHCLIENT_RELEASE).type());
        Dhcp6Message i = ok(CapturedPackets6.DHCLIENT_INFORMATION_REQUEST);
        assertEquals(Dhcp6MessageType.INFORMATION_REQUEST, i.type());
        assertEquals(Duid.LL, i.clientId().orElseThrow().type());
        assertEquals(Dhcp6Status.SUCCESS.code,
                ok(CapturedPackets6.DNSMASQ_CONFIRM_REPLY).first(Dhcp6Option.StatusCode.class).orElseThrow().status());
        assertEquals(new Dhcp6Option.Unknown(32, "\0\0\u000e\u0010"),
                ok(CapturedPackets6.DNSMASQ_INFORMATION_REPLY).options().get(2));
    }

    @Test
    void ipxeSolicit() {
        Dhcp6Message m = ok(CapturedPackets6.IPXE_BIOS_SOLICIT);
        assertEquals(Dhcp6MessageType.SOLICIT, m.type());
        assertEquals(Duid.UUID, m.clientId().orElseThrow().type());
        assertEquals(List.of(23, 24, 59, 60), m.first(Dhcp6Option.OptionRequest.class).orElseThrow().codes());
        assertEquals(new Dhcp6Option.VendorClass(343, List.of("PXEClient:Arch:00000:UNDI:002001")),
                m.first(Dhcp6Option.VendorClass.class).orElseThrow());
        assertEquals(new Dhcp6Option.ClientArch(List.of(0)), m.first(Dhcp6Option.ClientArch.class).orElseThrow());
        assertEquals(new Dhcp6Option.NetworkInterfaceId(1, 2, 1),
                m.first(Dhcp6Option.NetworkInterfaceId.class).orElseThrow());
        assertEquals(new Dhcp6Option.UserClass(List.of("iPXE")), m.first(Dhcp6Option.UserClass.class).orElseThrow());
        assertEquals(0xce4ab317L, m.first(Dhcp6Option.IaNa.class).orElseThrow().iaid());
    }

    @Test
    void ovmfSolicits() {
        Dhcp6Message pxe = ok(CapturedPackets6.OVMF_PXE6_SOLICIT);
        assertEquals(Duid.LLT, pxe.clientId().orElseThrow().type());
        assertArrayEquals(HexFormat.of().parseHex("52540006ca02"), pxe.clientId().orElseThrow().ethernetAddress());
        assertEquals(List.of(59, 60, 23, 16), pxe.first(Dhcp6Option.OptionRequest.class).orElseThrow().codes());
        assertEquals(new Dhcp6Option.ClientArch(List.of(7)), pxe.first(Dhcp6Option.ClientArch.class).orElseThrow());
        assertEquals(new Dhcp6Option.NetworkInterfaceId(1, 3, 0),
                pxe.first(Dhcp6Option.NetworkInterfaceId.class).orElseThrow());
        assertEquals(List.of("PXEClient:Arch:00007:UNDI:003000"),
                pxe.first(Dhcp6Option.VendorClass.class).orElseThrow().data());
        Dhcp6Option.IaNa ia = pxe.first(Dhcp6Option.IaNa.class).orElseThrow();
        assertEquals(0xFFFFFFFFL, ia.t1());
        assertEquals(0xFFFFFFFFL, ia.t2());
        Dhcp6Message http = ok(CapturedPackets6.OVMF_HTTP6_SOLICIT);
        assertEquals(new Dhcp6Option.ClientArch(List.of(16)), http.first(Dhcp6Option.ClientArch.class).orElseThrow());
        assertEquals(new Dhcp6Option.VendorClass(343, List.of("HTTPClient:Arch:00016:UNDI:003000")),
                http.first(Dhcp6Option.VendorClass.class).orElseThrow());
        Dhcp6Message stack = ok(CapturedPackets6.OVMF_IP6CONFIG_SOLICIT);
        assertEquals(List.of(23), stack.first(Dhcp6Option.OptionRequest.class).orElseThrow().codes());
        assertTrue(stack.first(Dhcp6Option.ClientArch.class).isEmpty());
    }

    /** Every captured message encodes back to its own bytes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void roundTrip(String name, byte[] b) {
        assertArrayEquals(b, Dhcp6Codec.encode(ok(b)), name);
    }

    /**
     * Every truncation of every captured message: a cut between two top-level options is a valid,
     * shorter message with the options before the cut; any other cut is Malformed. Never an exception.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void everyTruncation(String name, byte[] b) {
        Dhcp6Message whole = ok(b);
        List<Integer> boundaries = new ArrayList<>();
        int at = Dhcp6Codec.HEADER_LENGTH;
        boundaries.add(at);
        for (Dhcp6Option o : whole.options()) {
            at += Dhcp6Codec.encode(new Dhcp6Message(whole.type(), 0, List.of(o))).length - Dhcp6Codec.HEADER_LENGTH;
            boundaries.add(at);
        }
        assertEquals(b.length, at);
        for (int len = 0; len < b.length; len++) {
            Dhcp6Decoded d = Dhcp6Codec.decode(b, 0, len);
            int k = boundaries.indexOf(len);
            if (k >= 0) {
                Dhcp6Message cut = assertInstanceOf(Dhcp6Decoded.Ok.class, d, name + " cut at " + len).message();
                assertEquals(whole.options().subList(0, k), cut.options(), name + " cut at " + len);
            } else {
                Dhcp6Decoded.Malformed m = assertInstanceOf(Dhcp6Decoded.Malformed.class, d, name + " cut at " + len);
                assertTrue(m.reason().length() > 10, m.reason());
            }
        }
    }

    /** Random byte changes and lengths never make the decoder throw. */
    @Test
    void mutationsNeverThrow() {
        Random rnd = new Random(6);
        for (Map.Entry<String, byte[]> e : CapturedPackets6.all().entrySet()) {
            for (int i = 0; i < 3000; i++) {
                byte[] b = e.getValue().clone();
                int n = 1 + rnd.nextInt(4);
                for (int k = 0; k < n; k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                Dhcp6Decoded d = Dhcp6Codec.decode(b, 0, rnd.nextInt(b.length + 1));
                assertNotNull(d);
                if (d instanceof Dhcp6Decoded.Ok ok) {
                    // What decodes must encode to a message that decodes to the same thing.
                    assertEquals(ok.message(), ok(Dhcp6Codec.encode(ok.message())), e.getKey());
                }
            }
        }
    }

    @Test
    void undefinedTypesAreUnsupportedNotMalformed() {
        assertInstanceOf(Dhcp6Decoded.Unsupported.class, Dhcp6Codec.decode(hex("00000001")));
        assertInstanceOf(Dhcp6Decoded.Unsupported.class, Dhcp6Codec.decode(hex("ff000001")));
    }

    @Test
    void malformedOptionsAreNamed() {
        String sol = "01000001";
        assertTrue(malformed(hex("")).contains("empty"));
        assertTrue(malformed(hex("0100")).contains("truncated"));
        assertTrue(malformed(hex(sol + "0006000300170018")).contains("ORO"), "odd ORO");
        assertTrue(malformed(hex(sol + "00080003000000")).contains("ELAPSED_TIME"));
        assertTrue(malformed(hex(sol + "00010001" + "00")).contains("DUID"), "DUID without a full type");
        assertTrue(malformed(hex(sol + "00010004" + "00010001")).contains("DUID"), "DUID-LLT of 4 bytes");
        assertTrue(malformed(hex(sol + "00010006" + "0004" + "00000000")).contains("DUID"), "UUID of 4 bytes");
        assertTrue(malformed(hex(sol + "0003000b" + "00".repeat(11))).contains("IA_NA"));
        assertTrue(malformed(hex(sol + "0005001c" + "00".repeat(28))).contains("outside"), "IAADDR at top level");
        assertTrue(malformed(hex(sol + "00030010" + "00".repeat(12) + "00050018")).contains("overruns"),
                "IAADDR longer than its IA_NA");
        assertTrue(malformed(hex(sol + "000e0001" + "00")).contains("RAPID_COMMIT"));
        assertTrue(malformed(hex(sol + "000f0003" + "000569")).contains("USER_CLASS"), "user class item past the end");
        assertTrue(malformed(hex(sol + "00100003" + "000001")).contains("VENDOR_CLASS"));
        assertTrue(malformed(hex(sol + "003d0003" + "000700")).contains("CLIENT_ARCH_TYPE"));
        assertTrue(malformed(hex(sol + "003d0000")).contains("CLIENT_ARCH_TYPE"));
        assertTrue(malformed(hex(sol + "003e0002" + "0103")).contains("NII"));
        assertTrue(malformed(hex(sol + "0017000f" + "00".repeat(15))).contains("DNS_SERVERS"));
        assertTrue(malformed(hex(sol + "000d0001" + "00")).contains("STATUS_CODE"));
        assertTrue(malformed(hex(sol + "0008")).contains("option header truncated"));
    }

    @Test
    void bootOptionsRoundTrip() throws Exception {
        Dhcp6Message m = new Dhcp6Message(Dhcp6MessageType.REPLY, 0xabcdef, List.of(
                new Dhcp6Option.ServerId(Duid.ll(HexFormat.of().parseHex("52540006aa01"))),
                new Dhcp6Option.BootfileUrl("tftp://[2001:db8::1]/ipxe.efi"),
                new Dhcp6Option.BootfileParam(List.of("a", "ü")),
                new Dhcp6Option.VendorClass(343, List.of("HTTPClient")),
                new Dhcp6Option.UserClass(List.of("iPXE")),
                new Dhcp6Option.ClientArch(List.of(16, 7)),
                new Dhcp6Option.NetworkInterfaceId(1, 3, 16),
                new Dhcp6Option.RapidCommit(),
                new Dhcp6Option.DnsServers(List.of((java.net.Inet6Address) InetAddress.getByName("2001:db8::53")))));
        byte[] b = Dhcp6Codec.encode(m);
        assertEquals(m, ok(b));
        // RFC 5970 §3.1: the URL is the option's whole data, no terminator.
        int i = indexOf(b, "tftp://".getBytes());
        assertEquals(0, b[i - 2]);
        assertEquals("tftp://[2001:db8::1]/ipxe.efi".length(), b[i - 1]);
    }

    @Test
    void ipv4MappedAddressesStayIpv6() {
        byte[] b = hex("07000001" + "00030028" + "00000001" + "00000000" + "00000000" + "00050018"
                + "00000000000000000000ffffc0000201" + "00000000" + "00000000");
        Dhcp6Option.IaAddress a = ok(b).first(Dhcp6Option.IaNa.class).orElseThrow().addresses().get(0);
        assertEquals(16, a.address().getAddress().length);
    }

    private static int indexOf(byte[] b, byte[] sub) {
        for (int i = 0; i + sub.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + sub.length, sub, 0, sub.length)) {
                return i;
            }
        }
        return -1;
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }
}

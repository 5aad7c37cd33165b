package org.astralboot.ndp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.astralboot.config.Config;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOp;
import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpOptions;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.ndp.codec.NdpOption;
import org.astralboot.ndp.codec.RouterSolicitation;
import org.astralboot.ndp.engine.NdpDecision;
import org.astralboot.ndp.engine.NdpSettings;
import org.astralboot.ndp.engine.RouterAnswerEngine;
import org.astralboot.net.MacAddress;
import org.astralboot.net.RecentBoots;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * The DHCPv4 watch of {@code [dhcp] mode = "off"}: which packets note a booting machine, the kernel
 * filter that picks them (run here by a small classic-BPF interpreter), and what it changes for the
 * router-advertisement answer (an iPXE's solicitation is answered once its DISCOVER was seen).
 */
class Dhcp4WatchTest {
    static final MacAddress IPXE = MacAddress.parse("52:54:00:e2:06:11");

    /** A DHCP request of {@code type} from {@link #IPXE} with {@code options} (message type added). */
    static byte[] dhcp(DhcpMessageType type, DhcpOptions.Builder options) {
        options.putByte(DhcpOption.MESSAGE_TYPE, type.code);
        return DhcpCodec.encode(new DhcpPacket(DhcpOp.BOOTREQUEST, 1, 6, 0, 0x1234, 0, 0x8000, 0, 0, 0, 0,
                DhcpPacket.chaddrOf(IPXE), "", "", options.build()));
    }

    /** What QEMU's iPXE ROM sends: user class iPXE, PXE vendor class, BIOS architecture. */
    static DhcpOptions.Builder ipxe() {
        return DhcpOptions.builder().put(DhcpOption.USER_CLASS, "iPXE".getBytes())
                .put(DhcpOption.CLIENT_ARCH, new byte[] {0, 0})
                .putText(DhcpOption.VENDOR_CLASS, "PXEClient:Arch:00000:UNDI:002001");
    }

    /** {@code payload} in UDP 68 → {@code dport} in IPv4 {@code protocol}, flags/fragment {@code frag}. */
    static byte[] ipv4(int protocol, int dport, int frag, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + 8 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) b.capacity()).putShort((short) 1).putShort((short) frag)
                .put((byte) 64).put((byte) protocol).putShort((short) 0).putInt(0).putInt(0xffffffff);
        b.putShort((short) 68).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    static byte[] udp67(byte[] payload) {
        return ipv4(17, 67, 0, payload);
    }

    @Test
    void aBootingMachinesRequestsNoteItsMac() {
        for (DhcpMessageType t : new DhcpMessageType[] {DhcpMessageType.DISCOVER, DhcpMessageType.REQUEST,
                DhcpMessageType.INFORM}) {
            byte[] p = udp67(dhcp(t, ipxe()));
            assertEquals(IPXE, Dhcp4Watch.bootingMac(p, p.length), t.name());
        }
        byte[] pxe = udp67(dhcp(DhcpMessageType.DISCOVER, DhcpOptions.builder()
                .putText(DhcpOption.VENDOR_CLASS, "PXEClient:Arch:00007:UNDI:003016")));
        assertEquals(IPXE, Dhcp4Watch.bootingMac(pxe, pxe.length), "firmware PXE, no iPXE");
    }

    @Test
    void otherPacketsNoteNothing() {
        byte[] os = udp67(dhcp(DhcpMessageType.DISCOVER, DhcpOptions.builder()));
        assertNull(Dhcp4Watch.bootingMac(os, os.length), "an OS's DISCOVER: not booting");
        byte[] release = udp67(dhcp(DhcpMessageType.RELEASE, ipxe()));
        assertNull(Dhcp4Watch.bootingMac(release, release.length));
        byte[] d = dhcp(DhcpMessageType.DISCOVER, ipxe());
        for (byte[] p : new byte[][] {ipv4(17, 68, 0, d), ipv4(6, 67, 0, d), ipv4(17, 67, 0x2000, d),
                ipv4(17, 67, 0x0001, d), udp67(new byte[] {1, 2, 3})}) {
            assertNull(Dhcp4Watch.bootingMac(p, p.length));
        }
        byte[] whole = udp67(d);
        assertNull(Dhcp4Watch.bootingMac(whole, 40), "cut short");
        byte[] v6 = whole.clone();
        v6[0] = 0x65;
        assertNull(Dhcp4Watch.bootingMac(v6, v6.length));
    }

    /** Runs {@link RawDhcp4Socket#FILTER} on {@code p} as the kernel does; returns the bytes accepted. */
    static int runFilter(byte[] p) {
        int a = 0;
        int x = 0;
        for (int pc = 0; pc < RawDhcp4Socket.FILTER.length; pc++) {
            int[] i = RawDhcp4Socket.FILTER[pc];
            int k = i[3];
            switch (i[0]) {
                case 0x30 -> a = k < p.length ? p[k] & 0xff : -1;
                case 0x28 -> a = k + 1 < p.length ? ((p[k] & 0xff) << 8) | (p[k + 1] & 0xff) : -1;
                case 0x48 -> a = x + k + 1 < p.length ? ((p[x + k] & 0xff) << 8) | (p[x + k + 1] & 0xff) : -1;
                case 0xb1 -> x = 4 * (p[k] & 0x0f);
                case 0x15 -> pc += a == k ? i[1] : i[2];
                case 0x45 -> pc += (a & k) != 0 ? i[1] : i[2];
                case 0x06 -> {
                    return k;
                }
                default -> throw new AssertionError("instruction " + Integer.toHexString(i[0]));
            }
            if (a == -1) {
                return 0; // a load past the packet's end drops it
            }
        }
        throw new AssertionError("the filter fell off its end");
    }

    @Test
    void theKernelFilterPassesExactlyUnfragmentedUdpToPort67() {
        byte[] d = dhcp(DhcpMessageType.DISCOVER, ipxe());
        assertTrue(runFilter(udp67(d)) >= udp67(d).length, "a DHCP request, whole");
        byte[] options = udp67(d);
        options[0] = 0x46; // a 24-byte header: the UDP port is read after it
        byte[] longer = new byte[options.length + 4];
        System.arraycopy(options, 0, longer, 0, 20);
        System.arraycopy(options, 20, longer, 24, options.length - 20);
        assertTrue(runFilter(longer) > 0, "IPv4 options before the UDP header");
        assertEquals(0, runFilter(ipv4(17, 68, 0, d)), "to the client port");
        assertEquals(0, runFilter(ipv4(6, 67, 0, d)), "TCP");
        assertEquals(0, runFilter(ipv4(17, 67, 0x2000, d)), "a first fragment");
        assertEquals(0, runFilter(ipv4(17, 67, 0x0010, d)), "a later fragment");
        assertEquals(0, runFilter(ipv4(17, 80, 0, new byte[1000])), "an HTTP-sized datagram elsewhere");
    }

    @Test
    void aWatchedDiscoverGetsTheIpxesSolicitationAnswered() throws Exception {
        ManualClock clock = new ManualClock(1_800_000_000_000L);
        RecentBoots boots = new RecentBoots(NdpSettings.BOOTING_WINDOW.toMillis());
        RouterAnswerEngine engine = new RouterAnswerEngine(
                NdpSettings.defaults(true, MacAddress.parse("02:00:00:00:00:01")), boots, clock, new Random(7));
        RouterSolicitation rs = new RouterSolicitation(java.util.List.of(NdpOption.sourceLinkLayer(IPXE)));
        Inet6Address from = (Inet6Address) InetAddress.getByName("fe80::5054:ff:fee2:611");
        NdpDecision before = engine.solicited(rs, from, 2);
        assertFalse(before instanceof NdpDecision.Answer, "nothing known of the machine yet: " + before);

        byte[] p = udp67(dhcp(DhcpMessageType.DISCOVER, ipxe()));
        boots.seen(Dhcp4Watch.bootingMac(p, p.length), clock.millis());
        assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs, from));
    }

    @Test
    void runsOnlyWithDhcpOffAndTheAnswerOn() {
        assertTrue(Dhcp4Watch.wanted(Config.DhcpMode.OFF, true));
        assertFalse(Dhcp4Watch.wanted(Config.DhcpMode.OFF, false), "nobody reads what it notes");
        assertFalse(Dhcp4Watch.wanted(Config.DhcpMode.PROXY, true), "the DHCP service notes them itself");
        assertFalse(Dhcp4Watch.wanted(Config.DhcpMode.FULL, true));
    }
}

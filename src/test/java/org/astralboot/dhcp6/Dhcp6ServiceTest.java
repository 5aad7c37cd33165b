package org.astralboot.dhcp6;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.HexFormat;
import org.astralboot.dhcp6.codec.CapturedPackets6;
import org.astralboot.dhcp6.codec.Dhcp6Codec;
import org.astralboot.dhcp6.codec.Dhcp6Decoded;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Duid;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

class Dhcp6ServiceTest {
    @Test
    void macFromAnEthernetDuidElseFromTheEui64LinkLocalSource() throws Exception {
        MacAddress m = MacAddress.parse("52:54:00:e2:06:06");
        assertEquals(m, Dhcp6Service.macOf(Duid.ll(HexFormat.of().parseHex("525400e20606")), null));
        Duid llt = Duid.of(HexFormat.of().parseHex("000100012f000000" + "525400e20606"));
        assertEquals(m, Dhcp6Service.macOf(llt, null));
        Duid uuid = Duid.of(HexFormat.of().parseHex("0004" + "00".repeat(16)));
        assertEquals(m, Dhcp6Service.macOf(uuid, InetAddress.getByName("fe80::5054:ff:fee2:606")));
        assertNull(Dhcp6Service.macOf(uuid, InetAddress.getByName("fe80::1234:5678:9abc:def0")), "not EUI-64");
        assertNull(Dhcp6Service.macOf(uuid, InetAddress.getByName("2001:db8::5054:ff:fee2:606")), "not link-local");
        assertNull(Dhcp6Service.macOf(uuid, null));
    }

    /**
     * A relayed client's MAC: the Client Link-Layer Address option (RFC 6939) of the relay agent nearest
     * it (dnsmasq's relay sends one), else its DUID's, else the EUI-64 of that agent's peer-address.
     */
    @Test
    void relayedMacFromTheRelaysLinkLayerOptionElseAsForADirectClient() throws Exception {
        org.astralboot.dhcp6.codec.Dhcp6Relay forw = ((Dhcp6Decoded.Relayed) Dhcp6Codec.decode(
                CapturedPackets6.DNSMASQ_RELAY_FORW_SOLICIT)).relay();
        Duid uuid = Duid.of(HexFormat.of().parseHex("0004" + "00".repeat(16)));
        assertEquals(MacAddress.parse("52:54:00:31:00:01"), Dhcp6Service.relayedMacOf(uuid, forw));
        java.util.List<org.astralboot.dhcp6.codec.Dhcp6Option> without = forw.options().stream()
                .filter(o -> !(o instanceof org.astralboot.dhcp6.codec.Dhcp6Option.ClientLinkLayerAddress)).toList();
        org.astralboot.dhcp6.codec.Dhcp6Relay plain = new org.astralboot.dhcp6.codec.Dhcp6Relay(forw.type(),
                forw.hopCount(), forw.linkAddress(), forw.peerAddress(), without);
        // Its peer-address fe80::5054:ff:fe31:1 is EUI-64.
        assertEquals(MacAddress.parse("52:54:00:31:00:01"), Dhcp6Service.relayedMacOf(uuid, plain));
        assertEquals(MacAddress.parse("52:54:00:e2:06:06"),
                Dhcp6Service.relayedMacOf(Duid.ll(HexFormat.of().parseHex("525400e20606")), plain));
    }

    @Test
    void firmwareAndIpxeRequestsCountAsBootingPlainClientsDoNot() {
        assertTrue(Dhcp6Service.bootRequest(ok(CapturedPackets6.OVMF_PXE6_SOLICIT)), "OVMF PXE: arch 7");
        assertTrue(Dhcp6Service.bootRequest(ok(CapturedPackets6.OVMF_HTTP6_SOLICIT)), "OVMF HTTP boot: arch 16");
        assertTrue(Dhcp6Service.bootRequest(ok(CapturedPackets6.IPXE_BIOS_SOLICIT)), "iPXE: user class");
        assertFalse(Dhcp6Service.bootRequest(ok(CapturedPackets6.OVMF_IP6CONFIG_SOLICIT)), "firmware's own stack");
        assertFalse(Dhcp6Service.bootRequest(ok(CapturedPackets6.DHCLIENT_SOLICIT)), "an operating system");
        assertFalse(Dhcp6Service.bootRequest(ok(CapturedPackets6.DNSMASQ_ADVERTISE)), "a server's message");
    }

    @Test
    void aBrokenDatabaseIsReportedOnceOffTheReceivingThread() throws Exception {
        java.util.List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch called = new java.util.concurrent.CountDownLatch(1);
        Dhcp6Service svc = new Dhcp6Service(null, null, null);
        svc.onStoreFailure(msg -> {
            said.add(Thread.currentThread().getName() + ": " + msg);
            called.countDown();
        });
        svc.storeBroken("dhcp6 binding commit failed (No space left on device)");
        svc.storeBroken("a later commit failed too");
        assertTrue(called.await(5, java.util.concurrent.TimeUnit.SECONDS));
        Thread.sleep(100);
        assertEquals(java.util.List.of("dhcp6-fatal: dhcp6 binding commit failed (No space left on device)"), said);
    }

    static Dhcp6Message ok(byte[] b) {
        return ((Dhcp6Decoded.Ok) Dhcp6Codec.decode(b)).message();
    }
}

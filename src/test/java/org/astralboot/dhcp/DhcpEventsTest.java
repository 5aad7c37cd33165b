package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOp;
import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpOptions;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.engine.DhcpReply;
import org.astralboot.events.BootEvent;
import org.astralboot.events.Events;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

class DhcpEventsTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    private static DhcpPacket packet(DhcpOp op, DhcpMessageType t, int yiaddr, DhcpOptions.Builder o) {
        o.putByte(DhcpOption.MESSAGE_TYPE, t.code);
        return new DhcpPacket(op, 1, 6, 0, 7, 0, 0, 0, yiaddr, 0, 0, DhcpPacket.chaddrOf(MAC), "", "", o.build());
    }

    private static DhcpOptions.Builder arch(int a) {
        return DhcpOptions.builder().put(DhcpOption.CLIENT_ARCH, new byte[] {0, (byte) a})
                .putText(DhcpOption.VENDOR_CLASS, "PXEClient:Arch:0000" + a + ":UNDI:002001");
    }

    @Test
    void namesFirmwareByArchitecture() {
        assertEquals("bios", DhcpEvents.firmware(packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0, arch(0))));
        assertEquals("efi-x64", DhcpEvents.firmware(packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0, arch(7))));
        assertEquals("efi-arm64", DhcpEvents.firmware(packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0,
                DhcpOptions.builder().put(DhcpOption.CLIENT_ARCH, new byte[] {0, 11}))));
        assertEquals("", DhcpEvents.firmware(packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0, DhcpOptions.builder())));
    }

    @Test
    void requestsAndRepliesBecomeEvents() {
        List<BootEvent> got = new ArrayList<>();
        DhcpPacket discover = packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0, arch(0));
        DhcpEvents.received(got::add, discover);
        int addr = Ipv4.toInt(Ipv4.parse("192.0.2.10"));
        DhcpPacket offer = packet(DhcpOp.BOOTREPLY, DhcpMessageType.OFFER, addr,
                DhcpOptions.builder().putText(DhcpOption.BOOTFILE_NAME, "undionly.kpxe"));
        DhcpEvents.sent(got::add, discover, new DhcpReply(offer, DhcpReply.BROADCAST, 68, true), false);
        DhcpEvents.sent(got::add, discover, new DhcpReply(offer, DhcpReply.BROADCAST, 68, false), true);
        DhcpPacket request = packet(DhcpOp.BOOTREQUEST, DhcpMessageType.REQUEST, 0,
                arch(0).putInt(DhcpOption.REQUESTED_ADDRESS, addr));
        DhcpEvents.received(got::add, request);
        DhcpPacket nak = packet(DhcpOp.BOOTREPLY, DhcpMessageType.NAK, 0,
                DhcpOptions.builder().putText(DhcpOption.MESSAGE, "address not on this subnet"));
        DhcpEvents.sent(got::add, request, new DhcpReply(nak, DhcpReply.BROADCAST, 68, false), false);
        DhcpEvents.received(got::add, packet(DhcpOp.BOOTREQUEST, DhcpMessageType.INFORM, 0, DhcpOptions.builder()));

        assertEquals(List.of(Kind.DHCP_DISCOVER, Kind.DHCP_OFFER, Kind.DHCP_PROXY_OFFER, Kind.DHCP_REQUEST, Kind.DHCP_NAK),
                got.stream().map(BootEvent::kind).toList());
        for (BootEvent e : got) {
            assertEquals(MAC.toString(), e.mac());
            assertEquals("bios", e.firmware());
        }
        assertEquals("192.0.2.10", got.get(1).ip());
        assertEquals("boot undionly.kpxe", got.get(1).detail());
        assertTrue(got.get(2).detail().startsWith("proxy"), got.get(2).detail());
        assertEquals("192.0.2.10", got.get(3).ip(), "the address asked for (option 50)");
        assertEquals("address not on this subnet", got.get(4).detail());
        assertTrue(got.get(4).failure());
    }

    @Test
    void clientsThatAreNotBootingAreCountedNotEvents() {
        List<BootEvent> got = new ArrayList<>();
        List<String> counted = new ArrayList<>();
        Events sink = new Events() {
            @Override
            public void emit(BootEvent e) {
                got.add(e);
            }

            @Override
            public void dhcpPacket(int type, boolean received, long mac) {
                counted.add(DhcpMessageType.of(type).name().toLowerCase() + (received ? " in" : " out") + " "
                        + new org.astralboot.net.MacAddress(mac));
            }
        };
        // An OS renewing its lease: no vendor class, no architecture, no iPXE user class.
        DhcpPacket discover = packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0, DhcpOptions.builder());
        DhcpEvents.received(sink, discover);
        DhcpPacket offer = packet(DhcpOp.BOOTREPLY, DhcpMessageType.OFFER, Ipv4.toInt(Ipv4.parse("192.0.2.11")),
                DhcpOptions.builder());
        DhcpEvents.sent(sink, discover, new DhcpReply(offer, DhcpReply.BROADCAST, 68, true), false);
        assertEquals(List.of(), got);
        String mac = discover.mac().toString();
        assertEquals(List.of("discover in " + mac, "offer out " + mac), counted);
        // DECLINE and INFORM make no event, whoever sends them, but are counted.
        DhcpEvents.received(sink, packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DECLINE, 0, arch(7)));
        assertEquals(List.of(), got);
        assertEquals("decline in " + mac, counted.get(2));
        counted.remove(2);
        // A PXE client is an event, not a bare count.
        DhcpEvents.received(sink, packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0, arch(7)));
        assertEquals(1, got.size());
        assertEquals(2, counted.size());
    }

    @Test
    void aBootingClientsUnansweredRequestIsAnEventWithItsReason() {
        List<BootEvent> got = new ArrayList<>();
        Events sink = got::add;
        DhcpEvents.unanswered(sink, packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0, arch(0)),
                "no OFFER: the address pool is exhausted", true);
        DhcpEvents.unanswered(sink, packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0, arch(0)),
                "no OFFER yet: the boot source has not answered", false);
        DhcpEvents.unanswered(sink, packet(DhcpOp.BOOTREQUEST, DhcpMessageType.DISCOVER, 0, DhcpOptions.builder()),
                "no OFFER: the address pool is exhausted", true); // not booting: logged only
        DhcpEvents.unanswered(sink, packet(DhcpOp.BOOTREQUEST, DhcpMessageType.REQUEST, 0, arch(0)), null, false);
        assertEquals(2, got.size(), got.toString());
        assertEquals(Kind.DHCP_REFUSED, got.get(0).kind());
        assertTrue(got.get(0).failure());
        assertEquals("DISCOVER: no OFFER: the address pool is exhausted", got.get(0).detail());
        assertEquals("bios", got.get(0).firmware());
        assertEquals(Kind.DHCP_UNANSWERED, got.get(1).kind());
        assertTrue(!got.get(1).failure());
    }
}

package org.astralboot.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.events.BootEvent.Step;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

/** The "kernel running" signal: the booted system's own DHCP client after the initrd. */
class BootWatchTest {
    private static final String MAC = "52:54:00:12:34:56";
    private static final long MAC_VALUE = MacAddress.parse(MAC).value();

    private static BootEvent now(Kind k, String mac) {
        return new BootEvent(0, Instant.now(), mac, "192.0.2.10", "bios", k, "", k == Kind.HTTP_INITRD ? 1000 : -1, -1);
    }

    private static void bootToInitrd(BootWatch w, String mac) {
        for (Kind k : List.of(Kind.DHCP_DISCOVER, Kind.DHCP_OFFER, Kind.DHCP_REQUEST, Kind.DHCP_ACK, Kind.HTTP_ENTRY,
                Kind.HTTP_START, Kind.HTTP_KERNEL, Kind.HTTP_INITRD)) {
            w.emit(now(k, mac));
        }
    }

    private static List<String> kinds(BootWatch w) {
        return w.ring().snapshot().stream().map(e -> e.kind().name()).toList();
    }

    @Test
    void theBootedSystemsDhcpClientMarksTheKernelRunning() throws Exception {
        BootWatch w = new BootWatch(100);
        w.dhcpPacket(1, true, MAC_VALUE); // before the boot: only counted
        bootToInitrd(w, MAC);
        int before = w.ring().snapshot().size();
        w.dhcpPacket(1, true, MAC_VALUE + 1); // another machine's OS: nothing
        w.dhcpPacket(2, false, MAC_VALUE); // an OFFER sent to it: nothing
        assertEquals(before, w.ring().snapshot().size());
        w.dhcpPacket(1, true, MAC_VALUE);
        List<BootEvent> events = w.ring().snapshot();
        assertEquals(before + 1, events.size());
        BootEvent running = events.get(events.size() - 1);
        assertEquals(Kind.KERNEL_RUNNING, running.kind());
        assertEquals(MAC, running.mac());
        assertEquals(Step.RUNNING, w.board().get(MAC).orElseThrow().step());
        String text = BootMetricsTest.scrape(w.metrics());
        assertEquals(1, BootMetricsTest.value(text, "astralboot_boots_running_total{firmware=\"bios\",source=\"menu\"}"));
        // Counted as ordinary clients' packets too: the boot's DISCOVER and the three others.
        assertEquals(4, BootMetricsTest.value(text, "astralboot_dhcp_packets_total{outcome=\"received\",type=\"discover\"}"),
                text);
        // Once: its renewals later are no new signal.
        w.dhcpPacket(3, true, MAC_VALUE);
        assertEquals(before + 1, w.ring().snapshot().size());
    }

    @Test
    void theBootedSystemsDhcp6ClientMarksTheKernelRunning() throws Exception {
        BootWatch w = new BootWatch(100);
        bootToInitrd(w, MAC);
        int before = w.ring().snapshot().size();
        w.dhcp6Packet(1, true, MAC_VALUE, true); // the firmware again: no sign of the kernel
        w.dhcp6Packet(7, false, MAC_VALUE, false); // a Reply sent: nothing
        w.dhcp6Packet(1, true, -1, false); // a client whose MAC is not known: nothing
        assertEquals(before, w.ring().snapshot().size());
        w.dhcp6Packet(1, true, MAC_VALUE, false);
        BootEvent running = w.ring().snapshot().get(before);
        assertEquals(Kind.KERNEL_RUNNING, running.kind());
        assertEquals("its system's DHCPv6 client sent a Solicit", running.detail().substring(0, 41));
        assertEquals(Step.RUNNING, w.board().get(MAC).orElseThrow().step());
        String text = BootMetricsTest.scrape(w.metrics());
        assertEquals(3, BootMetricsTest.value(text, "astralboot_dhcp6_packets_total{outcome=\"received\",type=\"solicit\"}"),
                "every Solicit counted, booting or not");
    }

    @Test
    void aSolicitStartsABootAndForgetsTheWait() {
        BootWatch w = new BootWatch(100);
        bootToInitrd(w, MAC);
        w.emit(now(Kind.DHCP6_SOLICIT, MAC)); // the next boot, over IPv6
        w.dhcp6Packet(1, true, MAC_VALUE, false);
        assertEquals(Kind.DHCP6_SOLICIT, w.ring().snapshot().get(w.ring().snapshot().size() - 1).kind());
    }

    @Test
    void aRequestCountsAndANewBootForgetsTheWait() {
        BootWatch w = new BootWatch(100);
        bootToInitrd(w, MAC);
        w.emit(now(Kind.DHCP_DISCOVER, MAC)); // PXE again: the kernel never asked, a new boot
        w.dhcpPacket(1, true, MAC_VALUE);
        assertEquals(Kind.DHCP_DISCOVER.name(), kinds(w).get(kinds(w).size() - 1));
        bootToInitrd(w, MAC);
        w.dhcpPacket(3, true, MAC_VALUE); // a REQUEST (INIT-REBOOT of a system that kept its lease)
        assertEquals(Kind.KERNEL_RUNNING.name(), kinds(w).get(kinds(w).size() - 1));
    }

    @Test
    void theEndHookNeedsNoDhcp() {
        BootWatch w = new BootWatch(100);
        bootToInitrd(w, MAC);
        w.emit(now(Kind.HTTP_INSTALLED, MAC));
        w.dhcpPacket(1, true, MAC_VALUE);
        assertEquals(Kind.HTTP_INSTALLED.name(), kinds(w).get(kinds(w).size() - 1));
        assertEquals(Step.INSTALLED, w.board().get(MAC).orElseThrow().step());
    }
}

package org.astralboot.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.events.BootEvent.Step;
import org.junit.jupiter.api.Test;

class MachineBoardTest {
    private static final String MAC = "52:54:00:12:34:56";

    private static BootEvent at(long s, Kind k, String fw, String detail, long bytes) {
        return new BootEvent(0, Instant.ofEpochSecond(1_000 + s), MAC, "192.0.2.10", fw, k, detail, bytes, -1);
    }

    @Test
    void followsABootAndStartsAgainAtTheNextDiscover() {
        MachineBoard b = new MachineBoard();
        b.emit(at(0, Kind.DHCP_DISCOVER, "bios", "", -1));
        b.emit(at(1, Kind.HTTP_ENTRY, "iPXE", "", -1));
        b.emit(at(2, Kind.HTTP_MENU, "iPXE", "", -1));
        b.emit(at(3, Kind.HTTP_REFUSED, "iPXE", "404 GET /os/x", -1));
        b.emit(at(9, Kind.HTTP_KERNEL, "iPXE", "k", 1000));
        MachineBoard.Progress p = b.get(MAC).orElseThrow();
        assertEquals(Step.KERNEL, p.step());
        assertEquals("bios", p.firmware(), "DHCP's architecture stays");
        assertEquals(9_000, p.bootMillis());
        assertEquals(1000, p.bytes());
        assertTrue(p.lastError().contains("404 GET /os/x"), p.lastError());

        b.emit(at(100, Kind.DHCP_DISCOVER, "efi-x64", "", -1)); // the next boot
        p = b.get(MAC).orElseThrow();
        assertEquals(Step.DHCP, p.step());
        assertEquals("efi-x64", p.firmware());
        assertEquals("", p.lastError(), "a new boot starts without the old error");
        assertEquals(0, p.bytes());
    }

    @Test
    void aBootOverIpv6ShowsItsDhcp6StepAndStartsAgainAtTheNextSolicit() {
        MachineBoard b = new MachineBoard();
        b.emit(at(0, Kind.HTTP_INITRD, "iPXE", "initrd", 5000)); // the previous boot
        b.emit(at(100, Kind.DHCP6_SOLICIT, "efi-x64", "", -1));
        MachineBoard.Progress p = b.get(MAC).orElseThrow();
        assertEquals(Step.DHCP, p.step(), "a Solicit starts a new boot");
        assertEquals(0, p.bytes());
        assertEquals("efi-x64", p.firmware(), "DHCPv6's architecture replaces HTTP's iPXE");
        b.emit(new BootEvent(0, Instant.ofEpochSecond(1_101), MAC, "2001:db8:17::100", "efi-x64", Kind.DHCP6_REPLY,
                "boot tftp://[2001:db8:17::1]/ipxe.efi", -1, -1));
        p = b.get(MAC).orElseThrow();
        assertEquals(Step.DHCP, p.step());
        assertEquals("2001:db8:17::100", p.ip());
        assertEquals("dhcp6_reply boot tftp://[2001:db8:17::1]/ipxe.efi", p.lastEvent());
        b.emit(at(102, Kind.DHCP6_REFUSED, "efi-x64", "Advertise, no_addrs_avail", -1));
        assertTrue(b.get(MAC).orElseThrow().lastError().startsWith("dhcp6_refused: "));
        b.emit(at(103, Kind.TFTP_START, "", "ipxe.efi", -1));
        assertEquals(Step.FIRST_STAGE, b.get(MAC).orElseThrow().step());
    }

    /**
     * A rack boot as an operator watches it: the firmware's DHCP, the first stage over TFTP, then
     * iPXE's own DHCP (and DHCPv6). The row moves forward only: iPXE's DISCOVER and Solicit keep it
     * at the first stage, with the boot's start, bytes and error, and its last event says so. A
     * DISCOVER after the menu is the next boot, as is the firmware's own DHCP again after the first
     * stage (it restarted before iPXE ran).
     */
    @Test
    void ipxesOwnDhcpAfterTheFirstStageKeepsTheRowWhereItIs() {
        MachineBoard b = new MachineBoard();
        b.emit(at(0, Kind.DHCP_DISCOVER, "bios", "", -1));
        b.emit(at(1, Kind.DHCP_ACK, "bios", "undionly.kpxe", -1));
        b.emit(at(2, Kind.TFTP_START, "", "undionly.kpxe", -1));
        b.emit(at(3, Kind.TFTP_RETRANSMIT, "", "undionly.kpxe: resent", -1));
        b.emit(at(3, Kind.TFTP_END, "", "undionly.kpxe", 70_000));
        b.emit(at(4, Kind.DHCP_DISCOVER, "bios", "iPXE", -1));
        MachineBoard.Progress p = b.get(MAC).orElseThrow();
        assertEquals(Step.FIRST_STAGE, p.step(), "iPXE's DHCP does not take the row back to DHCP");
        assertEquals(Instant.ofEpochSecond(1_000), p.bootStarted(), "the same boot");
        assertEquals(70_000, p.bytes());
        assertEquals("dhcp_discover iPXE", p.lastEvent());
        b.emit(at(5, Kind.DHCP6_SOLICIT, "bios", "iPXE, rapid commit", -1)); // iPXE tries IPv6 too
        b.emit(at(5, Kind.DHCP_REQUEST, "bios", "iPXE, via relay 192.0.2.1", -1));
        b.emit(at(5, Kind.DHCP_ACK, "bios", "iPXE", -1));
        assertEquals(Step.FIRST_STAGE, b.get(MAC).orElseThrow().step());
        b.emit(at(6, Kind.HTTP_ENTRY, "iPXE", "", -1));
        b.emit(at(7, Kind.HTTP_MENU, "iPXE", "", -1));
        p = b.get(MAC).orElseThrow();
        assertEquals(Step.MENU, p.step());
        assertEquals(7_000, p.bootMillis(), "one boot from the firmware's DISCOVER");

        b.emit(at(20, Kind.DHCP_DISCOVER, "bios", "iPXE", -1)); // past the first stage: it restarted
        p = b.get(MAC).orElseThrow();
        assertEquals(Step.DHCP, p.step());
        assertEquals(Instant.ofEpochSecond(1_020), p.bootStarted());
        assertEquals(0, p.bytes());

        b.emit(at(21, Kind.TFTP_END, "", "ipxe.efi", 850_000));
        b.emit(at(22, Kind.DHCP_DISCOVER, "efi-x64", "", -1)); // the firmware again: restarted before iPXE ran
        p = b.get(MAC).orElseThrow();
        assertEquals(Step.DHCP, p.step());
        assertEquals(Instant.ofEpochSecond(1_022), p.bootStarted());
        assertEquals(0, p.bytes());

        b.emit(at(23, Kind.TFTP_END, "", "ipxe.efi", 850_000));
        b.emit(at(90, Kind.DHCP_DISCOVER, "efi-x64", "iPXE", -1)); // iPXE, but over a minute later
        assertEquals(Instant.ofEpochSecond(1_090), b.get(MAC).orElseThrow().bootStarted());
    }

    @Test
    void staysBounded() {
        MachineBoard b = new MachineBoard();
        for (int i = 0; i < MachineBoard.MAX_MACHINES + 50; i++) {
            b.emit(new BootEvent(0, Instant.EPOCH, String.format("52:54:%02x:%02x:%02x:00", i >> 16 & 255, i >> 8 & 255, i & 255),
                    "", "", Kind.DHCP_DISCOVER, "", -1, -1));
        }
        assertEquals(MachineBoard.MAX_MACHINES, b.all().size());
        assertTrue(b.get("52:54:00:00:00:00").isEmpty(), "the least recently heard of went first");
    }
}

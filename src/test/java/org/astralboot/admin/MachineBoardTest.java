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

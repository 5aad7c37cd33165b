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

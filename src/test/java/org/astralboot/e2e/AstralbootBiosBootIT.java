package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Case 1: BIOS with QEMU's iPXE option ROM. Astralboot's DHCP sees user class "iPXE" and hands out
 * the HTTP entry script; iPXE shows the OS menu, which picks the configured default ({@code marker2},
 * not the first OS) after the menu timeout; the kernel and initrd come over HTTP; the test OS prints
 * its marker.
 */
class AstralbootBiosBootIT {
    static final String MAC = "52:54:00:e2:01:01";

    @Test
    void biosIpxeRomBootsMenuDefaultOverHttp() throws Exception {
        try (BootLab lab = BootLab.create("AstralbootBiosBootIT")) {
            lab.startAstralboot(lab.config(TestOs.tree(), "full", TestOs.OS2, 2), "-l");
            BootResult r = lab.boot(Firmware.BIOS_IPXE_ROM, MAC, Duration.ofSeconds(180));
            assertEquals(Optional.of(TestOs.OS2), r.bootedOs(), "the menu's default OS booted");
            assertTrue(r.cmdline().orElseThrow().contains("initrd=initrd-marker2.gz"), r.cmdline().orElseThrow());
            // The menu was really shown: the other OS's description is only in the menu.
            assertTrue(r.console().contains("E2E test OS marker (busybox marker)"), "menu shown on the console");
            assertTrue(lab.serverLogText().toLowerCase().contains(MAC), "server log names the machine");
            System.err.println("Astralboot BIOS boot to marker: " + r.elapsed().toMillis() + " ms");
            lab.passed();
        }
    }
}

package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Case 2: UEFI (OVMF) with a NIC that has no option ROM. The firmware's own PXE (arch 7) gets
 * {@code ipxe.efi} over TFTP from Astralboot; that iPXE does its own DHCP, gets the HTTP entry
 * script, the menu times out to the default and the kernel and initrd come over HTTP.
 */
class AstralbootUefiBootIT {
    static final String MAC = "52:54:00:e2:02:01";

    @Test
    void uefiFirmwarePxeGetsIpxeOverTftpThenBootsOverHttp() throws Exception {
        try (BootLab lab = BootLab.create("AstralbootUefiBootIT")) {
            lab.startAstralboot(lab.config(TestOs.tree(), "full", TestOs.OS1, 1), "-l");
            BootResult r = lab.boot(Firmware.UEFI_FIRMWARE_PXE, MAC, Duration.ofSeconds(240));
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "the menu's default OS booted");
            // The test OS's os.toml names its initrd on its command line itself: it still reaches the
            // kernel once (the EFI stub would load each initrd= it finds).
            String cmdline = r.cmdline().orElseThrow();
            assertEquals(1, cmdline.split("initrd=", -1).length - 1, cmdline);
            assertTrue(cmdline.contains("initrd=initrd-marker.gz"), cmdline);
            assertTrue(lab.serverLogText().contains("ipxe.efi"), "server log shows the EFI iPXE handed out");
            System.err.println("Astralboot UEFI boot to marker: " + r.elapsed().toMillis() + " ms");
            lab.passed();
        }
    }
}

package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * UEFI HTTP boot over IPv4: OVMF with its PXE options switched off boots through its HTTP boot
 * option (DHCPv4 with arch 16 and vendor class HTTPClient); Astralboot answers with the HTTP URL of
 * the EFI iPXE and vendor class HTTPClient; the firmware fetches it over HTTP, and that iPXE boots the
 * test OS through the menu's default.
 */
class AstralbootUefiHttpBootIT {
    static final String MAC = "52:54:00:e2:06:04";

    @Test
    void uefiHttpBootOverIpv4() throws Exception {
        try (BootLab lab = BootLab.create("AstralbootUefiHttpBootIT")) {
            lab.startAstralboot(lab.config(TestOs.tree(), "full", TestOs.OS1, 1), "-l");
            BootResult r = lab.boot(Firmware.UEFI_HTTP_BOOT, MAC, Duration.ofSeconds(300));
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "the menu's default OS booted");
            String log = lab.serverLogText();
            assertTrue(log.contains("HTTP boot, arch 16, http://" + BootLab.SERVER + "/tftp/ipxe.efi"), log);
            assertTrue(log.contains("tftp/ipxe.efi"), log);
            System.err.println("Astralboot UEFI HTTP boot (IPv4) to marker: " + r.elapsed().toMillis() + " ms");
            lab.passed();
        }
    }
}

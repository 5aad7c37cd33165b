package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Proves the end-to-end harness itself with a known-good boot server: dnsmasq (DHCP + TFTP) and
 * busybox httpd serving the same test OS. If these fail, the machine (QEMU, OVMF, iPXE, the test OS)
 * is at fault, not Astralboot. Also the reference of {@code bench/boot}.
 */
class ReferenceBootIT {

    @Test
    void biosIpxeRomBootsThroughDnsmasq() throws Exception {
        try (BootLab lab = BootLab.create("ReferenceBootIT-bios")) {
            lab.startReference(TestOs.tree(), TestOs.OS1);
            BootResult r = lab.boot(Firmware.BIOS_IPXE_ROM, "52:54:00:e2:00:01", Duration.ofSeconds(150));
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "marker on the console");
            System.err.println("reference BIOS boot to marker: " + r.elapsed().toMillis() + " ms");
            lab.passed();
        }
    }

    @Test
    void uefiFirmwarePxeBootsThroughDnsmasq() throws Exception {
        try (BootLab lab = BootLab.create("ReferenceBootIT-uefi")) {
            lab.startReference(TestOs.tree(), TestOs.OS2);
            BootResult r = lab.boot(Firmware.UEFI_FIRMWARE_PXE, "52:54:00:e2:00:02", Duration.ofSeconds(200));
            assertEquals(Optional.of(TestOs.OS2), r.bootedOs(), "marker on the console");
            System.err.println("reference UEFI boot to marker: " + r.elapsed().toMillis() + " ms");
            lab.passed();
        }
    }
}

package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Network boot over IPv6 alone: {@code [dhcp] mode = "off"}, {@code [ipv6] dhcp = "full"}. OVMF
 * boots through DHCPv6 (PXE: {@code tftp://[addr]/ipxe.efi} over TFTP on IPv6; HTTP boot:
 * {@code http://[addr]/tftp/ipxe.efi}), then that iPXE does DHCPv6 itself (user class iPXE →
 * {@code http://[addr]/boot.ipxe}) and fetches menu, kernel and initrd over HTTP on IPv6. No other
 * router is on the segment: Astralboot's own router advertisement (issue 16 §2) gives the M flag
 * (iPXE runs DHCPv6 only when an RA asks for it) and the on-link prefix 2001:db8:e2::/64 (without
 * it EDK2 finds no route to the server), router lifetime 0. With {@code [dhcp] mode = "off"} only
 * the machine's DHCPv6 Solicits tell Astralboot it is booting.
 */
class AstralbootIpv6BootIT {

    static String config(BootLab lab) throws Exception {
        return lab.config(TestOs.tree(), "off", TestOs.OS1, 1)
                + "\n[ipv6]\ndhcp = \"full\"\nrange_start = \"2001:db8:e2::100\"\nrange_end = \"2001:db8:e2::1ff\"\n";
    }

    /** Astralboot's advertisement to {@code mac}, as its log names it. */
    static String advertisementTo(String mac) {
        return "ndp: router advertisement (lifetime 0, M=1 O=1, prefix 2001:db8:e2::/64 L=1 A=0) to " + mac;
    }

    @Test
    void uefiPxeOverIpv6() throws Exception {
        try (BootLab lab = BootLab.create("AstralbootIpv6BootIT-pxe")) {
            lab.enableIpv6();
            lab.startAstralboot(config(lab), "-l");
            BootResult r = lab.boot(Firmware.UEFI_PXE_IPV6, "52:54:00:e2:06:06", Duration.ofSeconds(300));
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "the menu's default OS booted");
            String log = lab.serverLogText();
            assertTrue(log.contains("(arch 7, tftp://[2001:db8:e2::1]/ipxe.efi)"), log);
            assertTrue(log.contains("tftp sent ipxe.efi to [2001:db8:e2::"), "ipxe.efi over TFTP on IPv6: " + log);
            assertTrue(log.contains("(iPXE, http://[2001:db8:e2::1]/boot.ipxe)"), log);
            assertFalse(log.contains("dhcp OFFER"), "no DHCPv4 at all");
            assertTrue(log.contains(advertisementTo("52:54:00:e2:06:06")), "Astralboot's own RA: " + log);
            assertTrue(r.console().contains("Start PXE over IPv6"), r.console());
            assertFalse(r.console().contains("HTTP Boot over IPv6"), "booted by PXE, not by the next boot option");
            System.err.println("Astralboot UEFI PXE over IPv6 to marker: " + r.elapsed().toMillis() + " ms");
            lab.passed();
        }
    }

    @Test
    void uefiHttpBootOverIpv6() throws Exception {
        try (BootLab lab = BootLab.create("AstralbootIpv6BootIT-http")) {
            lab.enableIpv6();
            lab.startAstralboot(config(lab), "-l");
            BootResult r = lab.boot(Firmware.UEFI_HTTP_BOOT_IPV6, "52:54:00:e2:06:07", Duration.ofSeconds(420));
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "the menu's default OS booted");
            String log = lab.serverLogText();
            assertTrue(log.contains("HTTP boot, arch 16, http://[2001:db8:e2::1]/tftp/ipxe.efi"), log);
            // The firmware's own words: its IPv6 address from DHCPv6 and the URL it downloaded.
            assertTrue(r.console().contains("Station IPv6 address is 2001:DB8:E2:"), r.console());
            assertTrue(r.console().contains("URI: http://[2001:db8:e2::1]/tftp/ipxe.efi"), r.console());
            assertTrue(log.contains("(iPXE, http://[2001:db8:e2::1]/boot.ipxe)"), log);
            assertTrue(log.contains(advertisementTo("52:54:00:e2:06:07")), "Astralboot's own RA: " + log);
            System.err.println("Astralboot UEFI HTTP boot over IPv6 to marker: " + r.elapsed().toMillis() + " ms");
            lab.passed();
        }
    }
}

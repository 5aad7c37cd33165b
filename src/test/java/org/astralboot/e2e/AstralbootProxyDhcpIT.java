package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Case 4: proxyDHCP. dnsmasq is the site's DHCP server (addresses only, no boot information, no
 * TFTP), in its own namespace on the same segment (192.0.2.2); Astralboot runs with {@code [dhcp] mode = "proxy"} and supplies only the boot information.
 * The VM must get its address from dnsmasq and boot through Astralboot, with the BIOS iPXE ROM and
 * with UEFI firmware PXE (which asks the proxy on port 4011).
 */
class AstralbootProxyDhcpIT {

    @Test
    void biosIpxeRomBootsWithDnsmasqAddressesAndAstralbootProxy() throws Exception {
        run("AstralbootProxyDhcpIT-bios", Firmware.BIOS_IPXE_ROM, "52:54:00:e2:04:01");
    }

    @Test
    void uefiFirmwarePxeBootsWithDnsmasqAddressesAndAstralbootProxy() throws Exception {
        run("AstralbootProxyDhcpIT-uefi", Firmware.UEFI_FIRMWARE_PXE, "52:54:00:e2:04:02");
    }

    private static void run(String name, Firmware fw, String mac) throws Exception {
        try (BootLab lab = BootLab.create(name)) {
            lab.startSiteDhcp();
            lab.startAstralboot(lab.config(TestOs.tree(), "proxy", TestOs.OS1, 1), "-l");
            BootResult r = lab.boot(fw, mac, Duration.ofSeconds(240));
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "booted through the proxy");
            // The address came from dnsmasq (192.0.2.100-150), not from Astralboot.
            String leases = Files.readString(lab.work().resolve("dnsmasq.leases"));
            assertTrue(leases.contains(mac), "dnsmasq leased an address to the VM: " + leases);
            assertTrue(lab.serverLogText().toLowerCase().contains(mac), "Astralboot answered the VM");
            System.err.println("Astralboot proxyDHCP " + fw + " boot to marker: " + r.elapsed().toMillis() + " ms");
            lab.passed();
        }
    }
}

package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astralboot.testing.TestApiServer;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 in real firmware: QEMU VMs boot through Astralboot's two Pixiecore modes, beside
 * dnsmasq as the site's DHCP server (Astralboot in proxy mode, as Pixiecore always is).
 * <ul>
 * <li>API mode (BIOS iPXE ROM): {@link TestApiServer} answers the VM's MAC with the test OS's kernel
 * and initrd as relative URLs and a {@code {{ URL }}} in the command line; the VM boots the marker
 * OS through Astralboot's signed URLs, its command line carries a signed URL, and the API was
 * asked once for the whole boot. A second VM whose MAC the API does not know gets no PXE answer
 * from Astralboot and does not boot.</li>
 * <li>Static mode: {@code astralboot boot KERNEL INITRD --cmdline ...} with a local kernel and the
 * initrd from an {@code http://} URL (fetched once, at start); a UEFI (firmware PXE) and a BIOS
 * (iPXE ROM) VM both boot it.</li>
 * </ul>
 */
class PixiecoreModesBootIT {

    @Test
    void apiModeBootsTheVmTheApiNames() throws Exception {
        String mac = "52:54:00:e2:14:01";
        String unknown = "52:54:00:e2:14:02";
        Path tree = TestOs.tree();
        try (BootLab lab = BootLab.create("PixiecoreModesBootIT-api")) {
            Path api = lab.work().resolve("api");
            Files.createDirectories(api.resolve("answers"));
            Path files = Files.createDirectories(api.resolve("files"));
            Files.copy(tree.resolve("boot/marker/images/linux"), files.resolve("linux"));
            Files.copy(tree.resolve("boot/marker/images/initrd-marker.gz"), files.resolve("initrd-marker.gz"));
            Files.writeString(files.resolve("seed.txt"), "seed\n");
            Files.writeString(api.resolve("answers/" + mac.replace(':', '-') + ".json"), """
                    {"kernel": "/files/linux", "initrd": ["/files/initrd-marker.gz"],
                     "cmdline": "console=ttyS0 panic=-1 quiet e2eos=marker seed={{ URL \\"/files/seed.txt\\" }}",
                     "message": "E2E API boot"}""");
            lab.netns().start(lab.work().resolve("api.log"), org.astralboot.testing.Netns.javaBinary(), "-cp",
                    System.getProperty("java.class.path"), TestApiServer.class.getName(), "9000", api.toString());
            org.astralboot.testing.Netns.awaitLog(lab.work().resolve("api.log"), "api server ready", Duration.ofSeconds(20));
            lab.startSiteDhcp();
            lab.startAstralboot(lab.config(tree, "proxy", TestOs.OS1, 1)
                    + "\n[api]\nurl = \"http://127.0.0.1:9000\"\ncache_ttl = \"5m\"\n", "-l");

            BootResult r = lab.boot(Firmware.BIOS_IPXE_ROM, mac, Duration.ofSeconds(240));
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "booted what the API named");
            String cmdline = r.cmdline().orElseThrow();
            assertTrue(cmdline.contains("e2eos=marker seed=http://" + BootLab.SERVER + "/file/"), cmdline);
            assertTrue(r.console().contains("E2E API boot"), "the API's message on the machine");
            assertEquals(List.of(mac + " arch=bios"), Files.readAllLines(api.resolve("calls.log")),
                    "one API call for the whole boot");
            String log = lab.serverLogText();
            assertTrue(log.contains("file http://127.0.0.1:9000/files/linux"), "the kernel went through Astralboot");

            BootResult none = lab.boot(Firmware.BIOS_IPXE_ROM, unknown, Duration.ofSeconds(60));
            assertEquals(Optional.empty(), none.bootedOs(), "the API's 404: not booted");
            assertTrue(lab.serverLogText().contains("dhcp proxy: no answer to " + unknown), lab.serverLogText());
            List<String> calls = Files.readAllLines(api.resolve("calls.log"));
            assertEquals(2, calls.size(), calls.toString());
            lab.passed();
        }
    }

    @Test
    void staticModeBootsEveryVmIntoTheKernel() throws Exception {
        String mac = "52:54:00:e2:14:03";
        Path tree = TestOs.tree();
        try (BootLab lab = BootLab.create("PixiecoreModesBootIT-static")) {
            Files.writeString(lab.work().resolve("seed.txt"), "seed\n");
            Path web = Files.createDirectories(lab.work().resolve("web/files"));
            Files.copy(tree.resolve("boot/marker/images/initrd-marker.gz"), web.resolve("initrd-marker.gz"));
            lab.netns().start(lab.work().resolve("web.log"), org.astralboot.testing.Netns.javaBinary(), "-cp",
                    System.getProperty("java.class.path"), TestApiServer.class.getName(), "9000",
                    lab.work().resolve("web").toString());
            org.astralboot.testing.Netns.awaitLog(lab.work().resolve("web.log"), "api server ready", Duration.ofSeconds(20));
            Path cfg = lab.work().resolve("config.toml");
            Files.writeString(cfg, lab.config(tree, "full", "", 10)); // boot makes it proxy
            lab.startSiteDhcp();
            List<String> args = new ArrayList<>(List.of("boot", "-c", cfg.toString(), "-v",
                    tree.resolve("boot/marker/images/linux").toString(),
                    "http://127.0.0.1:9000/files/initrd-marker.gz",
                    "--cmdline", "console=ttyS0 panic=-1 quiet e2eos=marker seed={{ ID \"./seed.txt\" }}",
                    "--message", "E2E static boot"));
            Process p = lab.netns().startAstralboot(lab.work(), lab.serverLog(), args.toArray(String[]::new));
            BootLab.awaitLogOrDeath(p, lab.serverLog(), "Astralboot ready", Duration.ofSeconds(60));
            assertTrue(lab.serverLogText().contains("(dhcp proxy)"), lab.serverLogText());

            BootResult r = lab.boot(Firmware.UEFI_FIRMWARE_PXE, mac, Duration.ofSeconds(300));
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "booted the static kernel");
            String cmdline = r.cmdline().orElseThrow();
            assertTrue(cmdline.contains("e2eos=marker seed=http://" + BootLab.SERVER + "/file/"), cmdline);
            assertTrue(r.console().contains("E2E static boot"), "the message on the machine");
            String leases = Files.readString(lab.work().resolve("dnsmasq.leases"));
            assertTrue(leases.contains(mac), "the address came from the site's DHCP: " + leases);

            BootResult bios = lab.boot(Firmware.BIOS_IPXE_ROM, "52:54:00:e2:14:04", Duration.ofSeconds(240));
            assertEquals(Optional.of(TestOs.OS1), bios.bootedOs(), "a BIOS VM boots it too");
            assertEquals(List.of("/files/initrd-marker.gz"), Files.readAllLines(lab.work().resolve("web/files.log")),
                    "the initrd URL was fetched once for both VMs");
            lab.passed();
        }
    }
}

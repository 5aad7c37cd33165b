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
 * asked once for the whole boot. A second VM, whose answer is an {@code ipxe-script}, boots the
 * marker OS by that script, served verbatim (its kernel and initrd straight from the API's host,
 * as the script says). A third VM whose MAC the API does not know gets no PXE answer from
 * Astralboot and does not boot.</li>
 * <li>Static mode: {@code astralboot boot KERNEL INITRD --cmdline ...} with a local kernel and the
 * initrd from an {@code http://} URL (fetched once, at start); a UEFI (firmware PXE) and a BIOS
 * (iPXE ROM) VM both boot it. The booted OS fetches the URL its command line's {@code {{ ID }}}
 * became ({@code e2e.fetch=}) and prints the file.</li>
 * <li>Static mode from IPFS: kernel and initrd as {@code /ipfs/<CID>/...} paths of a real Kubo node
 * in the lab's namespace, read through it at start (verified); a BIOS VM boots them.</li>
 * </ul>
 */
class PixiecoreModesBootIT {
    /** The test OS's last line after fetching its {@code e2e.fetch=} URL. */
    static final String FETCHED_END = "ASTRALBOOT-E2E-FETCHED done";

    @Test
    void apiModeBootsTheVmTheApiNames() throws Exception {
        String mac = "52:54:00:e2:14:01";
        String unknown = "52:54:00:e2:14:02";
        String scripted = "52:54:00:e2:14:05";
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
                     "cmdline": "console=ttyS0 panic=-1 quiet e2eos=marker e2e.fetch={{ URL \\"/files/seed.txt\\" }}",
                     "message": "E2E API boot"}""");
            String files9000 = "http://" + BootLab.SERVER + ":9000/files/";
            Files.writeString(api.resolve("answers/" + scripted.replace(':', '-') + ".json"),
                    "{\"ipxe-script\": \"#!ipxe\\necho E2E API script\\nkernel " + files9000
                            + "linux console=ttyS0 panic=-1 quiet e2eos=marker script=verbatim\\ninitrd " + files9000
                            + "initrd-marker.gz\\nboot\\n\"}");
            lab.netns().start(lab.work().resolve("api.log"), org.astralboot.testing.Netns.javaBinary(), "-cp",
                    System.getProperty("java.class.path"), TestApiServer.class.getName(), "9000", api.toString());
            org.astralboot.testing.Netns.awaitLog(lab.work().resolve("api.log"), "api server ready", Duration.ofSeconds(20));
            lab.startSiteDhcp();
            lab.startAstralboot(lab.config(tree, "proxy", TestOs.OS1, 1)
                    + "\n[api]\nurl = \"http://127.0.0.1:9000\"\ncache_ttl = \"5m\"\n", "-l");

            BootResult r = lab.bootUntil(Firmware.BIOS_IPXE_ROM, mac, Duration.ofSeconds(240), FETCHED_END);
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "booted what the API named");
            String cmdline = r.cmdline().orElseThrow();
            assertTrue(cmdline.contains("e2eos=marker e2e.fetch=http://" + BootLab.SERVER + "/file/"), cmdline);
            assertTrue(r.console().contains("ASTRALBOOT-E2E-FETCHED seed"), "the booted VM fetched its cmdline's URL: "
                    + r.console());
            assertTrue(r.console().contains("E2E API boot"), "the API's message on the machine");
            assertEquals(List.of(mac + " arch=bios"), Files.readAllLines(api.resolve("calls.log")),
                    "one API call for the whole boot (the booted OS's fetch of its signed URL included)");
            String log = lab.serverLogText();
            assertTrue(log.contains("file http://127.0.0.1:9000/files/linux"), "the kernel went through Astralboot");

            BootResult script = lab.boot(Firmware.BIOS_IPXE_ROM, scripted, Duration.ofSeconds(240));
            assertEquals(Optional.of(TestOs.OS1), script.bootedOs(), "booted by the API's ipxe-script");
            assertTrue(script.cmdline().orElseThrow().contains("e2eos=marker script=verbatim"), script.cmdline().orElseThrow());
            assertTrue(script.console().contains("E2E API script"), "the script's own echo on the machine");
            assertEquals(List.of(mac + " arch=bios", scripted + " arch=bios"), Files.readAllLines(api.resolve("calls.log")),
                    "one API call for the scripted boot too");

            BootResult none = lab.boot(Firmware.BIOS_IPXE_ROM, unknown, Duration.ofSeconds(60));
            assertEquals(Optional.empty(), none.bootedOs(), "the API's 404: not booted");
            assertTrue(lab.serverLogText().contains("dhcp proxy: no answer to " + unknown), lab.serverLogText());
            List<String> calls = Files.readAllLines(api.resolve("calls.log"));
            assertEquals(3, calls.size(), calls.toString());
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
                    "--cmdline", "console=ttyS0 panic=-1 quiet e2eos=marker e2e.fetch={{ ID \"./seed.txt\" }}",
                    "--message", "E2E static boot"));
            Process p = lab.netns().startAstralboot(lab.work(), lab.serverLog(), args.toArray(String[]::new));
            BootLab.awaitLogOrDeath(p, lab.serverLog(), "Astralboot ready", Duration.ofSeconds(60));
            assertTrue(lab.serverLogText().contains("(dhcp proxy)"), lab.serverLogText());

            BootResult r = lab.bootUntil(Firmware.UEFI_FIRMWARE_PXE, mac, Duration.ofSeconds(300), FETCHED_END);
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "booted the static kernel");
            String cmdline = r.cmdline().orElseThrow();
            assertTrue(cmdline.contains("e2eos=marker e2e.fetch=http://" + BootLab.SERVER + "/file/"), cmdline);
            assertTrue(r.console().contains("ASTRALBOOT-E2E-FETCHED seed"), "the booted VM fetched its cmdline's file: "
                    + r.console());
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

    @Test
    void staticModeBootsAVmFromIpfsPaths() throws Exception {
        Path tree = TestOs.tree();
        Path root = TestOs.projectRoot();
        String ipfsNode = root.resolve("scripts/ipfs-node").toString();
        org.astralboot.testing.Netns.sh(Duration.ofMinutes(20), ipfsNode, "install").check(); // a first install builds Kubo
        String kubo = org.astralboot.testing.Netns.sh(Duration.ofSeconds(10), root.resolve("scripts/go-tools").toString(),
                "path", "kubo").check().out().trim();
        try (BootLab lab = BootLab.create("PixiecoreModesBootIT-ipfs")) {
            Path repo = lab.work().resolve("ipfs-repo");
            lab.netns().run(Duration.ofMinutes(3), ipfsNode, "start", "--port", "5151", "--repo", repo.toString()).check();
            try {
                String cid = lab.netns().run(Duration.ofMinutes(3), "env", "IPFS_PATH=" + repo, kubo, "add", "-r", "-Q",
                        "--cid-version=1", tree.resolve("boot/marker/images").toString()).check().out().trim();
                cid = cid.lines().reduce((a, b) -> b).orElseThrow().trim();
                Path cfg = lab.work().resolve("config.toml");
                Files.writeString(cfg, lab.config(tree, "full", "", 10)
                        .replace("ipfs = false\n", "ipfs = false\nipfs_api = \"http://127.0.0.1:5151\"\n"));
                assertTrue(Files.readString(cfg).contains("ipfs_api"), Files.readString(cfg));
                lab.startSiteDhcp();
                Process p = lab.netns().startAstralboot(lab.work(), lab.serverLog(), "boot", "-c", cfg.toString(), "-v",
                        "/ipfs/" + cid + "/linux", "/ipfs/" + cid + "/initrd-marker.gz",
                        "--cmdline", "console=ttyS0 panic=-1 quiet e2eos=marker from=ipfs");
                BootLab.awaitLogOrDeath(p, lab.serverLog(), "Astralboot ready", Duration.ofSeconds(90));
                assertTrue(lab.serverLogText().contains("fetched /ipfs/" + cid + "/linux through the IPFS node, verified"),
                        lab.serverLogText());
                BootResult r = lab.boot(Firmware.BIOS_IPXE_ROM, "52:54:00:e2:14:06", Duration.ofSeconds(240));
                assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "booted the kernel and initrd named by IPFS paths");
                assertTrue(r.cmdline().orElseThrow().contains("e2eos=marker from=ipfs"), r.cmdline().orElseThrow());
                System.err.println("PixiecoreModesBootIT: BIOS boot from IPFS paths: " + r.elapsed().toMillis() + " ms");
                lab.passed();
            } finally {
                lab.netns().run(Duration.ofSeconds(30), ipfsNode, "stop", "--repo", repo.toString());
            }
        }
    }
}

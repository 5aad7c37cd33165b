package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.astralboot.boot.MachineState;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.store.LocalBootStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real iPXE (QEMU's virtio option ROM, package ipxe-qemu) against the real HTTP service. QEMU's
 * user-mode network hands iPXE {@code http://10.0.2.2:<port>/boot.ipxe} and maps 10.0.2.2 to the
 * host's loopback, so no DHCP or TFTP leaves QEMU and no namespace is needed. The booted "OS" is
 * Debian's netboot kernel with a busybox initrd that prints its command line and powers off.
 *
 * <p>Boot 1: entry script, menu (default + timeout picks the OS), boot script, kernel, initrd, the
 * marker with {@code initrd=initrd.gz} on the command line. Then the install end hook. Boot 2:
 * the installed machine is sent to the local disk, no kernel is fetched.
 */
class QemuIpxeBootIT {
    static final Path KERNEL = Path.of("/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/linux");
    static final String MAC = "52:54:00:12:34:56";

    static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

    @Test
    void menuChoiceBootsTheOsAndAnInstalledMachineGoesToTheLocalDisk(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(KERNEL), "needs package debian-installer-12-netboot-amd64");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")), "needs package qemu-system-x86");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs package busybox-static");
        runFlow(tmp, null);
    }

    /**
     * The same first boot under UEFI (OVMF; iPXE is the NIC's EFI option ROM). The kernel's EFI stub
     * only finds the initrd through {@code initrd=<name>} on its command line: without it the marker
     * never appears.
     */
    @Test
    void uefiBootFindsTheInitrdThroughItsNameOnTheCommandLine(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(KERNEL), "needs package debian-installer-12-netboot-amd64");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")), "needs package qemu-system-x86");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs package busybox-static");
        assumeTrue(Files.isRegularFile(OVMF_CODE) && Files.isRegularFile(OVMF_VARS), "needs package ovmf");
        Path vars = tmp.resolve("OVMF_VARS.fd");
        Files.copy(OVMF_VARS, vars);
        runFlow(tmp, vars);
    }

    private void runFlow(Path tmp, Path uefiVars) throws Exception {

        Path images = Files.createDirectories(tmp.resolve("data/boot/probe/images"));
        Files.createDirectories(tmp.resolve("data/tftp"));
        Files.copy(KERNEL, images.resolve("linux"));
        buildMarkerInitrd(tmp.resolve("initrd-root"), images.resolve("initrd.gz"));
        Files.writeString(tmp.resolve("data/boot/probe/os.toml"), """
                description = "Probe OS"
                kernel = "linux"
                initrd = ["initrd.gz"]
                cmdline = "console=ttyS0 panic=-1 quiet host={{hostname}} preseed={{templates.preseed}}"
                """);

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Inet4Address lo = Ipv4.parse("127.0.0.1");
        Config cfg = Config.defaults("lo", lo, 8, tmp)
                .withData(tmp.resolve("data"))
                .withHttp(new Config.Http(lo, port, URI.create("http://10.0.2.2:" + port)))
                .withMenu(new Config.Menu("probe", 1));
        // QEMU's user network NATs the guest: its requests reach the server from 127.0.0.1, which is
        // therefore its address as the server knows it (a lease, as DHCP would report it).
        HostLookup guest = new HostLookup() {
            @Override
            public java.util.Optional<org.astralboot.net.HostInfo> byMac(MacAddress mac) {
                return mac.equals(MacAddress.parse(MAC))
                        ? java.util.Optional.of(new org.astralboot.net.HostInfo(mac, lo, null)) : java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<org.astralboot.net.HostInfo> byAddress(Inet4Address address) {
                return java.util.Optional.empty();
            }
        };
        try (Database db = Database.open(tmp.resolve("astralboot.db"));
                HttpService http = new HttpService(cfg, new LocalBootStore(tmp.resolve("data")), db, guest)) {
            http.start();

            String boot1 = qemu(port, uefiVars, "BOOT-MARKER", Duration.ofSeconds(90));
            // under UEFI the stub puts the image name first: "BOOT-MARKER linux initrd=initrd.gz ..."
            assertTrue(boot1.contains(" initrd=initrd.gz console=ttyS0 panic=-1 quiet host=node1 preseed=http://10.0.2.2:"
                    + port + "/machine/52-54-00-12-34-56/template/preseed"), boot1);
            assertEquals(MachineState.CHOSEN, http.machines().get(MacAddress.parse(MAC)).orElseThrow().state());
            if (uefiVars != null) {
                return; // the local-disk step is firmware-independent on the server side
            }

            // the installer's late_command would call this
            var hook = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/machine/52-54-00-12-34-56/installed")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, hook.statusCode(), hook.body());
            assertEquals(MachineState.INSTALLED, http.machines().get(MacAddress.parse(MAC)).orElseThrow().state());
            String boot2 = qemu(port, null, "Booting from SAN device 0x80", Duration.ofSeconds(60));
            assertTrue(boot2.contains("installed; booting from local disk"), boot2);
            assertTrue(!boot2.contains("/os/probe/images/linux"), "an installed machine must not load the installer again");
        }
    }

    /** Runs QEMU until {@code marker} appears on its console (then stops it); returns the console text. */
    private static String qemu(int port, Path uefiVars, String marker, Duration limit) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("qemu-system-x86_64", "-m", "256",
                "-nographic", "-no-reboot",
                "-netdev", "user,id=n0,ipv6=off,bootfile=http://10.0.2.2:" + port + "/boot.ipxe",
                "-device", "virtio-net-pci,netdev=n0,mac=" + MAC + (uefiVars != null ? ",bootindex=1" : ""),
                "-serial", "mon:stdio", "-display", "none"));
        if (uefiVars != null) {
            cmd.addAll(java.util.List.of("-machine", "q35",
                    "-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                    "-drive", "if=pflash,format=raw,file=" + uefiVars));
        } else {
            cmd.addAll(java.util.List.of("-boot", "n"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Instant deadline = Instant.now().plus(limit);
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[8192];
            while (Instant.now().isBefore(deadline)) {
                if (in.available() > 0) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    out.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (out.indexOf(marker) >= 0) {
                        Thread.sleep(200); // let the rest of the line arrive
                        while (in.available() > 0) {
                            int m = in.read(buf);
                            out.append(new String(buf, 0, m, StandardCharsets.ISO_8859_1));
                        }
                        return clean(out);
                    }
                } else if (!p.isAlive()) {
                    break;
                } else {
                    Thread.sleep(50);
                }
            }
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        throw new AssertionError("no '" + marker + "' from QEMU within " + limit + ":\n" + clean(out));
    }

    private static String clean(CharSequence s) {
        return s.toString().replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").replaceAll("[^\\x09\\x0A\\x0D\\x20-\\x7E]", "");
    }

    private static void buildMarkerInitrd(Path root, Path out) throws IOException, InterruptedException {
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("proc"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        Path init = root.resolve("init");
        Files.writeString(init, "#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\n"
                + "echo \"BOOT-MARKER $(/bin/busybox cat /proc/cmdline)\"\n/bin/busybox poweroff -f\n");
        init.toFile().setExecutable(true);
        Process p = new ProcessBuilder("sh", "-c", "cd \"$1\" && find . | cpio -o -H newc 2>/dev/null | gzip > \"$2\"",
                "sh", root.toString(), out.toString()).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "cpio failed");
    }
}

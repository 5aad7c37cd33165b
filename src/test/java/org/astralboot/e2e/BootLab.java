package org.astralboot.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.astralboot.testing.Netns;

/**
 * One end-to-end test bench: a network namespace holding a bridge {@code br0} with 192.0.2.1/24
 * (the boot server's side) and a tap device {@code tap0} on it for QEMU virtual machines, a boot
 * server inside it, and optionally a second namespace on the same segment (through a veth on the
 * bridge) playing the site's own DHCP server. Everything the lab starts is stopped by {@link #close()}, which also runs when the
 * test fails; unless {@link #passed()} was called, the VM consoles and server logs are copied to
 * {@code target/e2e-artifacts/<test>/}.
 *
 * <p>Only addresses of 192.0.2.0/24 are used, inside the namespace: nothing reaches the host's
 * interfaces.
 */
final class BootLab implements AutoCloseable {
    static final String SERVER = "192.0.2.1";
    static final String TAP = "tap0";
    /** The interface the boot servers listen on. */
    static final String IFACE = "br0";
    static final String OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    static final String OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    /**
     * Console texts after which a network boot cannot succeed any more: iPXE found nothing to boot,
     * SeaBIOS gave up, OVMF fell
     * back to its shell, the kernel panicked. Seeing one ends the boot at once instead of at its limit.
     */
    static final List<String> DEAD_ENDS =
            List.of("No more network devices", "No bootable device", "Shell> ", "Kernel panic");
    /** Printed by the local disk's boot code. */
    static final String LOCAL_DISK = "ASTRALBOOT-E2E-LOCAL-DISK";

    private final String name;
    private final Netns ns;
    private final Path work;
    private final Path artifacts;
    private final List<Process> servers = new ArrayList<>();
    private Netns site;
    private Process astralboot;
    private int vmCount;
    private boolean passed;

    private BootLab(String name, Netns ns, Path work, Path artifacts) {
        this.name = name;
        this.ns = ns;
        this.work = work;
        this.artifacts = artifacts;
    }

    /** Creates the namespace and tap; {@code name} names the work and artefact folders. */
    static BootLab create(String name) throws IOException {
        return create(name, "abe");
    }

    /** As {@link #create(String)}, the namespace's name starting with {@code prefix}. */
    static BootLab create(String name, String prefix) throws IOException {
        Path root = TestOs.projectRoot();
        Path work = root.resolve("target/e2e-work").resolve(name);
        deleteTree(work);
        Files.createDirectories(work);
        Netns ns = Netns.create(prefix);
        try {
            Duration t = Duration.ofSeconds(10);
            ns.run(t, "ip", "link", "add", IFACE, "type", "bridge", "forward_delay", "0", "stp_state", "0").check();
            ns.run(t, "ip", "addr", "add", SERVER + "/24", "dev", IFACE).check();
            ns.run(t, "ip", "link", "set", IFACE, "up").check();
            ns.run(t, "ip", "tuntap", "add", "dev", TAP, "mode", "tap").check();
            ns.run(t, "ip", "link", "set", TAP, "master", IFACE).check();
            ns.run(t, "ip", "link", "set", TAP, "up").check();
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return new BootLab(name, ns, work, root.resolve("target/e2e-artifacts").resolve(name));
    }

    Netns netns() {
        return ns;
    }

    Path work() {
        return work;
    }

    Path serverLog() {
        return work.resolve("astralboot.log");
    }

    // ---------------------------------------------------------------- reference server (dnsmasq)

    /**
     * Starts the reference boot server: dnsmasq (full DHCP on 192.0.2.100-150 and TFTP of
     * {@code tree/tftp}) plus busybox httpd serving {@code tree} and a {@code /boot.ipxe} that boots
     * {@code os} directly (no menu). Firmware PXE gets the iPXE binary by architecture, iPXE gets the
     * script URL (user class "iPXE"), as Astralboot does.
     */
    void startReference(Path tree, String os) throws IOException, InterruptedException {
        Path www = work.resolve("www");
        Files.createDirectories(www);
        Files.createSymbolicLink(www.resolve("boot"), tree.resolve("boot"));
        String initrd = "initrd-" + os + ".gz";
        Files.writeString(www.resolve("boot.ipxe"), "#!ipxe\n"
                + "kernel http://" + SERVER + "/boot/" + os + "/images/linux console=ttyS0 panic=-1 quiet initrd="
                + initrd + " e2eos=" + os + "\n"
                + "initrd http://" + SERVER + "/boot/" + os + "/images/" + initrd + "\n"
                + "boot\n");
        startDnsmasq(List.of("--enable-tftp", "--tftp-root=" + tree.resolve("tftp"),
                "--dhcp-userclass=set:ipxe,iPXE", "--dhcp-match=set:efi64,option:client-arch,7",
                "--dhcp-boot=tag:ipxe,http://" + SERVER + "/boot.ipxe",
                "--dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi",
                "--dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe"));
        servers.add(ns.start(work.resolve("httpd.log"), "busybox", "httpd", "-f", "-vv", "-p", SERVER + ":80", "-h",
                www.toString()));
        awaitHttp("http://" + SERVER + "/boot.ipxe");
    }

    /**
     * Starts dnsmasq as the site's DHCP server (addresses 192.0.2.100-150, no TFTP and no boot
     * information unless {@code extra} adds some).
     */
    private void startDnsmasq(List<String> extra) throws IOException, InterruptedException {
        startDnsmasq(ns, IFACE, extra);
    }

    /**
     * Creates a second namespace, the "site", joined to the segment by a veth on the bridge
     * ({@code 192.0.2.2/24}), and runs dnsmasq there as the site's DHCP server: addresses
     * 192.0.2.100-150, no boot information, no TFTP.
     */
    void startSiteDhcp() throws IOException, InterruptedException {
        site = Netns.create("abe");
        String a = "abes" + Integer.toHexString(site.name().hashCode() & 0xffff);
        Netns.veth(site, "site0", "192.0.2.2/24", ns, a, null);
        ns.run(Duration.ofSeconds(10), "ip", "link", "set", a, "master", IFACE).check();
        startDnsmasq(site, "site0", List.of());
    }

    private void startDnsmasq(Netns where, String iface, List<String> extra) throws IOException, InterruptedException {
        Path log = work.resolve("dnsmasq.log");
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--no-daemon", "--conf-file=/dev/null",
                "--log-facility=-", "--log-dhcp", "--user=root", "--port=0", "--interface=" + iface, "--bind-interfaces",
                "--dhcp-range=192.0.2.100,192.0.2.150,1h", "--no-ping",
                "--dhcp-leasefile=" + work.resolve("dnsmasq.leases"), "--pid-file=" + work.resolve("dnsmasq.pid")));
        cmd.addAll(extra);
        Process p = where.start(log, cmd.toArray(String[]::new));
        servers.add(p);
        awaitLogOrDeath(p, log, "started, version", Duration.ofSeconds(20));
    }

    // ---------------------------------------------------------------- IPv6

    /** The server's IPv6 address on br0 (documentation prefix 2001:db8::/32). */
    static final String SERVER6 = "2001:db8:e2::1";

    /** Adds {@link #SERVER6}/64 to br0 (no duplicate address detection: usable at once). */
    void enableIpv6() throws IOException {
        ns.run(Duration.ofSeconds(10), "ip", "-6", "addr", "add", SERVER6 + "/64", "dev", IFACE, "nodad").check();
    }

    // ---------------------------------------------------------------- Astralboot

    /**
     * The standard test configuration: full DHCP on br0, HTTP on 80, TFTP on 69, the menu's default
     * OS chosen after {@code menuTimeout} seconds, boot tree {@code data} ({@code ipfs = false}).
     * {@code extra} is appended verbatim (TOML; may add sections such as {@code [dhcp]} keys by
     * redefining nothing that is already set).
     */
    String config(Path data, String dhcpMode, String menuDefault, int menuTimeout) {
        return "interface = \"" + IFACE + "\"\n"
                + "address = \"" + SERVER + "\"\n"
                + "domain = \"e2e.test\"\n"
                + "data = \"" + data + "\"\n"
                + "database = \"" + work.resolve("astralboot.db") + "\"\n"
                + "cache = \"" + work.resolve("cache") + "\"\n"
                + "ipfs = false\n"
                + "\n[http]\nport = 80\n"
                + "\n[tftp]\nport = 69\n"
                + "\n[dhcp]\nmode = \"" + dhcpMode + "\"\n"
                + ("full".equals(dhcpMode) ? "range_start = \"192.0.2.10\"\nrange_end = \"192.0.2.60\"\n" : "")
                + "\n[menu]\ndefault = \"" + menuDefault + "\"\ntimeout = " + menuTimeout + "\n";
    }

    /**
     * Writes {@code toml} as {@code config.toml} in the work folder and starts
     * {@code astralboot serve -c config.toml ARGS} in the namespace; returns once it printed
     * {@code Astralboot ready}.
     */
    Process startAstralboot(String toml, String... args) throws IOException, InterruptedException {
        Path cfg = work.resolve("config.toml");
        Files.writeString(cfg, toml);
        List<String> a = new ArrayList<>(List.of("serve", "-c", cfg.toString(), "-v"));
        a.addAll(List.of(args));
        Files.writeString(serverLog(), "---- astralboot " + String.join(" ", a) + "\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        // The log is appended to across restarts: only a "ready" written by this start counts.
        long from = Files.size(serverLog());
        astralboot = ns.startAstralboot(work, serverLog(), a.toArray(String[]::new));
        awaitLogOrDeath(astralboot, serverLog(), from, "Astralboot ready", Duration.ofSeconds(60));
        return astralboot;
    }

    /** Stops Astralboot (SIGTERM, then kill) so it can be restarted on the same database. */
    void stopAstralboot() throws InterruptedException {
        if (astralboot != null) {
            astralboot.descendants().forEach(ProcessHandle::destroy);
            astralboot.destroy();
            if (!astralboot.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                astralboot.descendants().forEach(ProcessHandle::destroyForcibly);
                astralboot.destroyForcibly();
                astralboot.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            astralboot = null;
        }
    }

    /**
     * Runs an Astralboot command (e.g. {@code precache -c FILE}) in the namespace to completion; returns
     * its exit code. Output goes to the server log.
     */
    int runAstralboot(Duration limit, String... args) throws IOException, InterruptedException {
        Files.writeString(serverLog(), "---- astralboot " + String.join(" ", args) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = ns.startAstralboot(work, serverLog(), args);
        if (!p.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("astralboot " + String.join(" ", args) + " did not finish within " + limit);
        }
        return p.exitValue();
    }

    /** The server log so far. */
    String serverLogText() throws IOException {
        return Files.exists(serverLog()) ? Files.readString(serverLog(), StandardCharsets.UTF_8) : "";
    }

    /** An HTTP GET from inside the namespace (busybox wget); returns the body. */
    String httpGet(String url) throws IOException {
        return ns.run(Duration.ofSeconds(20), "busybox", "wget", "-q", "-O", "-", url).check().out();
    }

    // ---------------------------------------------------------------- virtual machines

    /**
     * Network-boots one QEMU VM (software emulation, 256 MB) with the given MAC and waits until the
     * test OS marker line or one of {@code stopOn} appears on its serial console, QEMU ends, or
     * {@code limit} passes. The VM is killed when this returns.
     */
    BootResult boot(Firmware fw, String mac, Duration limit, String... stopOn) throws IOException, InterruptedException {
        return boot(fw, mac, false, limit, stopOn);
    }

    /**
     * As {@link #boot(Firmware, String, Duration, String...)}; with {@code localDisk} the VM also has the
     * test OS's {@code vm/local-disk.img} (copy-on-write) whose boot code prints {@value #LOCAL_DISK}.
     */
    BootResult boot(Firmware fw, String mac, boolean localDisk, Duration limit, String... stopOn)
            throws IOException, InterruptedException {
        return run(fw, mac, localDisk, limit, null, stopOn);
    }

    /**
     * As {@link #boot(Firmware, String, Duration, String...)}, but after the marker the VM runs on
     * until {@code after} appears on its console (or {@code limit} passes): for what the test OS
     * does once booted, such as its DNS lookups. The elapsed time still ends at the marker.
     */
    BootResult bootUntil(Firmware fw, String mac, Duration limit, String after) throws IOException, InterruptedException {
        return run(fw, mac, false, limit, after);
    }

    private BootResult run(Firmware fw, String mac, boolean localDisk, Duration limit, String after, String... stopOn)
            throws IOException, InterruptedException {
        int n = ++vmCount;
        Path console = work.resolve("vm" + n + "-console.log");
        Files.writeString(console, "");
        List<String> cmd = new ArrayList<>(List.of("timeout", "-s", "KILL", Long.toString(limit.toSeconds() + 5),
                "qemu-system-x86_64", "-m", "256", "-nographic", "-display", "none", "-no-reboot",
                "-serial", "mon:stdio", "-boot", "n",
                "-netdev", "tap,id=n0,ifname=" + TAP + ",script=no,downscript=no"));
        if (fw == Firmware.UEFI_HTTP_BOOT || fw == Firmware.UEFI_HTTP_BOOT_IPV6) {
            cmd.addAll(List.of("-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n",
                    "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n"));
        } else if (fw == Firmware.UEFI_PXE_IPV6) {
            cmd.addAll(List.of("-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n"));
        }
        if (fw == Firmware.UEFI_PXE_IPV6) {
            // No IPv4 stack at all (Debian 12's OVMF knows this switch): no DHCPv4 timeout first.
            // Not for HTTP boot: with it, OVMF's HTTP boot over IPv6 sent no Solicit of its own and
            // failed at once ("Could not retrieve NBP file size"), so HTTP boot over IPv4 runs first.
            cmd.addAll(List.of("-fw_cfg", "name=opt/org.tianocore/IPv4Support,string=n"));
        }
        if (fw.ovmf()) {
            Path vars = work.resolve("vm" + n + "-ovmf-vars.fd");
            Files.copy(Path.of(OVMF_VARS), vars, StandardCopyOption.REPLACE_EXISTING);
            cmd.addAll(List.of("-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                    "-drive", "if=pflash,format=raw,file=" + vars,
                    "-device", "virtio-net-pci,netdev=n0,mac=" + mac + ",romfile="));
        } else {
            cmd.addAll(List.of("-device", "virtio-net-pci,netdev=n0,mac=" + mac));
        }
        if (localDisk) {
            cmd.addAll(List.of("-drive", "file=" + TestOs.tree().resolve("vm/local-disk.img")
                    + ",format=raw,if=virtio,snapshot=on"));
        }
        long t0 = System.nanoTime();
        Process vm = ns.start(console, cmd.toArray(String[]::new));
        long deadline = t0 + limit.toNanos();
        String matched = null;
        long tMatch = 0;
        try {
            while (true) {
                String text = Files.readString(console, StandardCharsets.ISO_8859_1);
                int m = text.indexOf(TestOs.MARKER);
                if (m >= 0 && text.indexOf('\n', m) > 0) {
                    matched = TestOs.MARKER;
                } else {
                    for (String s : stopOn) {
                        if (text.contains(s)) {
                            matched = s;
                            break;
                        }
                    }
                    if (matched == null && DEAD_ENDS.stream().anyMatch(text::contains)) {
                        // Let the last lines reach the console file for the artefacts, then stop.
                        Thread.sleep(500);
                        break;
                    }
                }
                if (matched != null && after != null && TestOs.MARKER.equals(matched)) {
                    tMatch = tMatch == 0 ? System.nanoTime() : tMatch;
                    if (!text.contains(after)) {
                        if (!vm.isAlive() || System.nanoTime() > deadline) {
                            break;
                        }
                        Thread.sleep(50);
                        continue;
                    }
                    vm.waitFor(3, java.util.concurrent.TimeUnit.SECONDS);
                    break;
                }
                if (matched != null) {
                    tMatch = System.nanoTime();
                    // The test OS powers off right after the marker; give QEMU a moment to end by itself.
                    vm.waitFor(3, java.util.concurrent.TimeUnit.SECONDS);
                    break;
                }
                if (!vm.isAlive() || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(50);
            }
        } finally {
            vm.descendants().forEach(ProcessHandle::destroyForcibly);
            vm.destroyForcibly();
            vm.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        boolean timedOut = matched == null && System.nanoTime() > deadline;
        long end = matched != null ? tMatch : System.nanoTime();
        return new BootResult(Files.readString(console, StandardCharsets.ISO_8859_1), Duration.ofNanos(end - t0),
                matched, timedOut);
    }

    // ---------------------------------------------------------------- helpers and clean-up

    /** Waits for {@code text} in {@code log}; fails at once (with the log) if the process died. */
    static void awaitLogOrDeath(Process p, Path log, String text, Duration limit) throws IOException, InterruptedException {
        awaitLogOrDeath(p, log, 0, text, limit);
    }

    /** As above, looking only at what the log gained after its first {@code from} bytes. */
    static void awaitLogOrDeath(Process p, Path log, long from, String text, Duration limit)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (logTail(log, from).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                // One last look: the line may have been written just before it exited.
                if (logTail(log, from).contains(text)) {
                    return;
                }
                throw new IOException("process exited " + p.exitValue() + " before '" + text + "' appeared in "
                        + log + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            Thread.sleep(50);
        }
        throw new IOException("'" + text + "' did not appear in " + log + " within " + limit + ":\n"
                + (Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)"));
    }

    private static String logTail(Path log, long from) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        byte[] all = Files.readAllBytes(log);
        int start = (int) Math.min(from, all.length);
        return new String(all, start, all.length - start, StandardCharsets.UTF_8);
    }

    private void awaitHttp(String url) throws IOException, InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Netns.Result r = null;
        while (System.nanoTime() < end) {
            r = ns.run(Duration.ofSeconds(5), "busybox", "wget", "-q", "-O", "/dev/null", url);
            if (r.code() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("HTTP server did not answer " + url + ": " + (r == null ? "" : r.out()));
    }

    /** Marks the test as passed: the artefacts are then not kept. */
    void passed() {
        passed = true;
    }

    @Override
    public void close() {
        try {
            stopAstralboot();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (site != null) {
            site.close();
        }
        ns.close();
        if (!passed) {
            try {
                Files.createDirectories(artifacts);
                try (Stream<Path> files = Files.list(work)) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".toml")
                            || f.toString().endsWith(".ipxe")).toList()) {
                        Files.copy(f, artifacts.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                System.err.println("e2e " + name + ": artefacts kept in " + artifacts);
            } catch (IOException e) {
                System.err.println("e2e " + name + ": could not keep artefacts: " + e);
            }
        } else {
            deleteTree(work);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}

package org.astralboot.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace made by a test, removed by {@link #close()} together with every process the
 * test started in it. Tests only ever use addresses in 192.0.2.0/24 and 198.18.0.0/15 inside such
 * namespaces, never the host's own interfaces.
 */
public final class Netns implements AutoCloseable {
    private final String name;
    private final List<Process> processes = new ArrayList<>();

    private Netns(String name) {
        this.name = name;
    }

    /** Creates {@code <prefix>-<random>} with loopback up. Prefix: a few letters naming the test. */
    public static Netns create(String prefix) throws IOException {
        String name = prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xFFFFF));
        // `ip netns exec` bind-mounts /etc/netns/<name>/* over /etc: a DHCP client's script run in
        // the namespace then rewrites this private resolv.conf, never the host's.
        Path etc = Path.of("/etc/netns", name);
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("resolv.conf"), "# private to test namespace " + name + "\n");
        sh(Duration.ofSeconds(10), "ip", "netns", "add", name).check();
        Netns ns = new Netns(name);
        ns.run(Duration.ofSeconds(10), "ip", "link", "set", "lo", "up").check();
        return ns;
    }

    public String name() {
        return name;
    }

    /**
     * Joins two namespaces by a veth pair and gives each end an address (CIDR form).
     * Interface names must be at most 15 characters.
     */
    public static void veth(Netns a, String ifA, String cidrA, Netns b, String ifB, String cidrB) throws IOException {
        sh(Duration.ofSeconds(10), "ip", "link", "add", ifA, "netns", a.name, "type", "veth", "peer", "name", ifB,
                "netns", b.name).check();
        if (cidrA != null) {
            a.run(Duration.ofSeconds(10), "ip", "addr", "add", cidrA, "dev", ifA).check();
        }
        if (cidrB != null) {
            b.run(Duration.ofSeconds(10), "ip", "addr", "add", cidrB, "dev", ifB).check();
        }
        a.run(Duration.ofSeconds(10), "ip", "link", "set", ifA, "up").check();
        b.run(Duration.ofSeconds(10), "ip", "link", "set", ifB, "up").check();
    }

    /** Runs a command inside the namespace and waits for it. */
    public Result run(Duration timeout, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return sh(timeout, full.toArray(String[]::new));
    }

    /** Starts a command inside the namespace, output to {@code log}; killed by {@link #close()}. */
    public Process start(Path log, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    /**
     * Starts Astralboot ({@code org.astralboot.cli.Main}) in the namespace with this JVM's class path,
     * output to {@code log}.
     */
    public Process startAstralboot(Path workDir, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name, javaBinary(), "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "org.astralboot.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    /** The java launcher of the running JVM. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Waits until {@code log} contains {@code text}, or fails after {@code timeout}. */
    public static void awaitLog(Path log, String text, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("'" + text + "' did not appear in " + log + " within " + timeout + ":\n"
                + (Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)"));
    }

    @Override
    public void close() {
        synchronized (processes) {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            for (Process p : processes) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            processes.clear();
        }
        try {
            // Kill anything else still running inside (e.g. daemons that forked), then delete.
            Result pids = sh(Duration.ofSeconds(10), "ip", "netns", "pids", name);
            for (String pid : pids.out().split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            sh(Duration.ofSeconds(10), "ip", "netns", "del", name);
            Path etc = Path.of("/etc/netns", name);
            Files.deleteIfExists(etc.resolve("resolv.conf"));
            Files.deleteIfExists(etc);
        } catch (IOException | RuntimeException e) {
            System.err.println("netns cleanup of " + name + " failed: " + e);
        }
    }

    /** Output and exit code of a finished command. */
    public record Result(List<String> cmd, int code, String out) {
        public Result check() throws IOException {
            if (code != 0) {
                throw new IOException(String.join(" ", cmd) + " exited " + code + ": " + out);
            }
            return this;
        }
    }

    /** Runs a command on the host (namespace management only) and waits for it. */
    public static Result sh(Duration timeout, String... cmd) throws IOException {
        Path out = Files.createTempFile("netns", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(List.of(cmd), -1, Files.readString(out) + "\n(timed out after " + timeout + ")");
            }
            return new Result(List.of(cmd), p.exitValue(), Files.readString(out));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}

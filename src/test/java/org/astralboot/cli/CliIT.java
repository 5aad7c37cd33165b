package org.astralboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as an operator uses it: a real JVM per run, exit codes, signals, files left alone. */
class CliIT {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    /** Servers die with their test, also when an assertion fails first. */
    @org.junit.jupiter.api.AfterEach
    void stopServers() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        started.clear();
    }

    Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                "org.astralboot.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        started.add(p);
        return p;
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                java.net.DatagramSocket d = new java.net.DatagramSocket(s.getLocalPort(),
                        java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.net.BindException e) {
            return freePort();
        }
    }

    record Run(int code, String out) {
    }

    Run run(String... args) throws Exception {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = start(log, args);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not finish");
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    Path config(String extra) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Path c = dir.resolve("config.toml");
        // Free loopback ports: the host may run its own web server, and tests never take 80 or 69.
        Files.writeString(c, "interface = \"lo\"\nipfs = false\n[http]\nport = " + freePort()
                + "\n[tftp]\nport = " + freePort() + "\n[dhcp]\nmode = \"off\"\n" + extra);
        return c;
    }

    @Test
    void noConfigAndNoTerminalTellsWhatToDo() throws Exception {
        Run r = run("-c", "missing.toml");
        assertEquals(2, r.code());
        assertTrue(r.out().contains("astralboot setup") && r.out().contains("config.toml.dist"), r.out());
        assertTrue(Files.notExists(dir.resolve("missing.toml")));
    }

    @Test
    void malformedConfigIsReportedAndNeverOverwritten() throws Exception {
        Path c = dir.resolve("config.toml");
        String broken = "interface = \"lo\"\n[http\nport = 80\n";
        Files.writeString(c, broken);
        Run r = run("serve", "-c", c.toString());
        assertEquals(2, r.code());
        assertTrue(r.out().contains(c + ":2:"), r.out());
        assertEquals(broken, Files.readString(c));
    }

    @Test
    void invalidValueExitsTwo() throws Exception {
        Path c = config("[menu]\ntimeout = -1\n");
        Run r = run("-c", c.toString());
        assertEquals(2, r.code());
        assertTrue(r.out().contains("menu.timeout") && r.out().contains("out of range"), r.out());
    }

    @Test
    void missingInterfaceExitsTwo() throws Exception {
        Files.writeString(dir.resolve("config.toml"), "interface = \"nosuch0\"\n");
        Run r = run("-c", "config.toml", "-l");
        assertEquals(2, r.code());
        assertTrue(r.out().contains("nosuch0") && r.out().contains("no such interface"), r.out());
    }

    @Test
    void badUsageExitsTwo() throws Exception {
        assertEquals(2, run("--no-such-flag").code());
        assertEquals(0, run("--version").code());
        assertEquals(0, run("serve", "--help").code());
        assertEquals(0, run("setup", "--help").code());
    }

    @Test
    void servesUntilSigtermThenExitsZeroAndPrintsImpliedConfigAtV() throws Exception {
        Path c = config("bogus_key = 1\n");
        Path log = dir.resolve("serve.log");
        Process p = start(log, "-c", c.toString(), "-l", "-v");
        Netns.awaitLog(log, "Astralboot ready", java.time.Duration.ofSeconds(60));
        String out = Files.readString(log);
        assertTrue(out.contains("-- Implied Config Start --") && out.contains("range_start = ")
                && out.contains("[tftp]") && out.contains("max_windowsize = 64"), out);
        assertTrue(out.contains("unknown config key ignored: dhcp.bogus_key"), out);

        // A second server on the same database is refused with a clear message.
        Run second = run("-c", c.toString(), "-l");
        assertEquals(1, second.code());
        assertTrue(second.out().contains("in use by another Astralboot process"), second.out());

        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(log));
        // The database was closed cleanly: it opens again at once.
        Path log2 = dir.resolve("serve2.log");
        Process again = start(log2, "-c", c.toString(), "-l");
        Netns.awaitLog(log2, "Astralboot ready", java.time.Duration.ofSeconds(60));
        again.destroy();
        assertTrue(again.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, again.exitValue());
    }

    @Test
    void defaultVerbosityPrintsOnlyTheSummary() throws Exception {
        Path c = config("");
        Path log = dir.resolve("quiet.log");
        Process p = start(log, "-c", c.toString(), "-l");
        Netns.awaitLog(log, "Astralboot ready", java.time.Duration.ofSeconds(60));
        p.destroy();
        p.waitFor(30, TimeUnit.SECONDS);
        String out = Files.readString(log);
        assertTrue(!out.contains("Implied Config"), out);
    }

    @Test
    void setupWithPipedAnswersWritesALoadableFileAndEofWritesNothing() throws Exception {
        Path target = dir.resolve("new.toml");
        // EOF straight away: nothing written.
        Run eof = run("setup", "-c", target.toString());
        assertEquals(1, eof.code());
        assertTrue(eof.out().contains("nothing written"), eof.out());
        assertTrue(Files.notExists(target));
    }

    @Test
    void setupInANamespaceListsItsInterfaceAndSavesWhatWasAnswered() throws Exception {
        try (Netns ns = Netns.create("abc")) {
            ns.run(java.time.Duration.ofSeconds(10), "ip", "link", "add", "boot0", "type", "veth", "peer", "name", "boot1").check();
            ns.run(java.time.Duration.ofSeconds(10), "ip", "addr", "add", "192.0.2.1/24", "dev", "boot0").check();
            ns.run(java.time.Duration.ofSeconds(10), "ip", "link", "set", "boot0", "up").check();
            Path target = dir.resolve("ns.toml");
            Path answers = dir.resolve("answers.txt");
            // interface 1, IPFS no, DHCP full, pool .100-.150, extra config yes, DNS, gateway,
            // IPv6: answer router solicitations (default yes), DHCPv6 (default off), save yes
            Files.writeString(answers, "1\nn\nfull\n192.0.2.100\n192.0.2.150\ny\n192.0.2.53\nnone\n\n\ny\n");
            Netns.Result r = ns.run(java.time.Duration.ofSeconds(60), "sh", "-c",
                    Netns.javaBinary() + " -cp " + System.getProperty("java.class.path")
                            + " org.astralboot.cli.Main setup -c " + target + " < " + answers);
            assertEquals(0, r.code(), r.out());
            assertTrue(r.out().contains("1 : boot0 - 192.0.2.1/24"), r.out());
            assertTrue(r.out().contains("WARNING: only one usable interface"), r.out());
            String toml = Files.readString(target);
            assertTrue(toml.contains("interface = \"boot0\"") && toml.contains("range_start = \"192.0.2.100\"")
                    && toml.contains("dns = [\"192.0.2.53\"]") && toml.contains("gateway = \"\"")
                    && toml.contains("ipfs = false"), toml);
            // The saved file is one the server accepts.
            org.astralboot.config.Config c = org.astralboot.config.ConfigLoader.load(target,
                    org.astralboot.config.ConfigLoader.Network.OPTIONAL).config();
            assertEquals("192.0.2.150", org.astralboot.net.Ipv4.text(c.dhcp().rangeEnd()));

            // Answering "no" to overwrite leaves the existing file as it was.
            String before = Files.readString(target);
            Files.writeString(answers, "1\nn\noff\nn\nn\n");
            Netns.Result r2 = ns.run(java.time.Duration.ofSeconds(60), "sh", "-c",
                    Netns.javaBinary() + " -cp " + System.getProperty("java.class.path")
                            + " org.astralboot.cli.Main setup -c " + target + " < " + answers);
            assertEquals(1, r2.code(), r2.out());
            assertEquals(before, Files.readString(target));
        }
    }

    @Test
    void launcherWithoutASuitableJdkExitsTwo() throws Exception {
        Path launcher = Path.of("bin/astralboot").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64");
        pb.environment().put("ASTRALBOOT_JVM_DIR", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("no JDK >= 25 found"), out);
    }

    @Test
    void aDamagedDatabaseIsMovedAsideWithAClearErrorAndTheNextStartCreatesANewOne() throws Exception {
        Path c = config("");
        Files.writeString(c, "database = \"./state/astralboot.db\"\n" + Files.readString(c));
        Path db = dir.resolve("state/astralboot.db");
        Files.createDirectories(db.getParent());
        byte[] junk = new byte[1 << 20];
        new java.util.Random(5).nextBytes(junk);
        Files.write(db, junk);
        Run r = run("-c", c.toString(), "-l");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("the database " + db + " is damaged") || r.out().contains("the database ./state/astralboot.db is damaged"), r.out());
        assertTrue(r.out().contains("moved aside to") && r.out().contains("leases are rebuilt"), r.out());
        assertTrue(!r.out().contains("Exception") && !r.out().contains("\tat "), "no stack trace: " + r.out());
        List<Path> aside;
        try (var files = Files.list(db.getParent())) {
            aside = files.filter(p -> p.getFileName().toString().matches("astralboot\\.db\\.damaged-\\d{8}T\\d{6}Z")).toList();
        }
        assertEquals(1, aside.size(), "moved aside: " + aside);
        assertTrue(java.util.Arrays.equals(junk, Files.readAllBytes(aside.get(0))), "kept as it was");
        assertTrue(!Files.exists(db));

        Path log = dir.resolve("after.log");
        Process again = start(log, "-c", c.toString(), "-l");
        Netns.awaitLog(log, "Astralboot ready", java.time.Duration.ofSeconds(60));
        again.destroy();
        assertTrue(again.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, again.exitValue());
    }
}

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

    Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                "org.astralboot.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
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
        Files.writeString(c, "interface = \"lo\"\nipfs = false\n[dhcp]\nmode = \"off\"\n" + extra);
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
        Path c = config("[tftp]\nport = 0\n");
        Run r = run("-c", c.toString());
        assertEquals(2, r.code());
        assertTrue(r.out().contains("tftp.port") && r.out().contains("out of range"), r.out());
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
}

package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-ASCII request names under the C locale ({@code LC_ALL=C}, so the server JVM's
 * {@code sun.jnu.encoding} is ASCII): curl, a raw HTTP request, atftp and tftp-hpa from a second
 * namespace. A present {@code café.txt} is served over both protocols; a missing name or octets
 * that are not UTF-8 get 404 / TFTP ERROR 1, each logged on one debug line, never a 500, a stack
 * trace or silence. Every name is written as octets ({@code printf} escapes, {@code file:} URIs),
 * so the test itself does not depend on its locale either.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NonAsciiPathIT {
    static final String SERVER = "198.18.71.1";
    static final String BASE = "http://" + SERVER + ":18080";
    static final Duration T = Duration.ofSeconds(30);
    /** "café.txt" as UTF-8 octets, for printf. */
    static final String CAFE = "caf\\303\\251.txt";

    @TempDir
    static Path dir;
    Netns srv;
    Netns cli;
    Path log;
    Path out;

    @BeforeAll
    void setUp() throws Exception {
        Path data = dir.resolve("data");
        Path tftp = Files.createDirectories(data.resolve("tftp"));
        out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(Path.of(URI.create("file://" + tftp.toUri().getRawPath() + "caf%C3%A9.txt")), "bonjour\n");
        Files.writeString(tftp.resolve("plain.txt"), "plain\n");
        srv = Netns.create("hlna");
        cli = Netns.create("hlna");
        Netns.veth(srv, "hlnas0", SERVER + "/24", cli, "hlnac0", "198.18.71.2/24");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                interface = "hlnas0"
                ipfs = false
                data = "%s"
                database = "%s"
                [dhcp]
                mode = "off"
                [http]
                port = 18080
                """.formatted(data, dir.resolve("astralboot.db")));
        log = dir.resolve("serve.log");
        srv.start(log, "env", "-u", "LANG", "-u", "LANGUAGE", "LC_ALL=C", Netns.javaBinary(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "org.astralboot.cli.Main",
                "serve", "-c", config.toString(), "-l", "-vv");
        Netns.awaitLog(log, "Astralboot ready", T);
    }

    @AfterAll
    void tearDown() {
        if (cli != null) {
            cli.close();
        }
        if (srv != null) {
            srv.close();
        }
    }

    Netns.Result sh(String script) throws IOException {
        return cli.run(T, "sh", "-c", script);
    }

    /** HTTP status of a curl GET of {@code path} (curl percent-encodes non-ASCII octets). */
    String curl(String path, Path to) throws IOException {
        return sh("curl -sS -m 10 -o " + to + " -w '%{http_code}' \"" + BASE + "/tftp/$(printf '" + path + "')\"")
                .check().out().trim();
    }

    /** The status line of a request whose target carries raw octets (curl would encode them). */
    String raw(String octets) throws IOException {
        return cli.run(T, "bash", "-c", "exec 3<>/dev/tcp/" + SERVER + "/18080; printf 'GET /tftp/" + octets
                + " HTTP/1.0\\r\\n\\r\\n' >&3; head -n 1 <&3").check().out().trim();
    }

    @Test
    void presentNonAsciiFileIsServedOverHttp() throws Exception {
        assertEquals("200", curl(CAFE, out.resolve("h1")), tail());
        assertEquals("bonjour\n", Files.readString(out.resolve("h1")));
        assertTrue(raw(CAFE).startsWith("HTTP/1.0 200"), tail());
    }

    @Test
    void missingOrUndecodableNamesAre404OnOneDebugLine() throws Exception {
        assertEquals("404", curl("na\\303\\257ve.txt", out.resolve("h2")), tail());
        assertEquals("404", curl("caf\\351.txt", out.resolve("h3")), tail()); // Latin-1 é, curl sends %E9
        assertTrue(raw("caf\\351.txt").startsWith("HTTP/1.0 404"), tail()); // the octet itself
        assertTrue(raw("caf\\303\\251\\351.txt").startsWith("HTTP/1.0 404"), tail());
        assertEquals("404", curl("%%C0%%AE%%C0%%AE/plain.txt", out.resolve("h4")), tail()); // overlong '.'
        assertQuiet("GET /tftp/caf");
    }

    @Test
    void presentNonAsciiFileIsServedOverTftp() throws Exception {
        sh("atftp -g -r \"$(printf '" + CAFE + "')\" -l " + out.resolve("t1") + " " + SERVER).check();
        assertEquals("bonjour\n", Files.readString(out.resolve("t1")));
        sh("tftp " + SERVER + " -m binary -c get \"$(printf '" + CAFE + "')\" " + out.resolve("t2")).check();
        assertEquals("bonjour\n", Files.readString(out.resolve("t2")));
    }

    @Test
    void missingOrUndecodableNamesAreTftpError1() throws Exception {
        for (String name : List.of("na\\303\\257ve.txt", "caf\\351.txt", "\\300\\256\\300\\256/plain.txt")) {
            Netns.Result r = sh("tftp " + SERVER + " -m binary -c get \"$(printf '" + name + "')\" "
                    + out.resolve("t3"));
            assertTrue(r.out().contains("Error code 1"), name + ": " + r.out() + "\n" + tail());
        }
        assertQuiet("tftp RRQ");
    }

    /** Lines about these requests are debug lines; nothing anywhere is an error or a stack trace. */
    void assertQuiet(String marker) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        assertTrue(lines.stream().anyMatch(l -> l.contains("DEBUG") && l.contains("not valid UTF-8")), tail());
        for (String l : lines) {
            assertFalse(l.matches("^[0-9:.]+ (ERROR|WARN) .*") && l.contains("caf") || l.matches("^[0-9:.]+ ERROR .*")
                    || l.startsWith("\tat ") || l.contains("Exception"), l + "\n" + tail());
            if (l.contains("not valid UTF-8")) {
                assertTrue(l.contains("DEBUG"), l);
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains(marker)), marker + " not logged\n" + tail());
    }

    String tail() throws IOException {
        List<String> l = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
    }
}

package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP limits against real clients: 200 curls reading a large file at 1 KiB/s from eight
 * addresses (25 each, under the per-client cap) in a client namespace, while curl from another
 * address fetches {@code /boot.ipxe}; then 40 connections from one address against the cap of 32;
 * then the minimum send rate (16 KiB/s over 10 s windows here) cuts the trickling readers.
 * Server 198.18.73.1 ({@code astralboot serve}, default file_threads 128 and script_threads 32).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpLimitsIT {
    static final String SERVER = "198.18.73.1";
    static final String BASE = "http://" + SERVER + ":18080";
    static final Duration T = Duration.ofSeconds(60);
    static final int READERS = 200;
    static final int ADDRESSES = 8;

    @TempDir
    static Path dir;
    Netns srv;
    Netns cli;
    Path log;

    @BeforeAll
    void setUp() throws Exception {
        Path data = dir.resolve("data");
        Path tftp = Files.createDirectories(data.resolve("tftp"));
        try (RandomAccessFile f = new RandomAccessFile(tftp.resolve("big.bin").toFile(), "rw")) {
            f.setLength(256L << 20); // sparse: the readers never get near its end
        }
        srv = Netns.create("hlli");
        cli = Netns.create("hlli");
        Netns.veth(srv, "hllis0", SERVER + "/24", cli, "hllic0", "198.18.73.2/24");
        for (String a : List.of("20", "30", "10", "11", "12", "13", "14", "15", "16", "17")) {
            cli.run(T, "ip", "addr", "add", "198.18.73." + a + "/24", "dev", "hllic0").check();
        }
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                interface = "hllis0"
                ipfs = false
                data = "%s"
                database = "%s"
                [dhcp]
                mode = "off"
                [http]
                port = 18080
                send_rate_window = "10s"
                """.formatted(data, dir.resolve("astralboot.db")));
        log = dir.resolve("serve.log");
        srv.startAstralboot(dir, log, "serve", "-c", config.toString(), "-l", "-v");
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

    /** Established connections to the HTTP port, counted in the server's namespace. */
    int connections() throws IOException {
        String out = srv.run(T, "ss", "-Htn", "state", "established", "( sport = :18080 )").check().out();
        return (int) out.lines().filter(l -> !l.isBlank()).count();
    }

    /** {@code n} curls from {@code source} reading big.bin at 1 KiB/s; each HTTP status goes to {@code codes}. */
    void slowReaders(String source, int n, Path codes) throws IOException {
        cli.start(dir.resolve("readers-" + source + ".log"), "sh", "-c",
                "for i in $(seq " + n + "); do curl -s --limit-rate 1K --interface " + source
                        + " -o /dev/null -w '%{http_code}\\n' " + BASE + "/tftp/big.bin >> " + codes + " & done; wait");
    }

    @Test
    @Order(1)
    void scriptsAnswerWithinASecondWhile200SlowReadersHoldFiles() throws Exception {
        for (int i = 0; i < ADDRESSES; i++) {
            slowReaders("198.18.73.1" + i, READERS / ADDRESSES, dir.resolve("codes-readers"));
        }
        long end = System.nanoTime() + T.toNanos();
        while (connections() < READERS && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        assertTrue(connections() >= READERS, "only " + connections() + " readers connected\n" + tail());
        Thread.sleep(2000); // every file thread busy, the rest of the readers queued
        List<String> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Netns.Result r = cli.run(Duration.ofSeconds(20), "curl", "-s", "-m", "10", "--interface", "198.18.73.20",
                    "-o", "/dev/null", "-w", "%{http_code} %{time_total}", BASE + "/boot.ipxe");
            String[] f = r.out().trim().split(" ");
            times.add(r.out().trim());
            assertEquals("200", f[0], "boot.ipxe: " + r.out() + " (curl exit " + r.code() + ")\n" + tail());
            assertTrue(Double.parseDouble(f[1]) < 1.0, "boot.ipxe took " + f[1] + " s\n" + tail());
        }
        System.out.println("boot.ipxe with " + connections() + " slow readers connected: " + times);
    }

    @Test
    @Order(2)
    void connectionsBeyondThePerClientCapGet503() throws Exception {
        Path codes = dir.resolve("codes-cap");
        slowReaders("198.18.73.30", 40, codes);
        long end = System.nanoTime() + T.toNanos();
        long refused = 0;
        while (System.nanoTime() < end) {
            refused = Files.exists(codes) ? Files.readAllLines(codes).stream().filter("503"::equals).count() : 0;
            if (refused >= 8) {
                break;
            }
            Thread.sleep(200);
        }
        Thread.sleep(1000); // no ninth refusal follows
        refused = Files.readAllLines(codes).stream().filter("503"::equals).count();
        assertEquals(8, refused, "40 connections from one address, cap 32\n" + tail());
        assertTrue(Files.readString(log).contains("too many connections from 198.18.73.30"), tail());
    }

    @Test
    @Order(3)
    void readersBelowTheMinimumRateAreCutAndLogged() throws Exception {
        // First window: the socket buffers take a burst; the next 10 s window carries 10 KiB: cut.
        Netns.awaitLog(log, "below the minimum of 16384 bytes/s", Duration.ofSeconds(90));
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (connections() > 0 && System.nanoTime() < end) {
            Thread.sleep(500);
        }
        assertEquals(0, connections(), "every trickling reader is cut in the end\n" + tail());
    }

    String tail() throws IOException {
        List<String> l = Files.readAllLines(log);
        return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
    }
}

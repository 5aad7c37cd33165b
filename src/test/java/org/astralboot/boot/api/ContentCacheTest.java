package org.astralboot.boot.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStoreException;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files by source: a URL fetched once (however many ask at once) and kept by content; local files in place. */
class ContentCacheTest {
    static final byte[] KERNEL = "kernel bytes".getBytes();

    @TempDir
    Path dir;
    HttpServer server;
    String base;
    final AtomicInteger hits = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/k", ex -> {
            hits.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, KERNEL.length);
            ex.getResponseBody().write(KERNEL);
            ex.close();
        });
        server.createContext("/gone", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.createContext("/broken", ex -> {
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    static byte[] read(BootFile f) throws Exception {
        try (InputStream in = f.open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void aUrlIsFetchedOnceForEveryoneAndKeptByContent() throws Exception {
        ManualClock clock = new ManualClock(0);
        ContentCache c = new ContentCache(dir, Duration.ofSeconds(5), Duration.ofMinutes(10), clock);
        var pool = Executors.newFixedThreadPool(4);
        List<Future<BootFile>> askers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            askers.add(pool.submit(() -> c.open(base + "/k").orElseThrow()));
        }
        Thread.sleep(200);
        release.countDown();
        for (Future<BootFile> f : askers) {
            BootFile b = f.get();
            assertArrayEquals(KERNEL, read(b));
            assertTrue(b.immutable());
            assertEquals(64, b.etag().length(), "the SHA-256 names the content");
        }
        assertArrayEquals(KERNEL, read(c.open(base + "/k").orElseThrow()));
        assertEquals(1, hits.get(), "one fetch");
        assertEquals(1, c.fetches());
        assertTrue(Files.exists(dir.resolve("sha256").resolve(c.open(base + "/k").orElseThrow().etag())));
        clock.advance(Duration.ofMinutes(11));
        c.open(base + "/k").orElseThrow();
        assertEquals(2, hits.get(), "asked again once the content is older than remember");
        pool.shutdown();
    }

    @Test
    void missingFailingAndForeignSources() throws Exception {
        release.countDown();
        ContentCache c = new ContentCache(dir, Duration.ofSeconds(5), null, new ManualClock(0));
        assertTrue(c.open(base + "/gone").isEmpty());
        BootStoreException e = assertThrows(BootStoreException.class, () -> c.open(base + "/broken"));
        assertEquals(BootStoreException.Kind.UNAVAILABLE, e.kind());
        assertThrows(BootStoreException.class, () -> c.open("http://127.0.0.1:9/nothing-listens"));
        assertTrue(c.open("ftp://127.0.0.1/x").isEmpty());
        assertTrue(c.open("/etc/passwd").isEmpty());
        Path local = Files.write(dir.resolve("vmlinuz"), KERNEL);
        BootFile f = c.open(local.toUri().toString()).orElseThrow();
        assertArrayEquals(KERNEL, read(f));
        assertArrayEquals("bytes".getBytes(), f.open(7, 5).readAllBytes(), "a range");
        assertTrue(c.open(dir.resolve("none").toUri().toString()).isEmpty());
    }
}

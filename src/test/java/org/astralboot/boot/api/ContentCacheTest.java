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

    /** A server of three distinct 12-byte files, /f/a, /f/b, /f/c, counting requests per path. */
    java.util.Map<String, AtomicInteger> files() {
        java.util.Map<String, AtomicInteger> n = new java.util.concurrent.ConcurrentHashMap<>();
        server.createContext("/f/", ex -> {
            String name = ex.getRequestURI().getPath().substring(3);
            n.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            byte[] body = ("content of " + name).getBytes();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        return n;
    }

    /**
     * The size cap: past it the least recently served content goes, never content being served
     * (a stream open on it, or handed out within the grace time), and evicted content is fetched
     * again when asked; a restart with a smaller cap evicts at once.
     */
    @Test
    void theSizeCapEvictsTheLeastRecentlyServedButNeverWhatIsServed() throws Exception {
        release.countDown();
        var hitsBy = files();
        ManualClock clock = new ManualClock(0);
        ContentCache c = new ContentCache(dir, Duration.ofSeconds(5), null, clock, 30, null);
        BootFile a = c.open(base + "/f/a").orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        BootFile b = c.open(base + "/f/b").orElseThrow();
        assertEquals(24, c.bytes());
        clock.advance(Duration.ofMinutes(1));
        c.open(base + "/f/b").orElseThrow(); // b served again: a is now the least recently served
        clock.advance(Duration.ofMinutes(1));
        c.open(base + "/f/c").orElseThrow();
        assertEquals(24, c.bytes(), "one of three 12-byte files over a 30-byte cap");
        assertEquals(1, c.evictions());
        assertTrue(!Files.exists(dir.resolve("sha256").resolve(a.etag())), "a, least recently served, went");
        assertTrue(Files.exists(dir.resolve("sha256").resolve(b.etag())));

        // b is being served (a stream open on it) and older than c: c goes when a comes back.
        clock.advance(Duration.ofMinutes(1));
        try (InputStream in = b.open()) {
            clock.advance(Duration.ofMinutes(1));
            assertEquals("content of a", new String(read(c.open(base + "/f/a").orElseThrow())));
            assertEquals(2, hitsBy.get("a").get(), "evicted content is fetched again");
            assertEquals("content of b", new String(in.readAllBytes()), "the file being served is still there");
        }
        assertEquals(24, c.bytes());
        assertTrue(Files.exists(dir.resolve("sha256").resolve(b.etag())));
        assertEquals(1, hitsBy.get("b").get());

        // Content handed out a moment ago counts as being served too (its stream opens just after).
        clock.advance(Duration.ofMinutes(1));
        BootFile justOut = c.open(base + "/f/b").orElseThrow();
        clock.advance(Duration.ofSeconds(1));
        c.open(base + "/f/c").orElseThrow(); // a is now the one to go
        assertTrue(Files.exists(dir.resolve("sha256").resolve(justOut.etag())));
        assertEquals("content of b", new String(read(justOut)));

        // Nothing may go while everything is in use: over the cap for that long, then back within it.
        ContentCache tight = new ContentCache(dir, Duration.ofSeconds(5), null, clock, 12, null);
        assertEquals(12, tight.bytes(), "a restart with a smaller cap evicts at once: " + tight.evictions());
        try (InputStream one = tight.open(base + "/f/b").orElseThrow().open();
                InputStream two = tight.open(base + "/f/c").orElseThrow().open()) {
            clock.advance(Duration.ofMinutes(5));
            BootFile third = tight.open(base + "/f/a").orElseThrow();
            assertEquals(36, tight.bytes(), "three files in use over a 12-byte cap stay");
            assertEquals("content of a", new String(read(third)));
            assertEquals(12, one.readAllBytes().length + 0 * two.available());
        }
        assertEquals(12, tight.bytes(), "once not served, they go (the one handed out last stays)");
        long fetched = tight.fetches();
        assertArrayEquals("content of a".getBytes(), read(tight.open(base + "/f/a").orElseThrow()));
        assertEquals(fetched, tight.fetches(), "a, served last, was kept");
    }

    /** IPFS paths: read once through the node's reader and kept for good (their content cannot change). */
    @Test
    void anIpfsPathIsReadOnceAndKept() throws Exception {
        release.countDown();
        List<String> reads = new ArrayList<>();
        ContentCache.Ipfs node = (path, out) -> {
            reads.add(path);
            if (!path.equals("/ipfs/bafyfile/vmlinuz")) {
                throw new java.io.FileNotFoundException(path + ": no such file");
            }
            out.write(KERNEL);
            return KERNEL.length;
        };
        ManualClock clock = new ManualClock(0);
        ContentCache c = new ContentCache(dir, Duration.ofSeconds(5), Duration.ofMinutes(10), clock, Long.MAX_VALUE, node);
        BootFile f = c.open("/ipfs/bafyfile/vmlinuz").orElseThrow();
        assertArrayEquals(KERNEL, read(f));
        assertTrue(f.immutable());
        clock.advance(Duration.ofHours(5));
        assertArrayEquals(KERNEL, read(c.open("/ipfs/bafyfile/vmlinuz").orElseThrow()));
        assertEquals(List.of("/ipfs/bafyfile/vmlinuz"), reads, "read once, kept past remember");
        assertTrue(c.open("/ipfs/bafyfile/none").isEmpty(), "a path that names nothing");
        ContentCache without = new ContentCache(dir.resolve("x"), Duration.ofSeconds(5), null, clock);
        assertTrue(without.open("/ipfs/bafyfile/vmlinuz").isEmpty(), "no node, no IPFS source");
    }
}

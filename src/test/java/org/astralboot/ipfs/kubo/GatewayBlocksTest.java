package org.astralboot.ipfs.kubo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.ipfs.verify.CarReader;
import org.astralboot.ipfs.verify.Cid;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.ipfs.verify.VerifiedFileReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GatewayBlocks} through {@link VerifiedFileReader}, against a fake trustless gateway that
 * answers {@code ?format=raw} with the blocks of Kubo 0.43.1's CARs (the cid-vectors): every
 * vector byte-exact on at most {@link GatewayBlocks#CONNECTIONS} kept-alive connections, and each
 * way a gateway can fail (an altered block, an error answer, an oversized block, no answer) refused
 * naming its CID, with only the file's own bytes released before the failure.
 */
class GatewayBlocksTest {
    private HttpServer server;
    private final ExecutorService serverThreads = Executors.newCachedThreadPool();
    private final ExecutorService fetchThreads = Executors.newCachedThreadPool();
    private final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Cid altered;
    private volatile Cid refused;
    private volatile Cid oversized;
    private volatile Cid stalled;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ipfs/", ex -> {
            try (ex) {
                requests.incrementAndGet();
                clientPorts.add(ex.getRemoteAddress().getPort());
                String path = ex.getRequestURI().getPath();
                Cid c = Cid.parse(path.substring(path.lastIndexOf('/') + 1));
                assertEquals("format=raw", ex.getRequestURI().getQuery());
                assertEquals("application/vnd.ipld.raw", ex.getRequestHeaders().getFirst("Accept"));
                if (c.equals(stalled)) {
                    release.await(10, TimeUnit.SECONDS);
                    return;
                }
                if (c.equals(refused)) {
                    byte[] m = "{\"Message\":\"block not found\",\"Code\":0,\"Type\":\"error\"}"
                            .getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(404, m.length);
                    ex.getResponseBody().write(m);
                    return;
                }
                byte[] b = c.equals(oversized) ? new byte[GatewayBlocks.MAX_BLOCK + 1] : blocks.get(c);
                if (b == null) {
                    ex.sendResponseHeaders(500, -1);
                    return;
                }
                if (c.equals(altered)) {
                    b = b.clone();
                    b[b.length / 2] ^= 1;
                }
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(serverThreads);
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
        fetchThreads.shutdownNow();
    }

    private record Vector(String name, Cid cid, long size, byte[] data) {
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = GatewayBlocksTest.class.getResourceAsStream("/cid-vectors/" + name)) {
            return in.readAllBytes();
        }
    }

    /** Loads vector {@code name}: its blocks become the gateway's. */
    private Vector load(String name) throws IOException {
        try (CarReader r = new CarReader(new ByteArrayInputStream(resource(name + ".car")))) {
            for (CarReader.Block b = r.next(); b != null; b = r.next()) {
                blocks.put(b.cid(), Arrays.copyOfRange(b.buf(), b.off(), b.off() + b.len()));
            }
        }
        for (String line : new String(resource("vectors.tsv"), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split("\t");
            if (f[0].equals(name)) {
                return new Vector(name, Cid.parse(f[1]), Long.parseLong(f[2]), resource(name + ".bin"));
            }
        }
        throw new IOException("no vector " + name);
    }

    private GatewayBlocks blocks(Cid root, Duration timeout) {
        return new GatewayBlocks(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), root,
                Duration.ofSeconds(2), timeout, timeout, new AtomicLong(), fetchThreads);
    }

    /** Reads the file; what was released before a failure is in {@code got}. */
    private static void read(VerifiedFileReader r, ByteArrayOutputStream got) throws IOException {
        byte[] buf = new byte[777];
        for (int n; (n = r.read(buf, 0, buf.length)) > 0; ) {
            got.write(buf, 0, n);
        }
    }

    @Test
    void everyVectorIsByteExactOnAFewKeptAliveConnections() throws IOException {
        String[] names = {"empty-v0", "one-byte-v0", "small-v0", "small-v1-raw", "two-chunks-v0", "two-chunks-v1-raw",
            "leaves-v1-noraw", "deep-v0", "deep-v1-raw", "trickle-v1-raw", "rabin-v1-raw", "zeros-v0", "zeros-v1-raw"};
        for (String name : names) {
            Vector v = load(name);
            clientPorts.clear();
            requests.set(0);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (GatewayBlocks g = blocks(v.cid(), Duration.ofSeconds(5));
                    VerifiedFileReader r = new VerifiedFileReader(v.cid(), v.size(), g)) {
                read(r, got);
                assertTrue(r.blocks() >= 1, name);
                assertEquals(r.blocks(), requests.get(), name + ": one request per block of the walk, repeats included");
            }
            assertArrayEquals(v.data(), got.toByteArray(), name);
            assertTrue(clientPorts.size() <= GatewayBlocks.CONNECTIONS, name + ": connections " + clientPorts);
        }
    }

    @Test
    void anAlteredBlockIsRefusedNamingItsCidAfterOnlyTheFilesOwnBytes() throws IOException {
        Vector v = load("deep-v1-raw");
        Cid leaf = blocks.keySet().stream().filter(c -> c.codec() == Cid.RAW).skip(50).findFirst().orElseThrow();
        altered = leaf;
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (GatewayBlocks g = blocks(v.cid(), Duration.ofSeconds(5));
                VerifiedFileReader r = new VerifiedFileReader(v.cid(), v.size(), g)) {
            VerificationException e = assertThrows(VerificationException.class, () -> read(r, got));
            assertEquals(VerificationException.Kind.ALTERED, e.kind());
            assertTrue(e.getMessage().contains(leaf.toString()), e.getMessage());
            assertThrows(VerificationException.class, () -> read(r, got), "every later read fails too");
        }
        assertTrue(got.size() < v.size());
        assertArrayEquals(Arrays.copyOf(v.data(), got.size()), got.toByteArray());
    }

    @Test
    void anAlteredInnerNodeIsRefusedBeforeAnyOfItsChildrenIsReleased() throws IOException {
        Vector v = load("deep-v0");
        altered = v.cid(); // the root: its forged links must not lead anywhere
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (GatewayBlocks g = blocks(v.cid(), Duration.ofSeconds(5));
                VerifiedFileReader r = new VerifiedFileReader(v.cid(), v.size(), g)) {
            VerificationException e = assertThrows(VerificationException.class, () -> read(r, got));
            assertEquals(VerificationException.Kind.ALTERED, e.kind());
            assertTrue(e.getMessage().contains(v.cid().toString()), e.getMessage());
        }
        assertEquals(0, got.size());
    }

    @Test
    void anErrorAnswerEndsTheFileWithTheGatewaysMessage() throws IOException {
        Vector v = load("deep-v1-raw");
        refused = blocks.keySet().stream().filter(c -> c.codec() == Cid.RAW).skip(10).findFirst().orElseThrow();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (GatewayBlocks g = blocks(v.cid(), Duration.ofSeconds(5));
                VerifiedFileReader r = new VerifiedFileReader(v.cid(), v.size(), g)) {
            KuboException e = assertThrows(KuboException.class, () -> read(r, got));
            assertEquals(404, e.status());
            assertFalse(e.unreachable(), "the gateway answered");
            assertTrue(e.getMessage().contains("block not found"), e.getMessage());
        }
        assertArrayEquals(Arrays.copyOf(v.data(), got.size()), got.toByteArray());
    }

    @Test
    void aBlockLargerThanTheLimitIsRefusedUnread() throws IOException {
        Vector v = load("two-chunks-v1-raw");
        oversized = blocks.keySet().stream().filter(c -> c.codec() == Cid.RAW).findFirst().orElseThrow();
        try (GatewayBlocks g = blocks(v.cid(), Duration.ofSeconds(5));
                VerifiedFileReader r = new VerifiedFileReader(v.cid(), v.size(), g)) {
            VerificationException e = assertThrows(VerificationException.class, () -> read(r, new ByteArrayOutputStream()));
            assertEquals(VerificationException.Kind.MALFORMED, e.kind());
            assertTrue(e.getMessage().contains(oversized.toString()) && e.getMessage().contains("larger"), e.getMessage());
        }
    }

    @Test
    void aGatewayThatDoesNotAnswerIsUnreachableWithinItsTimeout() throws IOException {
        Vector v = load("two-chunks-v0");
        stalled = blocks.keySet().stream().filter(c -> !c.equals(v.cid())).findFirst().orElseThrow();
        long t0 = System.nanoTime();
        try (GatewayBlocks g = blocks(v.cid(), Duration.ofMillis(400));
                VerifiedFileReader r = new VerifiedFileReader(v.cid(), v.size(), g)) {
            KuboException e = assertThrows(KuboException.class, () -> read(r, new ByteArrayOutputStream()));
            assertTrue(e.unreachable(), e.toString());
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 5000, "failed after " + ms + " ms, not after the gateway's 10 s");
    }

    @Test
    void closingFromAnotherThreadEndsAWaitingRead() throws Exception {
        Vector v = load("two-chunks-v0");
        stalled = blocks.keySet().stream().filter(c -> !c.equals(v.cid())).findFirst().orElseThrow();
        GatewayBlocks g = blocks(v.cid(), Duration.ofSeconds(30));
        VerifiedFileReader r = new VerifiedFileReader(v.cid(), v.size(), g);
        Map<String, Throwable> thrown = new HashMap<>();
        Thread reader = new Thread(() -> {
            try {
                read(r, new ByteArrayOutputStream());
            } catch (IOException e) {
                synchronized (thrown) {
                    thrown.put("e", e);
                }
            }
        });
        reader.start();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        g.close();
        reader.join(5000);
        assertFalse(reader.isAlive(), "the read ended");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 3000);
        synchronized (thrown) {
            assertInstanceOf(IOException.class, thrown.get("e"));
        }
    }
}

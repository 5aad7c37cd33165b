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
 * {@link GatewayBlocks} through {@link VerifiedFileReader}, against a fake gateway that answers
 * {@code ?format=raw} with the blocks of Kubo 0.43.1's CARs (the cid-vectors) and a file's CID
 * without a format with the file's plain bytes: every vector byte-exact with its inner nodes asked
 * as blocks on at most {@link GatewayBlocks#CONNECTIONS} kept-alive connections and every leaf
 * rebuilt from the plain answer (so Kubo's leaf encoding is the one predicted); a plain answer
 * altered, refused, cut short or stalled costs block requests, not the file; and each way a
 * block answer can fail (altered, an error answer, oversized, no answer) refused naming its CID,
 * with only the file's own bytes released before the failure.
 */
class GatewayBlocksTest {
    private HttpServer server;
    private final ExecutorService serverThreads = Executors.newCachedThreadPool();
    private final ExecutorService fetchThreads = Executors.newCachedThreadPool();
    private final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    /** Block requests for a leaf (a raw block or a dag-pb block without links). */
    private final AtomicInteger leafRequests = new AtomicInteger();
    /** Plain answers asked, by file (one asked at once for a one-block file may arrive after its read ended). */
    private final Map<Cid, AtomicInteger> plainRequests = new ConcurrentHashMap<>();
    /** Each vector's file bytes by root CID: the plain answers. */
    private final Map<Cid, byte[]> files = new ConcurrentHashMap<>();
    /** Plain answers: flip the middle byte of every occurrence of these bytes. */
    private volatile byte[] plainNeedle;
    private volatile boolean plainRefused;
    private volatile boolean plainCut;
    private volatile boolean plainStalled;
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
                String path = ex.getRequestURI().getPath();
                Cid c = Cid.parse(path.substring(path.lastIndexOf('/') + 1));
                if (ex.getRequestURI().getQuery() == null) {
                    plain(ex, c);
                    return;
                }
                requests.incrementAndGet();
                clientPorts.add(ex.getRemoteAddress().getPort());
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
                if (isLeaf(c, b)) {
                    leafRequests.incrementAndGet();
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

    /** The plain answer for a file's root, as the switches say. */
    private void plain(com.sun.net.httpserver.HttpExchange ex, Cid c) throws IOException, InterruptedException {
        plainRequests.computeIfAbsent(c, k -> new AtomicInteger()).incrementAndGet();
        byte[] d = files.get(c);
        if (plainRefused || d == null) {
            byte[] m = "deserialized responses not supported".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(406, m.length);
            ex.getResponseBody().write(m);
            return;
        }
        byte[] n = plainNeedle;
        if (n != null) {
            d = d.clone();
            // ISO-8859-1 maps each byte to one char: a byte search with String.indexOf.
            String hay = new String(d, StandardCharsets.ISO_8859_1);
            String needle = new String(n, StandardCharsets.ISO_8859_1);
            for (int i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + n.length)) {
                d[i + n.length / 2] ^= 1;
            }
        }
        ex.sendResponseHeaders(200, d.length);
        if (plainStalled) {
            ex.getResponseBody().flush();
            release.await(10, TimeUnit.SECONDS);
            return;
        }
        ex.getResponseBody().write(d, 0, plainCut ? d.length / 3 : d.length);
        ex.getResponseBody().flush(); // cut: what was written goes out before the connection closes
    }

    /** A block that links nothing: a raw block or a dag-pb node without links. */
    private static boolean isLeaf(Cid c, byte[] b) {
        try {
            return c.codec() == Cid.RAW || org.astralboot.ipfs.verify.DagPb.node(b, 0, b.length).links().isEmpty();
        } catch (IllegalArgumentException e) {
            return false; // not dag-pb (the oversized answer)
        }
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
                Vector v = new Vector(name, Cid.parse(f[1]), Long.parseLong(f[2]), resource(name + ".bin"));
                files.put(v.cid(), v.data());
                return v;
            }
        }
        throw new IOException("no vector " + name);
    }

    private GatewayBlocks blocks(Cid root, Duration timeout) {
        return blocks(root, -1, timeout);
    }

    /** With the file's size as the caller knows it: over {@link GatewayBlocks#MAX_BLOCK}, the plain answer is asked at once. */
    private GatewayBlocks blocks(Cid root, long size, Duration timeout) {
        return new GatewayBlocks(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), root, size,
                Duration.ofSeconds(2), timeout, timeout, new AtomicLong(), fetchThreads);
    }

    /** The whole file {@code v} through a new stream (the reader must not fail). */
    private byte[] readWhole(Vector v, long sizeHint, Duration timeout) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (GatewayBlocks g = blocks(v.cid(), sizeHint, timeout);
                VerifiedFileReader r = new VerifiedFileReader(v.cid(), v.size(), g)) {
            read(r, got);
        }
        return got.toByteArray();
    }

    /** Reads the file; what was released before a failure is in {@code got}. */
    private static void read(VerifiedFileReader r, ByteArrayOutputStream got) throws IOException {
        byte[] buf = new byte[777];
        for (int n; (n = r.read(buf, 0, buf.length)) > 0; ) {
            got.write(buf, 0, n);
        }
    }

    private static final String[] VECTORS = {"empty-v0", "one-byte-v0", "small-v0", "small-v1-raw", "two-chunks-v0",
        "two-chunks-v1-raw", "leaves-v1-noraw", "deep-v0", "deep-v1-raw", "trickle-v1-raw", "rabin-v1-raw", "zeros-v0",
        "zeros-v1-raw"};

    @Test
    void everyVectorIsByteExactWithItsLeavesRebuiltFromThePlainAnswer() throws IOException {
        everyVector(-1);
    }

    /** A size hint over one block's limit asks the plain answer at once, beside the root; a wrong hint costs nothing else. */
    @Test
    void everyVectorIsByteExactWithThePlainAnswerAskedAtOnce() throws IOException {
        everyVector(GatewayBlocks.MAX_BLOCK + 1);
    }

    private void everyVector(long sizeHint) throws IOException {
        for (String name : VECTORS) {
            Vector v = load(name);
            clientPorts.clear();
            requests.set(0);
            leafRequests.set(0);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            long walked;
            try (GatewayBlocks g = blocks(v.cid(), sizeHint, Duration.ofSeconds(5));
                    VerifiedFileReader r = new VerifiedFileReader(v.cid(), v.size(), g)) {
                read(r, got);
                walked = r.blocks();
            }
            assertArrayEquals(v.data(), got.toByteArray(), name);
            assertTrue(walked >= 1, name);
            int plains = plainRequests.getOrDefault(v.cid(), new AtomicInteger()).getAndSet(0);
            if (walked == 1) {
                assertEquals(1, requests.get(), name + ": a one-block file is its root, asked as a block");
                assertTrue(plains <= (sizeHint > 0 ? 1 : 0), name + ": no plain answer unless asked at once: " + plains);
            } else {
                assertEquals(1, plains, name + ": one plain answer");
                assertEquals(0, leafRequests.get(), name + ": every leaf rebuilt from the plain answer, none asked");
                assertTrue(requests.get() < walked, name + ": fewer block requests than blocks");
            }
            assertTrue(clientPorts.size() <= GatewayBlocks.CONNECTIONS, name + ": connections " + clientPorts);
        }
    }

    @Test
    void aPlainAnswerThatCannotBeUsedCostsBlockRequestsNotTheFile() throws IOException {
        Vector v = load("deep-v0");
        byte[] someLeafBytes = Arrays.copyOfRange(v.data(), v.data().length / 2, v.data().length / 2 + 64);
        Runnable[] faults = {
            () -> plainNeedle = someLeafBytes, // altered in the middle of the file
            () -> plainRefused = true, // a trustless-only gateway
            () -> plainCut = true, // ended early
        };
        for (Runnable fault : faults) {
            plainNeedle = null;
            plainRefused = false;
            plainCut = false;
            fault.run();
            leafRequests.set(0);
            assertArrayEquals(v.data(), readWhole(v, -1, Duration.ofSeconds(5)));
            assertTrue(leafRequests.get() > 0, "the leaves after the fault were asked as blocks");
        }
    }

    @Test
    void aStalledPlainAnswerIsLeftAfterTheIdleTimeout() throws IOException {
        Vector v = load("two-chunks-v1-raw");
        plainStalled = true;
        assertArrayEquals(v.data(), readWhole(v, -1, Duration.ofMillis(400)));
        assertTrue(leafRequests.get() > 0, "the leaves were asked as blocks");
    }

    @Test
    void anAlteredBlockIsRefusedNamingItsCidAfterOnlyTheFilesOwnBytes() throws IOException {
        // The leaf's plain bytes are altered, so its rebuilt block fails; asked by itself, it fails again.
        Vector v = load("deep-v1-raw");
        Cid leaf = blocks.keySet().stream().filter(c -> c.codec() == Cid.RAW).skip(50).findFirst().orElseThrow();
        altered = leaf;
        plainNeedle = blocks.get(leaf); // a raw leaf's block is its bytes: altered in the plain answer too
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
        refused = blocks.keySet().stream().filter(c -> c.codec() == Cid.DAG_PB && !c.equals(v.cid())).findFirst()
                .orElseThrow(); // an inner node: always asked as a block
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
        oversized = v.cid();
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
        stalled = v.cid();
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
        stalled = v.cid();
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

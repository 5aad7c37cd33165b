package org.astralboot.ipfs.kubo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.astralboot.ipfs.verify.CarReader;
import org.astralboot.ipfs.verify.VerificationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link VerifiedSource} over the RPC API: {@code dag/export --local-only} first, the full export
 * for what the node's own blocks do not cover. CARs are Kubo 0.43.1's (the cid-vectors), served
 * as given, with a block left out (what {@code --local-only} does with a block the node lacks)
 * or altered.
 */
class VerifiedSourceTest {
    /** two-chunks-v0: 6000 bytes in two leaves of 4096 and 1904 under one root (scripts/cid-vectors). */
    private static final String CID = "QmTXxJqTrBtZUGCkk5AWeR9chjXySxNgZdPnZqt8gcZR6N";
    private static final int SIZE = 6000;

    private HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile byte[] local;
    private volatile byte[] full;
    private volatile int localStatus = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String q = ex.getRequestURI().getRawQuery();
            seen.add(q);
            try {
                boolean lo = q.contains("local-only=true");
                if (lo && localStatus != 200) {
                    send(ex, localStatus, "{\"Message\":\"block was not found locally (offline)\",\"Code\":0,\"Type\":\"error\"}"
                            .getBytes());
                } else {
                    send(ex, 200, lo ? local : full);
                }
            } finally {
                ex.close();
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        threads.shutdownNow();
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, 0); // chunked, as the node streams
        ex.getResponseBody().write(body);
    }

    private VerifiedSource source() {
        return VerifiedSource.of(new KuboClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)), null);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = VerifiedSourceTest.class.getResourceAsStream("/cid-vectors/" + name)) {
            return in.readAllBytes();
        }
    }

    /** The CAR's header and its sections, as they are on the wire. */
    private static List<byte[]> pieces(byte[] car) throws IOException {
        List<byte[]> out = new ArrayList<>();
        int n = 0;
        int shift = 0;
        int i = 0;
        while (true) {
            int b = car[i++] & 0xFF;
            n |= (b & 0x7F) << shift;
            shift += 7;
            if (b < 0x80) {
                break;
            }
        }
        out.add(java.util.Arrays.copyOfRange(car, 0, i + n));
        try (CarReader r = new CarReader(new ByteArrayInputStream(car))) {
            for (CarReader.Block b = r.next(); b != null; b = r.next()) {
                ByteArrayOutputStream s = new ByteArrayOutputStream();
                org.astralboot.ipfs.verify.Varint.write(b.off() + b.len(), s);
                s.write(b.buf(), 0, b.off() + b.len());
                out.add(s.toByteArray());
            }
        }
        return out;
    }

    private static byte[] join(List<byte[]> pieces) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        pieces.forEach(o::writeBytes);
        return o.toByteArray();
    }

    private static byte[] readAll(VerifiedSource s) throws IOException {
        try (ChannelStream in = s.open(CID, SIZE, 0, SIZE)) {
            return in.readAllBytes();
        }
    }

    @Test
    void theNodesOwnBlocksAloneWhenTheyAreWhole() throws IOException {
        full = resource("two-chunks-v0.car");
        local = full;
        VerifiedSource s = source();
        assertArrayEquals(resource("two-chunks-v0.bin"), readAll(s));
        assertEquals(1, s.requests());
        assertTrue(seen.get(0).contains("local-only=true"), seen.toString());
    }

    @Test
    void aBlockTheNodeLacksIsTakenFromTheFullExport() throws IOException {
        full = resource("two-chunks-v0.car");
        List<byte[]> p = pieces(full);
        assertEquals(4, p.size(), "header, root, two leaves");
        p.remove(3); // the second leaf: not in the node's blockstore
        local = join(p);
        VerifiedSource s = source();
        assertArrayEquals(resource("two-chunks-v0.bin"), readAll(s));
        assertEquals(2, s.requests());
        assertFalse(seen.get(1).contains("local-only"), seen.toString());
    }

    @Test
    void aRootTheNodeLacksIsTakenFromTheFullExport() throws IOException {
        full = resource("two-chunks-v0.car");
        localStatus = 500;
        VerifiedSource s = source();
        assertArrayEquals(resource("two-chunks-v0.bin"), readAll(s));
        assertEquals(2, s.requests());
    }

    /**
     * A block that arrived and does not hash to its CID stops the download at once: the node is
     * not asked again (its full export would send the same forged block, at twice the transfer),
     * even when, as here, the full export would have been honest.
     */
    @Test
    void alteredContentFailsAtOnceNamingTheBlockWithoutAskingAgain() throws IOException {
        full = resource("two-chunks-v0.car");
        List<byte[]> p = pieces(full);
        byte[] leaf = p.get(2);
        leaf[leaf.length - 1] ^= 1;
        local = join(p);
        VerifiedSource s = source();
        VerificationException e = assertThrows(VerificationException.class, () -> readAll(s));
        assertTrue(e.getMessage().contains("does not hash to its CID"), e.getMessage());
        assertEquals(VerificationException.Kind.ALTERED, e.kind());
        assertEquals(pieces(full).size(), p.size());
        assertEquals(1, s.requests(), "only the local-only export: " + seen);
    }

    /** A stream cut inside a block shows no block missing: not retried either. */
    @Test
    void aStreamCutInsideABlockIsNotTakenForAMissingBlock() throws IOException {
        full = resource("two-chunks-v0.car");
        List<byte[]> p = pieces(full);
        byte[] leaf = p.get(3);
        p.set(3, java.util.Arrays.copyOf(leaf, leaf.length / 2));
        local = join(p);
        VerifiedSource s = source();
        VerificationException e = assertThrows(VerificationException.class, () -> readAll(s));
        assertEquals(VerificationException.Kind.TRUNCATED, e.kind(), e.getMessage());
        assertEquals(1, s.requests(), seen.toString());
    }

    /** A block missing locally is taken from the full export; if that one alters it, that is the failure thrown. */
    @Test
    void aMissingBlockAlteredInTheFullExportFailsNamingIt() throws IOException {
        List<byte[]> p = pieces(resource("two-chunks-v0.car"));
        List<byte[]> lo = new ArrayList<>(p);
        lo.remove(3);
        local = join(lo);
        byte[] leaf = p.get(3);
        leaf[leaf.length - 1] ^= 1;
        full = join(p);
        VerifiedSource s = source();
        VerificationException e = assertThrows(VerificationException.class, () -> readAll(s));
        assertEquals(VerificationException.Kind.ALTERED, e.kind(), e.getMessage());
        assertEquals(2, s.requests(), seen.toString());
    }

    @Test
    void aCidThatDoesNotParseIsUnverifiable() {
        VerificationException e = assertThrows(VerificationException.class, () -> source().open("Mnotacid", 1, 0, 1));
        assertEquals(VerificationException.Kind.UNVERIFIABLE, e.kind());
    }
}

package org.astralboot.ipfs.kubo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against answers as the node sends them (bodies copied from Kubo 0.43.1 and js-ipfs
 * 0.66 sessions), served by a loopback HTTP server: error mapping, short and stalled streams, unsafe tar
 * entries. The real node is exercised by the *IT tests.
 */
class KuboClientTest {
    private HttpServer server;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile Handler handler;

    interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI());
            try {
                handler.handle(ex);
            } catch (IOException e) {
                // the client went away: fine for these tests
            } finally {
                ex.close();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private KuboClient client() {
        return new KuboClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofMillis(600));
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Test
    void callsArePostsWithEncodedArguments() throws IOException {
        handler = ex -> reply(ex, 200, "{\"Version\":\"0.18.1\",\"Commit\":\"\",\"Repo\":\"12\",\"ipfs-core\":\"0.18.1\"}");
        assertEquals("0.18.1", client().version().version());
        handler = ex -> reply(ex, 200, "{\"Objects\":[{\"Hash\":\"QmA\",\"Links\":[{\"Hash\":\"QmB\",\"Size\":6,\"Type\":2,"
                + "\"Name\":\"b file\",\"Mode\":\"0644\"},{\"Hash\":\"QmC\",\"Size\":0,\"Type\":1,\"Name\":\"a\"}]}]}");
        KuboClient.Listing l = client().ls("/ipfs/QmA/x y");
        assertFalse(l.file());
        assertEquals(List.of("a", "b file"), l.links().stream().map(KuboClient.Link::name).toList());
        assertTrue(l.links().get(0).directory());
        assertEquals(6, l.links().get(1).size());
        assertEquals("POST /api/v0/version", seen.get(0));
        assertTrue(seen.get(1).startsWith("POST /api/v0/ls?arg=%2Fipfs%2FQmA%2Fx+y&"), seen.get(1));
    }

    @Test
    void lsOfAFileSaysSo() throws IOException {
        handler = ex -> reply(ex, 200, "{\"Objects\":[{\"Hash\":\"QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN\","
                + "\"Size\":6,\"Type\":2,\"Depth\":1,\"Mode\":\"0644\",\"Links\":[]}]}");
        assertTrue(client().ls("QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN").file());
    }

    /** Kubo 0.43.1's answer for a file of two 256 KiB chunks: no object type, chunks as unnamed links. */
    @Test
    void kuboLsOfAMultiBlockFileSaysFile() throws IOException {
        handler = ex -> reply(ex, 200, "{\"Objects\":[{\"Hash\":\"QmeCM7mHxG981qNK5Rx2eALWuiXSaPAg7dqWqYCey49M5q/big.bin\","
                + "\"Links\":[{\"Name\":\"\",\"Hash\":\"Qmcan7J7kTViT1DkVxLCV4aMJuRXYsuaWHpjpEL2tFjmGQ\",\"Size\":262144,"
                + "\"Type\":2,\"Target\":\"\",\"Mode\":0,\"ModTime\":\"0001-01-01T00:00:00Z\"},{\"Name\":\"\","
                + "\"Hash\":\"QmT6nntUFZNcJymd58RaAVFRLfK4kEYGh2xNhmec98RqU5\",\"Size\":37856,\"Type\":2,\"Target\":\"\","
                + "\"Mode\":0,\"ModTime\":\"0001-01-01T00:00:00Z\"}]}]}\n");
        KuboClient.Listing l = client().ls("QmeCM7mHxG981qNK5Rx2eALWuiXSaPAg7dqWqYCey49M5q/big.bin");
        assertTrue(l.file());
        assertEquals(List.of(), l.links(), "the chunks are not directory entries");
        assertEquals(1, seen.size(), "no stat needed: " + seen);
    }

    /** Kubo 0.43.1 lists a single-block file like an empty directory; the client asks files/stat. */
    @Test
    void kuboLsWithoutLinksAsksStat() throws IOException {
        String type = "file";
        for (String t : new String[] {"file", "directory"}) {
            handler = ex -> {
                if (ex.getRequestURI().getPath().endsWith("/ls")) {
                    reply(ex, 200, "{\"Objects\":[{\"Hash\":\"QmeCM7mHxG981qNK5Rx2eALWuiXSaPAg7dqWqYCey49M5q/d/f.txt\","
                            + "\"Links\":[]}]}\n");
                } else {
                    reply(ex, 200, "{\"Hash\":\"QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN\",\"Size\":6,"
                            + "\"CumulativeSize\":14,\"Blocks\":0,\"Type\":\"" + t + "\"}\n");
                }
            };
            seen.clear();
            KuboClient.Listing l = client().ls("QmeCM7mHxG981qNK5Rx2eALWuiXSaPAg7dqWqYCey49M5q/d/f.txt");
            assertEquals(t.equals(type), l.file(), t);
            assertTrue(l.links().isEmpty());
            assertEquals(2, seen.size(), seen.toString());
            assertTrue(seen.get(1).startsWith("POST /api/v0/files/stat?arg=%2Fipfs%2FQmeCM7"), seen.get(1));
        }
    }

    @Test
    void commandErrorsNameTheEndpointAndCarryTheCode() {
        handler = ex -> reply(ex, 500, "{\"Message\":\"request timed out\",\"Code\":0,\"Type\":\"error\"}");
        KuboException e = assertThrows(KuboException.class, () -> client().ls("QmMissing"));
        assertEquals("ls", e.endpoint());
        assertEquals(0, e.code());
        assertEquals(500, e.status());
        assertFalse(e.unreachable());
        assertEquals("ipfs ls: request timed out (HTTP 500)", e.getMessage());
        handler = ex -> reply(ex, 404, "404 page not found");
        e = assertThrows(KuboException.class, () -> client().pinAdd("QmX"));
        assertEquals("ipfs pin/add: 404 page not found (HTTP 404)", e.getMessage());
    }

    @Test
    void inlineRefsErrorFailsTheCall() {
        handler = ex -> reply(ex, 200, "{\"Ref\":\"QmA\"}\n{\"Ref\":\"\",\"Err\":\"Want for QmB aborted\"}\n");
        List<String> got = new ArrayList<>();
        KuboException e = assertThrows(KuboException.class, () -> client().refs("QmA", got::add));
        assertEquals(List.of("QmA"), got);
        assertEquals("ipfs refs: Want for QmB aborted", e.getMessage());
    }

    @Test
    void catYieldsExactlyTheLengthAndRejectsShortBodies() throws IOException {
        handler = ex -> {
            ex.sendResponseHeaders(200, 0); // chunked, as the node streams
            ex.getResponseBody().write("hello wor".getBytes(StandardCharsets.US_ASCII));
        };
        try (InputStream in = client().cat("QmA", 0, 9)) {
            assertArrayEquals("hello wor".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
        }
        // The node failed mid-stream: its X-Stream-Error trailer is lost, the count is not.
        KuboException e = assertThrows(KuboException.class, () -> {
            try (InputStream in = client().cat("QmA", 0, 11)) {
                in.readAllBytes();
            }
        });
        assertTrue(e.unreachable());
        assertTrue(e.getMessage().contains("2 bytes early"), e.getMessage());
        e = assertThrows(KuboException.class, () -> {
            try (InputStream in = client().cat("QmA", 0, 5)) {
                in.readAllBytes();
            }
        });
        assertTrue(e.getMessage().contains("more bytes than the DAG announced"), e.getMessage());
        assertTrue(seen.get(0).contains("length=9"), seen.get(0));
    }

    @Test
    void aStalledBodyIsAbandonedByTheWatchdog() {
        handler = ex -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream o = ex.getResponseBody();
            o.write(new byte[100]);
            o.flush();
            try {
                Thread.sleep(5000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        };
        long t0 = System.nanoTime();
        KuboException e = assertThrows(KuboException.class, () -> {
            try (InputStream in = client().cat("QmA", 0, 1000)) {
                in.readAllBytes();
            }
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.unreachable());
        assertTrue(ms < 3000, "abandoned after " + ms + " ms");
    }

    @Test
    void noHeadWithinTheTimeoutAndRefusedConnectionsAreUnreachable() throws IOException {
        handler = ex -> {
            try {
                Thread.sleep(4000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        };
        KuboException e = assertThrows(KuboException.class, () -> client().version());
        assertTrue(e.unreachable());
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        KuboClient dead = new KuboClient(URI.create("http://127.0.0.1:" + port));
        e = assertThrows(KuboException.class, dead::id);
        assertTrue(e.unreachable());
        assertTrue(e.getMessage().startsWith("ipfs id: cannot connect"), e.getMessage());
    }

    @Test
    void getRefusesEntriesThatEscapeTheTarget() throws IOException {
        handler = ex -> {
            ex.sendResponseHeaders(200, 0);
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(ex.getResponseBody())) {
                TarArchiveEntry d = new TarArchiveEntry("QmA/");
                tar.putArchiveEntry(d);
                tar.closeArchiveEntry();
                TarArchiveEntry f = new TarArchiveEntry("QmA/../../escape");
                f.setSize(3);
                tar.putArchiveEntry(f);
                tar.write("bad".getBytes(StandardCharsets.US_ASCII));
                tar.closeArchiveEntry();
            }
        };
        Path target = dir.resolve("t");
        KuboException e = assertThrows(KuboException.class, () -> client().get("QmA", target));
        assertTrue(e.getMessage().contains("escapes the target"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("escape")));
        assertFalse(Files.exists(dir.getParent().resolve("escape")));
    }

    @Test
    void addSendsDirectoriesBeforeTheirFiles() throws IOException {
        Files.createDirectories(dir.resolve("tree/boot/debian"));
        Files.writeString(dir.resolve("tree/boot/debian/os.toml"), "x");
        List<String> parts = new CopyOnWriteArrayList<>();
        handler = ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            for (String line : body.split("\r\n")) {
                if (line.startsWith("Content-Disposition")) {
                    parts.add(line.replaceAll(".*filename=\"([^\"]*)\".*", "$1"));
                }
            }
            reply(ex, 200, "{\"Name\":\"tree/boot/debian/os.toml\",\"Hash\":\"QmF\",\"Size\":\"9\"}\n"
                    + "{\"Name\":\"tree\",\"Hash\":\"QmT\",\"Size\":\"99\"}\n");
        };
        List<KuboClient.Added> a = client().add(dir.resolve("tree"), KuboClient.AddOptions.DEFAULT);
        assertEquals("QmT", a.get(a.size() - 1).hash());
        assertEquals(List.of("tree", "tree%2Fboot", "tree%2Fboot%2Fdebian", "tree%2Fboot%2Fdebian%2Fos.toml"), parts);
        assertTrue(seen.get(0).contains("cid-version=0") && seen.get(0).contains("pin=true"), seen.get(0));
    }

    @Test
    void catReadsTheStreamErrorTrailerTheJdkClientWouldDrop() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (java.net.Socket c = ss.accept()) {
                    InputStream in = c.getInputStream();
                    byte[] head = new byte[4096];
                    int n = 0;
                    while (n < 4 || !new String(head, 0, n, StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                        n += in.read(head, n, 1);
                    }
                    // As Kubo sends it: a 200 head announcing the trailer, some data, then the error.
                    c.getOutputStream().write(("HTTP/1.1 200 OK\r\nTrailer: X-Stream-Error\r\n"
                            + "Transfer-Encoding: chunked\r\nX-Stream-Output: 1\r\n\r\n"
                            + "5\r\nhello\r\n0\r\nX-Stream-Error: context deadline exceeded\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    c.getOutputStream().flush();
                    Thread.sleep(200);
                } catch (IOException | InterruptedException ignored) {
                    // test over
                }
            });
            t.start();
            KuboClient c = new KuboClient(URI.create("http://127.0.0.1:" + ss.getLocalPort()), Duration.ofSeconds(2),
                    Duration.ofSeconds(2), Duration.ofSeconds(2));
            byte[] got = new byte[5];
            KuboException e = assertThrows(KuboException.class, () -> {
                try (InputStream in = c.cat("QmA", 0, 5)) {
                    assertEquals(5, in.readNBytes(got, 0, 5));
                    in.read();
                }
            });
            assertEquals("ipfs cat: failed while streaming: context deadline exceeded", e.getMessage());
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), got);
            t.join();
        }
    }

    /**
     * Serves {@code response} to one connection after reading the request head, written
     * {@code piece} bytes at a time so that the head, the chunk-size lines and the trailer are
     * split across the client's reads; then keeps the connection open for {@code holdMillis}.
     */
    private static Thread rawServer(ServerSocket ss, byte[] response, int piece, long holdMillis) {
        Thread t = new Thread(() -> {
            try (java.net.Socket c = ss.accept()) {
                c.setTcpNoDelay(true);
                InputStream in = c.getInputStream();
                byte[] head = new byte[4096];
                int n = 0;
                while (n < 4 || !new String(head, 0, n, StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                    n += in.read(head, n, 1);
                }
                OutputStream out = c.getOutputStream();
                for (int off = 0; off < response.length; off += piece) {
                    out.write(response, off, Math.min(piece, response.length - off));
                    out.flush();
                }
                Thread.sleep(holdMillis);
            } catch (IOException | InterruptedException ignored) {
                // test over
            }
        });
        t.start();
        return t;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static KuboClient rawClient(ServerSocket ss) {
        return new KuboClient(URI.create("http://127.0.0.1:" + ss.getLocalPort()), Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    /** Reads a whole cat through the channel side, into a small direct buffer. */
    private static byte[] drain(CatStream in) throws IOException {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1000);
        while (in.read(buf.clear()) >= 0) {
            buf.flip();
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            got.write(b, 0, b.length);
        }
        return got.toByteArray();
    }

    @Test
    void catReadsChunkedBodiesIntoDirectBuffersWhateverTheSplits() throws Exception {
        byte[] data = new byte[70_003];
        new java.util.Random(7).nextBytes(data);
        java.io.ByteArrayOutputStream resp = new java.io.ByteArrayOutputStream();
        resp.write(ascii("HTTP/1.1 200 OK\r\nTrailer: X-Stream-Error\r\nTransfer-Encoding: chunked\r\n\r\n"));
        int[] sizes = {1, 7, 2995, 65536, 1464};
        int off = 0;
        for (int size : sizes) {
            resp.write(ascii(Integer.toHexString(size) + (size == 7 ? ";ext=1" : "") + "\r\n"));
            resp.write(data, off, size);
            resp.write(ascii("\r\n"));
            off += size;
        }
        resp.write(ascii("0\r\nX-Stream-Error: \r\n\r\n"));
        for (int piece : new int[] {3, 1000, 1 << 20}) {
            assertArrayEquals(data, catOnce(resp.toByteArray(), piece, data.length), "written " + piece + " bytes at a time");
        }
    }

    /**
     * Kubo 0.43.1 streams {@code cat} in 4096-byte chunks (a 512-byte tail for 8,000,000 bytes) and
     * reports a failure after the head in the {@code X-Stream-Error} trailer: both framings, with
     * the small chunks going through the look-ahead buffer, whatever the TCP splits.
     */
    @Test
    void catOfKubosFourKibChunksAndItsStreamErrorTrailer() throws Exception {
        byte[] data = new byte[300 * 4096 + 512];
        new java.util.Random(11).nextBytes(data);
        for (boolean fail : new boolean[] {false, true}) {
            java.io.ByteArrayOutputStream resp = new java.io.ByteArrayOutputStream();
            resp.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: kubo/0.43.1\r\n"
                    + "Trailer: X-Stream-Error\r\nX-Content-Length: " + data.length + "\r\nX-Stream-Output: 1\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"));
            int end = fail ? 100 * 4096 : data.length;
            for (int off = 0; off < end; off += 4096) {
                int size = Math.min(4096, end - off);
                resp.write(ascii(Integer.toHexString(size) + "\r\n"));
                resp.write(data, off, size);
                resp.write(ascii("\r\n"));
            }
            resp.write(ascii(fail ? "0\r\nX-Stream-Error: context canceled\r\n\r\n" : "0\r\n\r\n"));
            for (int piece : new int[] {1000, 4101, 1 << 20}) {
                if (fail) {
                    KuboException e = assertThrows(KuboException.class,
                            () -> catOnce(resp.toByteArray(), piece, data.length));
                    assertFalse(e.unreachable(), e.getMessage());
                    assertEquals("ipfs cat: failed while streaming: context canceled", e.getMessage());
                } else {
                    assertArrayEquals(data, catOnce(resp.toByteArray(), piece, data.length), "pieces of " + piece);
                }
            }
        }
    }

    /**
     * One {@code cat} of {@code length} bytes from a server answering {@code response},
     * {@code piece} bytes per write, read through the channel side.
     */
    private static byte[] catOnce(byte[] response, int piece, long length) throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = rawServer(ss, response, piece, 0);
            try (CatStream in = rawClient(ss).cat("QmA", 0, length)) {
                return drain(in);
            } finally {
                t.join();
            }
        }
    }

    @Test
    void catOfALengthDelimitedBodyAndOneCutShort() throws Exception {
        assertArrayEquals(ascii("0123456789"),
                catOnce(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"), 4, 10));
        KuboException e = assertThrows(KuboException.class,
                () -> catOnce(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123"), 100, 10));
        assertTrue(e.unreachable(), e.getMessage());
        assertTrue(e.getMessage().contains("6 bytes early"), e.getMessage());
        e = assertThrows(KuboException.class,
                () -> catOnce(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 100, 10));
        assertFalse(e.unreachable(), e.getMessage());
        assertTrue(e.getMessage().contains("bad chunk size 'zz'"), e.getMessage());
    }

    @Test
    void closingACatFromAnotherThreadEndsABlockedRead() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = rawServer(ss, ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01"), 100, 3000);
            KuboClient c = new KuboClient(URI.create("http://127.0.0.1:" + ss.getLocalPort()), Duration.ofSeconds(2),
                    Duration.ofSeconds(2), Duration.ofSeconds(30));
            CatStream in = c.cat("QmA", 0, 10);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(100);
            assertEquals(2, in.read(buf));
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                in.close();
            });
            closer.start();
            long t0 = System.nanoTime();
            KuboException e = assertThrows(KuboException.class, () -> in.read(buf));
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000, "the read waited for the idle limit");
            assertTrue(e.unreachable(), e.getMessage());
            closer.join();
            t.interrupt();
            t.join();
        }
    }
}

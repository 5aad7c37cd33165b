package org.astralboot.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.verify.CarReader;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.TreePath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every byte served from IPFS is verified against its CID, shown with a real Kubo and a tampering
 * HTTP proxy between Astralboot and the node: through the RPC API ({@code dag/export}) and through
 * the trustless gateway ({@code ipfs_gateway}), one flipped byte in one block of a file stops its
 * download with an error naming that block's CID, nothing of it is cached, and what a reader got
 * before the error is a prefix of the real file; untampered, the bytes are exact. The same for
 * listings: one flipped byte in a directory's block makes the listing (and every path through it)
 * fail naming the directory's CID, and nothing is served or cached for it.
 *
 * <p>The node is the project's Kubo ({@link IpfsNode}: {@code scripts/ipfs-node}, own repo, API and
 * gateway on free loopback ports).
 */
class VerifiedFetchIT {

    @TempDir
    static Path tmp;
    static IpfsNode node;
    static URI api;
    static URI gateway;
    static String treeCid;
    static byte[] big;
    static byte[] zeros;
    static String bigCid;
    /** A leaf of {@code big} in the middle of the file, and its block bytes. */
    static String leafCid;
    static byte[] leafBlock;
    /** The directory boot/x/images, and its block bytes. */
    static String imagesCid;
    static byte[] imagesBlock;

    @BeforeAll
    static void start() throws Exception {
        node = IpfsNode.start(tmp.resolve("repo"));
        api = node.api();
        gateway = node.gateway();
        KuboClient c = new KuboClient(api, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
        Path tree = tmp.resolve("tree");
        TestTrees.file(tree.resolve("boot/x/images/big"), 3_000_000, 21);
        Files.createDirectories(tree.resolve("boot/x/images"));
        Files.write(tree.resolve("boot/x/images/zeros"), new byte[1_500_000]); // repeated leaves
        big = Files.readAllBytes(tree.resolve("boot/x/images/big"));
        zeros = new byte[1_500_000];
        List<KuboClient.Added> a = c.add(tree, new KuboClient.AddOptions(1, true, "size-262144", true, false));
        treeCid = a.get(a.size() - 1).hash();
        bigCid = c.stat("/ipfs/" + treeCid + "/boot/x/images/big").hash();
        List<String> leaves = new ArrayList<>();
        c.refs("/ipfs/" + bigCid, leaves::add);
        assertTrue(leaves.size() >= 10, "a DAG of several leaves: " + leaves);
        leafCid = leaves.get(leaves.size() / 2);
        leafBlock = post(api, "/api/v0/block/get?arg=" + leafCid);
        assertEquals(262_144, leafBlock.length, "a raw 256 KiB leaf");
        imagesCid = c.stat("/ipfs/" + treeCid + "/boot/x/images").hash();
        imagesBlock = post(api, "/api/v0/block/get?arg=" + imagesCid);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static byte[] post(URI base, String pathAndQuery) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return r.body();
    }

    /**
     * An HTTP proxy in front of the node's API or gateway that, when armed, flips one byte in the
     * middle of every occurrence of a given block's data in the responses (bodies are buffered:
     * the test files are small).
     */
    static final class TamperProxy implements AutoCloseable {
        private final HttpServer server;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        volatile byte[] needle;
        /** Alter only answers to requests without a query: a gateway's plain (deserialized) file answers. */
        volatile boolean plainOnly;
        final AtomicInteger tampered = new AtomicInteger();
        final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

        TamperProxy(URI upstream) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.createContext("/", ex -> {
                try (ex) {
                    URI u = upstream.resolve(ex.getRequestURI().getRawPath()
                            + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
                    requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
                    HttpRequest.Builder b = HttpRequest.newBuilder(u).method(ex.getRequestMethod(),
                            HttpRequest.BodyPublishers.ofByteArray(ex.getRequestBody().readAllBytes()));
                    String accept = ex.getRequestHeaders().getFirst("Accept");
                    if (accept != null) {
                        b.header("Accept", accept);
                    }
                    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                    byte[] body = r.body();
                    byte[] n = needle;
                    if (n != null && !(plainOnly && ex.getRequestURI().getRawQuery() != null)) {
                        for (int i = indexOf(body, n, 0); i >= 0; i = indexOf(body, n, i + n.length)) {
                            body[i + n.length / 2] ^= 0x01;
                            tampered.incrementAndGet();
                        }
                    }
                    r.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
                    ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(body);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    // client went away
                }
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private static int indexOf(byte[] h, byte[] n, int from) {
            outer:
            for (int i = from; i <= h.length - n.length; i++) {
                for (int j = 0; j < n.length; j++) {
                    if (h[i + j] != n[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static TreePath tp(String s) throws Exception {
        return TreePath.parse(s);
    }

    /** A store reading listings and content through {@code proxy} (API or gateway); names, versions from the node directly. */
    private static Config config(String name, URI apiUri, URI gatewayUri) throws IOException {
        Path b = Files.createDirectories(tmp.resolve(name));
        Files.writeString(b.resolve("refs.toml"), "boot = \"" + treeCid + "\"\n");
        Config c = TestTrees.config(b, apiUri, 1L << 30);
        return new Config(c.source(), c.iface(), c.address(), c.subnet(), c.domain(), c.data(), c.database(), c.cache(),
                c.cacheMaxBytes(), true, c.ipfsApi(), gatewayUri, c.refs(), c.http(), c.tftp(), c.dhcp(), c.menu());
    }

    private static KuboClient client(URI u) {
        return new KuboClient(u, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    /** Reads all it can; the bytes got before a failure are returned through {@code got}. */
    private static IOException readFailing(BootFile f, long off, long len, ByteArrayOutputStream got) {
        return assertThrows(IOException.class, () -> {
            try (InputStream in = f.open(off, len)) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                }
            }
        });
    }

    private static byte[] read(BootFile f, long off, long len) throws IOException {
        try (InputStream in = f.open(off, len)) {
            return in.readAllBytes();
        }
    }

    private void tamperedFileIsRefused(String name, boolean viaGateway) throws Exception {
        try (TamperProxy proxy = new TamperProxy(viaGateway ? gateway : api)) {
            Config cfg = viaGateway ? config(name, api, proxy.uri()) : config(name, proxy.uri(), null);
            try (Database db = Database.open(cfg.database());
                    IpfsBootStore s = IpfsBootStore.open(cfg, db, client(cfg.ipfsApi()))) {
                BootFile f = s.file(tp("boot/x/images/big")).orElseThrow();
                proxy.needle = Arrays.copyOfRange(leafBlock, 1000, 1064);
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                IOException e = readFailing(f, 0, f.size(), got);
                // One pass either way: the altered block arrived and did not verify, which says nothing
                // about what the node holds, so through the RPC API the full dag/export is not asked
                // after --local-only (VerifiedSource.LocalFirst retries for a MISSING block only).
                // Through the gateway the leaf's bytes come first in the file's plain answer (altered there), then,
                // since its rebuilt block did not verify, as the block asked by itself (altered again).
                assertEquals(viaGateway ? 2 : 1, proxy.tampered.get(), "the block's bytes were fetched and altered "
                        + (viaGateway ? "in the plain answer and as a block: " : "once: ") + proxy.requests);
                if (!viaGateway) {
                    assertEquals(1, exports(proxy, bigCid).size(), "one dag/export: " + proxy.requests);
                }
                BootStoreException be = assertInstance(e);
                assertEquals(BootStoreException.Kind.CORRUPT, be.kind(), e.toString());
                assertTrue(e.getMessage().contains(leafCid), "the error names the altered block: " + e.getMessage());
                assertTrue(got.size() < big.length, "not the whole file");
                assertArrayEquals(Arrays.copyOf(big, got.size()), got.toByteArray(), "only the file's own bytes were released");
                assertTrue(f.localPath().isEmpty(), "nothing cached");
                assertTrue(Files.notExists(cfg.cache().resolve(bigCid)), "no cache file");
                try (var tmpFiles = Files.list(cfg.cache().resolve("tmp"))) {
                    assertEquals(0, tmpFiles.count(), "the partial download was removed");
                }
                // A second reader while the source still lies: refused again, not served from anywhere.
                readFailing(f, 0, f.size(), new ByteArrayOutputStream());
                // A range inside the altered leaf (straight from the source, not cached): refused too.
                long leafIndex = indexOfLeaf();
                readFailing(f, leafIndex * 262_144 + 10, 5000, new ByteArrayOutputStream());

                proxy.needle = null; // the source is honest again: the same file is fetched and served exact
                assertArrayEquals(big, read(f, 0, f.size()));
                assertTrue(f.localPath().isPresent(), "cached once it verified");
                assertArrayEquals(big, Files.readAllBytes(f.localPath().orElseThrow()));
            }
        }
    }

    private static BootStoreException assertInstance(IOException e) {
        assertTrue(e instanceof BootStoreException, e.toString());
        return (BootStoreException) e;
    }

    private static long indexOfLeaf() {
        byte[] d = leafBlock;
        for (int i = 0; i + d.length <= big.length; i += 262_144) {
            if (Arrays.equals(big, i, i + d.length, d, 0, d.length)) {
                return i / 262_144;
            }
        }
        throw new AssertionError("leaf not in the file");
    }

    /** The requests for {@code dag/export} of {@code cid} that went through {@code proxy}. */
    private static List<String> exports(TamperProxy proxy, String cid) {
        return proxy.requests.stream().filter(q -> q.contains("/dag/export?arg=" + cid)).toList();
    }

    /**
     * A node that lacks some of a file's blocks (here: leaves removed from its blockstore, as after
     * a partial transfer or a GC) while a peer it is connected to holds them: its {@code dag/export
     * --local-only} leaves those blocks out, the verifier finds them MISSING, and the rest of the
     * file comes from the node's full export, which fetches them from the peer over Bitswap. The
     * file is served and cached byte-exact after exactly two exports.
     */
    @Test
    void aNodeMissingBlocksServesTheFileByteExactThroughTheFullExport() throws Exception {
        try (IpfsNode partial = IpfsNode.start(tmp.resolve("repo-partial"))) {
            KuboClient pc = client(partial.api());
            // The same tree (same options, same CIDs), unpinned so that blocks can be removed.
            List<KuboClient.Added> a = pc.add(tmp.resolve("tree"),
                    new KuboClient.AddOptions(1, true, "size-262144", false, false));
            assertEquals(treeCid, a.get(a.size() - 1).hash());
            List<String> leaves = new ArrayList<>();
            client(api).refs("/ipfs/" + bigCid, leaves::add);
            List<String> removed = List.of(leaves.get(2), leaves.get(leaves.size() / 2 + 1),
                    leaves.get(leaves.size() - 1));
            for (String r : removed) {
                post(partial.api(), "/api/v0/block/rm?arg=" + r);
            }
            // Precondition, as Kubo itself shows it: its local-only export leaves those blocks out.
            java.util.Set<String> local = new java.util.HashSet<>();
            try (CarReader car = new CarReader(new ByteArrayInputStream(post(partial.api(),
                    "/api/v0/dag/export?arg=" + bigCid + "&local-only=true")))) {
                for (CarReader.Block b = car.next(); b != null; b = car.next()) {
                    local.add(b.cid().toString());
                }
            }
            for (String r : removed) {
                assertFalse(local.contains(r), r + " left out of the local-only export");
            }
            assertTrue(local.contains(bigCid) && local.size() == leaves.size() + 1 - removed.size(),
                    "the rest of the file is local: " + local.size() + " of " + (leaves.size() + 1));
            post(partial.api(), "/api/v0/swarm/connect?arg=" + node.swarmAddress() + "/p2p/" + client(api).id().id());

            try (TamperProxy proxy = new TamperProxy(partial.api())) {
                Config cfg = config("rpc-partial", proxy.uri(), null);
                try (Database db = Database.open(cfg.database());
                        IpfsBootStore s = IpfsBootStore.open(cfg, db, client(cfg.ipfsApi()))) {
                    BootFile f = s.file(tp("boot/x/images/big")).orElseThrow();
                    assertArrayEquals(big, read(f, 0, f.size()));
                    assertTrue(f.localPath().isPresent(), "cached once it verified");
                    assertArrayEquals(big, Files.readAllBytes(f.localPath().orElseThrow()));
                }
                List<String> ex = exports(proxy, bigCid);
                assertEquals(2, ex.size(), "local-only, then the full export: " + proxy.requests);
                assertTrue(ex.get(0).contains("local-only=true"), ex.toString());
                assertFalse(ex.get(1).contains("local-only"), ex.toString());
            }
        }
    }

    @Test
    void rpcDagExportAlteredBlockIsRefusedNamingItsCidAndNothingIsCached() throws Exception {
        tamperedFileIsRefused("rpc-tamper", false);
    }

    @Test
    void gatewayAlteredBlockIsRefusedNamingItsCidAndNothingIsCached() throws Exception {
        tamperedFileIsRefused("gw-tamper", true);
    }

    @Test
    void untamperedFilesAreByteExactThroughTheApiAndTheGatewayWholeAndInRanges() throws Exception {
        for (boolean viaGateway : new boolean[] {false, true}) {
            try (TamperProxy proxy = new TamperProxy(viaGateway ? gateway : api)) {
                Config cfg = viaGateway ? config("gw-exact", api, proxy.uri()) : config("rpc-exact", proxy.uri(), null);
                try (Database db = Database.open(cfg.database());
                        IpfsBootStore s = IpfsBootStore.open(cfg, db, client(cfg.ipfsApi()))) {
                    BootFile f = s.file(tp("boot/x/images/big")).orElseThrow();
                    BootFile z = s.file(tp("boot/x/images/zeros")).orElseThrow();
                    // Ranges of cold files first (verified, not cached), across leaf boundaries.
                    long[][] ranges = {{0, 1}, {262_143, 2}, {1_000_000, 700_000}, {2_999_999, 1}, {5, 262_144 * 3}};
                    for (long[] r : ranges) {
                        assertArrayEquals(Arrays.copyOfRange(big, (int) r[0], (int) (r[0] + r[1])), read(f, r[0], r[1]),
                                (viaGateway ? "gateway " : "api ") + r[0] + "+" + r[1]);
                    }
                    assertArrayEquals(Arrays.copyOfRange(zeros, 300_000, 900_000), read(z, 300_000, 600_000));
                    assertTrue(f.localPath().isEmpty(), "ranges do not fill the cache");
                    assertArrayEquals(big, read(f, 0, f.size()));
                    assertArrayEquals(zeros, read(z, 0, z.size()));
                    assertTrue(f.localPath().isPresent() && z.localPath().isPresent(), "whole files cached");
                    String want = viaGateway ? "GET /ipfs/" : "POST /api/v0/dag/export";
                    assertTrue(proxy.requests.stream().anyMatch(q -> q.startsWith(want)), proxy.requests.toString());
                    if (viaGateway) {
                        // Kubo's plain answer gave every leaf (their blocks rebuilt and verified): none asked alone.
                        assertTrue(proxy.requests.contains("GET /ipfs/" + bigCid), proxy.requests.toString());
                        assertFalse(proxy.requests.contains("GET /ipfs/" + leafCid + "?format=raw"),
                                proxy.requests.toString());
                    }
                    assertTrue(proxy.requests.stream().noneMatch(q -> q.contains("/cat")), proxy.requests.toString());
                }
            }
        }
    }

    /**
     * A gateway whose plain file answers are altered (a caching layer in front of it, say) while its
     * blocks are honest: the leaf rebuilt from the altered bytes does not verify, it and the leaves
     * after it are asked as blocks, and the file is served and cached exact.
     */
    @Test
    void gatewayAlteredPlainAnswerCostsBlockRequestsNotTheFile() throws Exception {
        try (TamperProxy proxy = new TamperProxy(gateway)) {
            Config cfg = config("gw-plain-tamper", api, proxy.uri());
            proxy.needle = Arrays.copyOfRange(leafBlock, 1000, 1064);
            proxy.plainOnly = true;
            try (Database db = Database.open(cfg.database());
                    IpfsBootStore s = IpfsBootStore.open(cfg, db, client(cfg.ipfsApi()))) {
                BootFile f = s.file(tp("boot/x/images/big")).orElseThrow();
                assertArrayEquals(big, read(f, 0, f.size()));
                assertEquals(1, proxy.tampered.get(), proxy.requests.toString());
                assertTrue(proxy.requests.contains("GET /ipfs/" + leafCid + "?format=raw"), "the leaf asked alone: "
                        + proxy.requests);
                assertTrue(f.localPath().isPresent(), "cached once it verified");
                assertArrayEquals(big, Files.readAllBytes(f.localPath().orElseThrow()));
            }
        }
    }

    private void tamperedDirectoryIsRefused(String name, boolean viaGateway) throws Exception {
        try (TamperProxy proxy = new TamperProxy(viaGateway ? gateway : api)) {
            proxy.needle = imagesBlock;
            Config cfg = viaGateway ? config(name, api, proxy.uri()) : config(name, proxy.uri(), null);
            try (Database db = Database.open(cfg.database());
                    IpfsBootStore s = IpfsBootStore.open(cfg, db, client(cfg.ipfsApi()))) {
                BootStoreException e = assertThrows(BootStoreException.class, () -> s.file(tp("boot/x/images/big")));
                assertEquals(BootStoreException.Kind.CORRUPT, e.kind(), e.toString());
                assertTrue(e.getMessage().contains(imagesCid), "the error names the altered directory: " + e.getMessage());
                assertTrue(proxy.tampered.get() >= 1, "the proxy altered the directory block: " + proxy.requests);
                BootStoreException l = assertThrows(BootStoreException.class, () -> s.list(tp("boot/x/images")));
                assertEquals(BootStoreException.Kind.CORRUPT, l.kind(), l.toString());
                assertTrue(l.getMessage().contains(imagesCid), l.getMessage());
                assertTrue(proxy.requests.stream().noneMatch(q -> q.contains("/ls")), "no ls: " + proxy.requests);
                assertTrue(Files.notExists(cfg.cache().resolve(bigCid)), "nothing fetched through the forged listing");
                assertTrue(s.list(tp("boot")).isPresent(), "the rest of the tree is still listed");

                proxy.needle = null; // honest again: the listing is made, verified, and the file served exact
                BootFile f = s.file(tp("boot/x/images/big")).orElseThrow();
                assertEquals(big.length, f.size());
                assertArrayEquals(big, read(f, 0, f.size()));
                assertEquals(List.of("big", "zeros"), s.list(tp("boot/x/images")).orElseThrow().stream()
                        .map(org.astralboot.store.BootStore.Entry::name).toList());
            }
        }
    }

    @Test
    void rpcAlteredDirectoryBlockFailsTheListingNamingItsCid() throws Exception {
        tamperedDirectoryIsRefused("rpc-dir-tamper", false);
    }

    @Test
    void gatewayAlteredDirectoryBlockFailsTheListingNamingItsCid() throws Exception {
        tamperedDirectoryIsRefused("gw-dir-tamper", true);
    }
}

package org.astralboot.ipfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.ipfs.cache.Download;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.GrowingFile;
import org.astralboot.store.TreePath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * IpfsBootStore against a real IPFS node: a tree added with the node and named in refs.toml is
 * read back byte for byte; overrides, bad refs, shared cold fetches, ranges, corruption, eviction,
 * and serving through a node outage.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IpfsBootStoreIT {
    @TempDir
    static Path tmp;
    static IpfsNode node;
    static KuboClient admin;
    static Path tree;
    static String treeCid;

    @BeforeAll
    static void startNode() throws IOException {
        node = IpfsNode.start(tmp.resolve("node"));
        admin = node.client();
        tree = TestTrees.bootTree(tmp.resolve("tree"));
        List<KuboClient.Added> added = admin.add(tree, KuboClient.AddOptions.DEFAULT);
        treeCid = added.get(added.size() - 1).hash();
        assertEquals("tree", added.get(added.size() - 1).name());
    }

    @AfterAll
    static void stopNode() throws IOException {
        if (node != null) {
            node.close();
        }
    }

    /** A fresh working folder (db, cache, refs.toml) per test. */
    /** A tree of one random file, {@code boot/x/images/big}, added to the node, and a refs folder naming it. */
    private record OneFile(Path file, Path base) {
    }

    private static OneFile oneFileTree(String name, long size, int seed) throws IOException {
        Path big = TestTrees.file(tmp.resolve(name + "/boot/x/images/big"), size, seed);
        List<KuboClient.Added> a = admin.add(tmp.resolve(name), KuboClient.AddOptions.DEFAULT);
        String cid = a.get(a.size() - 1).hash();
        return new OneFile(big, base(name + "-run", "boot = \"" + cid + "\"\n"));
    }

    private static Path base(String name, String refs) throws IOException {
        Path b = tmp.resolve(name);
        Files.createDirectories(b);
        Files.writeString(b.resolve("refs.toml"), refs);
        return b;
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static TreePath tp(String s) throws Exception {
        return TreePath.parse(s);
    }

    @Test
    @Order(1)
    void everyFileReadsBackByteForByte() throws Exception {
        Path b = base("all", "boot = \"" + treeCid + "\"\n");
        Config cfg = TestTrees.config(b, node.api(), 1L << 30);
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
            assertEquals(List.of("bin", "boot", "tftp"), s.list(TreePath.ROOT).orElseThrow().stream()
                    .map(BootStore.Entry::name).toList());
            assertEquals(List.of("coreos", "debian"), s.list(tp("boot")).orElseThrow().stream()
                    .map(BootStore.Entry::name).toList());
            List<Path> all = files(tree);
            assertEquals(all.size(), s.files(TreePath.ROOT).size());
            for (Path f : all) {
                TreePath p = tp(tree.relativize(f).toString());
                BootFile bf = s.file(p).orElseThrow(() -> new AssertionError("missing " + p));
                assertEquals(Files.size(f), bf.size(), p.toString());
                assertTrue(bf.immutable());
                assertTrue(bf.etag().startsWith("Qm"), bf.etag());
                assertEquals(TestTrees.sha256(f), TestTrees.sha256(bf.open()), "cold " + p);
                // Second read: from disk, zero-copy path available.
                Path local = bf.localPath().orElseThrow(() -> new AssertionError("not cached: " + p));
                assertEquals(TestTrees.sha256(f), TestTrees.sha256(local), "cached " + p);
                assertEquals(TestTrees.sha256(f), TestTrees.sha256(bf.open()), "warm " + p);
            }
            assertTrue(s.file(tp("boot/debian")).isEmpty(), "a directory is not a file");
            assertTrue(s.file(tp("boot/nope/x")).isEmpty());
            assertTrue(s.list(tp("tftp/ipxe.efi")).isEmpty(), "a file is not a directory");
            long fetched = s.fetches();
            assertEquals(all.size(), fetched, "one download per file (the empty one without node traffic), none for warm reads");
        }
    }

    @Test
    @Order(2)
    void osOverrideReplacesOneOsAndAddsAnother() throws Exception {
        Path deb = tmp.resolve("deb13");
        TestTrees.text(deb.resolve("os.toml"), "description = \"Debian 13\"\n");
        TestTrees.file(deb.resolve("images/linux"), 123_456, 42);
        List<KuboClient.Added> a = admin.add(deb, KuboClient.AddOptions.DEFAULT);
        String debCid = a.get(a.size() - 1).hash();
        Path alp = tmp.resolve("alpine");
        TestTrees.file(alp.resolve("images/vmlinuz-lts"), 10_000, 43);
        a = admin.add(alp, KuboClient.AddOptions.DEFAULT);
        String alpCid = "/ipfs/" + a.get(a.size() - 1).hash() + "/";
        Path b = base("os", "# comment\nboot = \"" + treeCid + "\"\n[os]\ndebian = \"" + debCid + "\"\nalpine = \""
                + alpCid + "\"\n");
        Config cfg = TestTrees.config(b, node.api(), 1L << 30);
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
            assertEquals(List.of("alpine", "coreos", "debian"), s.list(tp("boot")).orElseThrow().stream()
                    .map(BootStore.Entry::name).toList());
            assertEquals(List.of("images", "os.toml"), s.list(tp("boot/debian")).orElseThrow().stream()
                    .map(BootStore.Entry::name).toList(), "the override replaces the whole OS folder");
            assertTrue(s.file(tp("boot/debian/template/start.tmpl")).isEmpty());
            assertEquals(TestTrees.sha256(deb.resolve("images/linux")),
                    TestTrees.sha256(s.file(tp("boot/debian/images/linux")).orElseThrow().open()));
            assertEquals(TestTrees.sha256(alp.resolve("images/vmlinuz-lts")),
                    TestTrees.sha256(s.file(tp("boot/alpine/images/vmlinuz-lts")).orElseThrow().open()));
            // Untouched parts still come from the boot tree.
            assertEquals(TestTrees.sha256(tree.resolve("boot/coreos/images/vmlinuz")),
                    TestTrees.sha256(s.file(tp("boot/coreos/images/vmlinuz")).orElseThrow().open()));
        }
    }

    @Test
    @Order(3)
    void badRefsAreNamedAndTheOthersKeepWorking() throws Exception {
        String fileCid = admin.add(tree.resolve("tftp/undionly.kpxe"), KuboClient.AddOptions.DEFAULT).get(0).hash();
        List<KuboClient.Added> a = admin.add(tree.resolve("boot/coreos"), KuboClient.AddOptions.DEFAULT);
        String noBoot = a.get(a.size() - 1).hash();
        // A well-formed CID of content no node has (sha256 of "astralboot missing").
        String missing = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
        Path b = base("bad", "boot = \"" + noBoot + "\"\n[os]\ngood = \"" + treeCid + "/boot/debian\"\n"
                + "notacid = \"hello\"\nfile = \"" + fileCid + "\"\nmissing = \"" + missing + "\"\n");
        Config cfg = TestTrees.config(b, node.api(), 1L << 30);
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
            List<IpfsBootStore.Root> roots = s.roots();
            String problems = roots.stream().filter(r -> !r.ok()).map(IpfsBootStore.Root::problem).toList().toString();
            assertTrue(problems.contains("ref boot = \"" + noBoot + "\": the tree " + noBoot + " has no boot/ folder"),
                    problems);
            assertTrue(problems.contains("ref os.file = \"" + fileCid + "\": not a directory"), problems);
            assertTrue(problems.contains("ref os.missing = \"" + missing + "\": not found"), problems);
            assertEquals(List.of("good"), s.list(tp("boot")).orElseThrow().stream().map(BootStore.Entry::name).toList());
            assertEquals(TestTrees.sha256(tree.resolve("boot/debian/images/initrd.gz")),
                    TestTrees.sha256(s.file(tp("boot/good/images/initrd.gz")).orElseThrow().open()));
        }
        RefsFile parsed = RefsFile.load(b.resolve("refs.toml"));
        assertTrue(parsed.problems().toString().contains("ref os.notacid = \"hello\": not a CID"),
                parsed.problems().toString());
    }

    @Test
    @Order(4)
    void twentyParallelReadsOfAColdFileShareOneDownload() throws Exception {
        OneFile one = oneFileTree("par", 24L << 20, 7);
        Path big = one.file();
        Path b = one.base();
        Config cfg = TestTrees.config(b, node.api(), 1L << 30);
        KuboClient counted = node.client();
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, counted)) {
            BootFile f = s.file(tp("boot/x/images/big")).orElseThrow();
            String want = TestTrees.sha256(big);
            ExecutorService ex = Executors.newFixedThreadPool(20);
            CyclicBarrier go = new CyclicBarrier(20);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Callable<String> c = () -> {
                    go.await();
                    return TestTrees.sha256(f.open());
                };
                results.add(ex.submit(c));
            }
            for (Future<String> r : results) {
                assertEquals(want, r.get());
            }
            ex.shutdown();
            assertEquals(1, s.cache().source().requests(), "one verified download from the node for 20 readers");
            long car = s.cache().source().bytes();
            assertTrue(car >= Files.size(big) && car < Files.size(big) * 1.01,
                    "the file crossed the node's API once (" + car + " CAR bytes)");
            assertEquals(1, s.fetches());
        }
    }

    /**
     * A reader of a download in progress takes the first chunks from memory; one that falls
     * behind the bounded in-memory window (here: it pauses until the download has finished and
     * its temporary file has been moved into place) goes on from the file, with the same bytes.
     */
    @Test
    @Order(4)
    void aReaderLeftBehindTheDownloadGoesOnFromTheFile() throws Exception {
        OneFile one = oneFileTree("lag", 12L << 20, 11);
        Path big = one.file();
        Path b = one.base();
        Config cfg = TestTrees.config(b, node.api(), 1L << 30);
        KuboClient counted = node.client();
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, counted)) {
            BootFile f = s.file(tp("boot/x/images/big")).orElseThrow();
            byte[] all = Files.readAllBytes(big);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            try (InputStream in = f.open()) {
                got.write(in.readNBytes(1 << 20));
                IpfsBootStore.FileInfo fi = s.info(tp("boot/x/images/big")).orElseThrow();
                Download running = s.cache().fill(fi.cid(), fi.size(), "test");
                if (running != null) {
                    running.await(60, java.util.concurrent.TimeUnit.SECONDS);
                }
                assertTrue(f.localPath().isPresent(), "the download finished while the reader paused");
                in.transferTo(got);
            }
            assertArrayEquals(all, got.toByteArray());
            assertEquals(1, s.cache().source().requests());
        }
    }

    /**
     * The file handed to zero-copy senders while it downloads (through a proxy that slows the node
     * to 4 MiB/s): bytes become readable as they arrive, a range that ends before the end of the
     * file is done without waiting for the rest, and the whole file's last byte waits for the
     * download's final check.
     */
    @Test
    @Order(4)
    void aGrowingFileFillsAsItArrivesAndOnlyItsEndWaitsForTheWholeDownload() throws Exception {
        OneFile one = oneFileTree("grow", 8L << 20, 13);
        Path big = one.file();
        Path b = one.base();
        try (SlowProxy proxy = new SlowProxy(node.api(), 4L << 20)) {
            Config cfg = TestTrees.config(b, proxy.uri(), 1L << 30);
            KuboClient slow = new KuboClient(proxy.uri(), Duration.ofSeconds(2), Duration.ofSeconds(6),
                    Duration.ofSeconds(10));
            try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, slow)) {
                BootFile f = s.file(tp("boot/x/images/big")).orElseThrow();
                byte[] all = Files.readAllBytes(big);
                long t0 = System.nanoTime();
                try (GrowingFile whole = f.openGrowing(0, f.size()).orElseThrow();
                        GrowingFile head = f.openGrowing(0, 1 << 20).orElseThrow()) {
                    long first = head.readable(0);
                    assertTrue(first > 0 && first < f.size(), "readable as it arrives: " + first);
                    long at = 0;
                    while (at < (1 << 20)) {
                        at = head.readable(at);
                    }
                    head.finish(); // a range ending at 1 MiB: no wait for the other 7 MiB
                    long headMs = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(f.localPath().isEmpty(), "still downloading after the first MiB (" + headMs + " ms)");
                    ByteBuffer got = ByteBuffer.allocate(all.length);
                    while (got.hasRemaining()) {
                        long end = whole.readable(got.position());
                        ByteBuffer part = got.slice(got.position(), (int) (end - got.position()));
                        while (part.hasRemaining()) {
                            whole.channel().read(part, got.position() + part.position());
                        }
                        got.position((int) end);
                    }
                    whole.finish();
                    assertTrue(f.localPath().isPresent(), "cached once the whole file's check passed");
                    assertArrayEquals(all, got.array());
                }
                assertEquals(1, s.fetches());
            }
        }
    }

    @Test
    @Order(5)
    void rangeOfAColdFileDoesNotDownloadTheWholeFile() throws Exception {
        Path b = base("range", "boot = \"" + treeCid + "\"\n");
        Config cfg = TestTrees.config(b, node.api(), 1L << 30);
        KuboClient counted = node.client();
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, counted)) {
            BootFile f = s.file(tp("boot/debian/images/linux")).orElseThrow();
            byte[] all = Files.readAllBytes(tree.resolve("boot/debian/images/linux"));
            byte[] got;
            try (InputStream in = f.open(1_000_000, 4096)) {
                got = in.readAllBytes();
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(all, 1_000_000, 1_004_096), got);
            // dag/export has no ranges: the blocks up to the range's end are read (and verified), not the rest.
            assertTrue(s.cache().source().bytes() < all.length, s.cache().source().bytes() + " CAR bytes");
            assertTrue(f.localPath().isEmpty(), "a range read does not fill the cache");
        }
    }

    @Test
    @Order(6)
    void truncatedOrAlteredCacheFilesAreRefetchedNeverServed() throws Exception {
        Path b = base("corrupt", "boot = \"" + treeCid + "\"\n");
        Config cfg = TestTrees.config(b, node.api(), 1L << 30);
        Path orig = tree.resolve("boot/debian/images/initrd.gz");
        String want = TestTrees.sha256(orig);
        TreePath p = tp("boot/debian/images/initrd.gz");
        Path cached;
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
            BootFile f = s.file(p).orElseThrow();
            assertEquals(want, TestTrees.sha256(f.open()));
            cached = f.localPath().orElseThrow();
            // Truncate: caught by the length check.
            try (RandomAccessFile r = new RandomAccessFile(cached.toFile(), "rw")) {
                r.setLength(r.length() - 1000);
            }
            assertEquals(want, TestTrees.sha256(f.open()));
            assertEquals(1, s.corruptions());
            assertEquals(2, s.fetches());
            // Same length, one byte changed: the new mtime makes the store re-hash the file.
            TestTrees.flipByte(cached, 12345, 0x5A, false);
            assertEquals(want, TestTrees.sha256(s.file(p).orElseThrow().open()));
            assertEquals(2, s.corruptions());
            assertEquals(3, s.fetches());
        }
        // Altered with its mtime put back: caught by the first use in a new process.
        TestTrees.flipByte(cached, 777, 0x5A, true);
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
            BootFile f = s.file(p).orElseThrow();
            assertTrue(f.localPath().isEmpty(), "the altered file is not offered for zero-copy sending");
            assertEquals(want, TestTrees.sha256(f.open()));
            assertEquals(1, s.corruptions());
            assertEquals(want, TestTrees.sha256(f.localPath().orElseThrow()));
        }
    }

    @Test
    @Order(7)
    void leastRecentlyUsedFilesAreEvictedPastTheLimit() throws Exception {
        Path b = base("evict", "boot = \"" + treeCid + "\"\n");
        Config cfg = TestTrees.config(b, node.api(), 4_000_000);
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
            BootFile linux = s.file(tp("boot/debian/images/linux")).orElseThrow(); // 3,000,000
            BootFile efi = s.file(tp("tftp/ipxe.efi")).orElseThrow(); // 1,000,000
            BootFile initrd = s.file(tp("boot/debian/images/initrd.gz")).orElseThrow(); // 2,500,001
            TestTrees.sha256(linux.open());
            Thread.sleep(5);
            TestTrees.sha256(efi.open());
            assertTrue(linux.localPath().isPresent()); // used after efi now
            Thread.sleep(5);
            TestTrees.sha256(initrd.open()); // 6.5 MB > 4 MB: evict efi (least recent), then linux
            assertTrue(initrd.localPath().isPresent());
            assertTrue(efi.localPath().isEmpty(), "LRU file evicted");
            assertTrue(s.cache().totalBytes() <= 4_000_000, "total " + s.cache().totalBytes());
            assertEquals(TestTrees.sha256(tree.resolve("tftp/ipxe.efi")), TestTrees.sha256(efi.open()));
        }
    }

    @Test
    @Order(10)
    void nodeDownServesTheCacheAndRecoversWithoutRestart() throws Exception {
        // Named through IPNS: resolved while the node is up, the resolution remembered for a start
        // while it is down.
        String name = admin.namePublish("/ipfs/" + treeCid);
        Path b = base("down", "boot = \"/ipns/" + name + "\"\n");
        Config cfg = TestTrees.config(b, node.api(), 1L << 30);
        TreePath warm = tp("boot/debian/images/linux");
        TreePath cold = tp("tftp/ipxe.efi");
        String warmSha = TestTrees.sha256(tree.resolve("boot/debian/images/linux"));
        try (Database db = Database.open(cfg.database()); IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
            assertEquals(treeCid, s.roots().get(0).cid());
            assertEquals(warmSha, TestTrees.sha256(s.file(warm).orElseThrow().open()));
            s.files(TreePath.ROOT); // learn every listing
        }
        node.stop();
        try {
            // A restart while the node is down: listings and cached files from disk.
            try (Database db = Database.open(cfg.database());
                    IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
                assertEquals(List.of("coreos", "debian"), s.list(tp("boot")).orElseThrow().stream()
                        .map(BootStore.Entry::name).toList());
                assertEquals(warmSha, TestTrees.sha256(s.file(warm).orElseThrow().open()));
                BootFile c = s.file(cold).orElseThrow();
                assertEquals(1_000_000, c.size(), "size known without the node");
                BootStoreException e = assertThrows(BootStoreException.class, c::open);
                assertEquals(BootStoreException.Kind.UNAVAILABLE, e.kind());
                assertTrue(e.getMessage().contains("tftp/ipxe.efi"), e.getMessage());
                // A store that never resolved the name: unavailable (not "not found") until the node is back.
                Path fb = base("down-fresh", "boot = \"/ipns/" + name + "\"\n");
                Config fresh = TestTrees.config(fb, node.api(), 1L << 30);
                try (Database fdb = Database.open(fresh.database());
                        IpfsBootStore fs = IpfsBootStore.open(fresh, fdb, node.client())) {
                    BootStoreException u = assertThrows(BootStoreException.class, () -> fs.list(TreePath.ROOT));
                    assertEquals(BootStoreException.Kind.UNAVAILABLE, u.kind());
                    assertTrue(u.getMessage().contains("ref boot not resolved yet"), u.getMessage());
                    node.start();
                    long until = System.nanoTime() + 10_000_000_000L;
                    Optional<List<BootStore.Entry>> l = Optional.empty();
                    while (l.isEmpty()) {
                        try {
                            l = fs.list(tp("boot"));
                        } catch (BootStoreException ex) {
                            if (System.nanoTime() > until) {
                                throw ex;
                            }
                            Thread.sleep(200);
                        }
                    }
                    assertEquals(List.of("coreos", "debian"), l.get().stream().map(BootStore.Entry::name).toList());
                }
                // Recovery without a restart: the back-off after the failure is one second.
                String got = null;
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (got == null) {
                    try {
                        got = TestTrees.sha256(c.open());
                    } catch (BootStoreException ex) {
                        assertEquals(BootStoreException.Kind.UNAVAILABLE, ex.kind());
                        if (System.nanoTime() > deadline) {
                            throw ex;
                        }
                        Thread.sleep(200);
                    }
                }
                assertEquals(TestTrees.sha256(tree.resolve("tftp/ipxe.efi")), got);
                Optional<Path> lp = c.localPath();
                assertTrue(lp.isPresent());
            }
        } finally {
            if (!isUp()) {
                node.start();
            }
        }
    }

    private static boolean isUp() {
        try {
            admin.version();
            return true;
        } catch (KuboException e) {
            return false;
        }
    }

    @Test
    @Order(11)
    void getExtractsTheTreeInsideTheTarget() throws Exception {
        Path out = tmp.resolve("got");
        admin.get(treeCid, out);
        for (Path f : files(tree)) {
            assertEquals(TestTrees.sha256(f), TestTrees.sha256(out.resolve(tree.relativize(f))));
        }
        assertFalse(Files.exists(tmp.resolve(treeCid)));
    }
}

package org.astralboot.ipfs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.ipfs.cache.BlobCache;
import org.astralboot.ipfs.cache.CacheIndex;
import org.astralboot.ipfs.cache.Failures;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.astralboot.ipfs.kubo.VerifiedSource;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException.Kind;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The boot tree named by {@code refs.toml}, served from the IPFS node through the local cache.
 *
 * <p>The tree is the {@code boot} ref's directory, with {@code boot/<os>} replaced (or added) by
 * each {@code [os]} ref ({@link RefResolver}). Listings are built from the directory's blocks, each
 * verified against its CID, and are kept in the database by directory CID ({@link Listings};
 * content-addressed, so never stale), which
 * gives every file's size before a byte is served, and listings while the node is down. File
 * content goes through {@link BlobCache}.
 *
 * <p>Node down: at start a warning, then what is cached is served and the rest fails with
 * {@link Kind#UNAVAILABLE}; when the node answers again, service resumes by itself. A bad ref
 * (not a CID, not found, not a directory, a boot tree without {@code boot/}) is logged naming the
 * ref and left out; the other refs are served.
 */
public final class IpfsBootStore implements BootStore {
    private static final Logger LOG = LoggerFactory.getLogger(IpfsBootStore.class);
    private static final TreePath BOOT = TreePath.ROOT.resolve(new TreePath(List.of("boot")));
    /** Upper bound on directories walked in the background to learn the listings at start. */
    private static final int WARM_DIRS = 10_000;

    /** A ref and what it currently resolves to. {@code cid} is null while unresolved. */
    public record Root(RefsFile.Ref ref, String cid, String problem) {
        public boolean ok() {
            return cid != null && problem == null;
        }
    }

    private record Tree(Root boot, Map<String, Root> os) {
    }

    /** A file of the tree: where it is and which content it has. */
    public record FileInfo(TreePath path, String cid, long size) {
    }

    private final Path refsPath;
    private final KuboClient client;
    private final CacheIndex index;
    private final BlobCache cache;
    private final NodeHealth health;
    private final Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final Listings listings;
    private final RefResolver resolver;
    private volatile Tree tree;
    private volatile long lastRetry;
    private volatile Thread warmer;
    private volatile List<String> refProblems = List.of();

    private IpfsBootStore(Path refsPath, KuboClient client, CacheIndex index, BlobCache cache, NodeHealth health) {
        this.refsPath = refsPath;
        this.client = client;
        this.index = index;
        this.cache = cache;
        this.health = health;
        this.listings = new Listings(cache.source()::block, index, health);
        this.resolver = new RefResolver(client, index, health, listings);
    }

    /** Opens the store described by {@code cfg}: its refs file, cache folder and IPFS API. */
    public static IpfsBootStore open(Config cfg, Database db) throws IOException {
        return open(cfg, db, new KuboClient(cfg.ipfsApi()));
    }

    /**
     * As {@link #open(Config, Database)} with a given client (tests use short timeouts).
     *
     * @throws IOException when the refs file cannot be read or parsed, or the cache folder cannot
     *                     be created
     */
    public static IpfsBootStore open(Config cfg, Database db, KuboClient client) throws IOException {
        NodeHealth health = new NodeHealth(cfg.ipfsApi(), 1000);
        CacheIndex index = new CacheIndex(db);
        BlobCache cache = new BlobCache(cfg.cache(), cfg.cacheMaxBytes(), index,
                VerifiedSource.of(client, cfg.ipfsGateway()), health);
        IpfsBootStore s = new IpfsBootStore(cfg.refs(), client, index, cache, health);
        try {
            KuboClient.Version v = client.version();
            health.ok();
            LOG.info("ipfs node {} version {}; file content from {}, verified against its CIDs", cfg.ipfsApi(),
                    v.version(), cfg.ipfsGateway() != null ? "gateway " + cfg.ipfsGateway() : "the node's dag/export");
        } catch (KuboException e) {
            health.failed(e);
        }
        s.reload();
        if (!health.down()) {
            Thread t = new Thread(s::warmListings, "ipfs-listings");
            t.setDaemon(true);
            s.warmer = t;
            t.start();
        }
        return s;
    }

    /** Re-reads refs.toml and resolves every ref again ({@code /ipns/} names included). */
    public void reload() throws IOException {
        RefsFile refs = RefsFile.load(refsPath);
        for (String p : refs.problems()) {
            LOG.error("{}: {}; not served", refsPath, p);
        }
        for (String w : refs.warnings()) {
            LOG.warn("{}: {}", refsPath, w);
        }
        refProblems = refs.problems();
        Root boot = refs.boot() == null ? null : resolver.resolve(refs.boot(), true);
        Map<String, Root> os = new LinkedHashMap<>();
        for (Map.Entry<String, RefsFile.Ref> e : refs.os().entrySet()) {
            os.put(e.getKey(), resolver.resolve(e.getValue(), false));
        }
        if (boot == null && os.isEmpty()) {
            LOG.error("{}: no usable ref: nothing to serve (set boot = \"<CID>\")", refsPath);
        }
        tree = new Tree(boot, os);
        LOG.info("ipfs tree: {}", describe());
    }

    /** {@link #reload()} for a signal handler: a failure is logged and the current tree kept. */
    public void reloadLogged() {
        try {
            LOG.info("ipfs: reloading {}", refsPath);
            reload();
        } catch (IOException | RuntimeException e) {
            LOG.error("ipfs: reload of {} failed, keeping the current tree: {}", refsPath, e.getMessage());
        }
    }

    /** The current tree, retrying refs that could not be resolved while the node was down. */
    private Tree tree() {
        Tree t = tree;
        boolean pending = (t.boot() != null && t.boot().cid() == null && t.boot().problem() == null)
                || t.os().values().stream().anyMatch(r -> r.cid() == null && r.problem() == null);
        long now = System.nanoTime();
        if (pending && health.mayTry() && now - lastRetry > Duration.ofSeconds(1).toNanos()) {
            lastRetry = now;
            Root boot = t.boot() == null || t.boot().cid() != null || t.boot().problem() != null ? t.boot()
                    : resolver.resolve(t.boot().ref(), true);
            Map<String, Root> os = new LinkedHashMap<>();
            for (Map.Entry<String, Root> e : t.os().entrySet()) {
                Root r = e.getValue();
                os.put(e.getKey(), r.cid() != null || r.problem() != null ? r : resolver.resolve(r.ref(), false));
            }
            t = new Tree(boot, os);
            tree = t;
        }
        return t;
    }

    /** Where a tree path lives: a root CID and the path inside it. */
    private record Loc(Root root, List<String> rest) {
    }

    /**
     * @throws BootStoreException UNAVAILABLE when the ref serving {@code p} is not resolved yet
     *                            (an {@code /ipns/} name while the node is down): the content may
     *                            exist, so "not found" would be wrong
     */
    private static Optional<Loc> locate(Tree t, TreePath p) throws BootStoreException {
        List<String> s = p.segments();
        if (s.size() >= 2 && s.get(0).equals("boot")) {
            Root os = t.os().get(s.get(1));
            if (os != null) {
                return usable(os, p) ? Optional.of(new Loc(os, s.subList(2, s.size()))) : Optional.empty();
            }
        }
        if (t.boot() == null || !usable(t.boot(), p)) {
            return Optional.empty();
        }
        return Optional.of(new Loc(t.boot(), s));
    }

    private static boolean usable(Root r, TreePath p) throws BootStoreException {
        if (r.ok()) {
            return true;
        }
        if (r.problem() == null) {
            throw Failures.unavailable((p.isRoot() ? "/" : p.toString()) + " (ref " + r.ref().name()
                    + " not resolved yet)", null);
        }
        return false;
    }

    @Override
    public String describe() {
        Tree t = tree;
        StringBuilder b = new StringBuilder("ipfs:");
        b.append(t.boot() != null && t.boot().ok() ? t.boot().cid() : "-");
        for (Map.Entry<String, Root> e : t.os().entrySet()) {
            b.append(" boot/").append(e.getKey()).append('=').append(e.getValue().ok() ? e.getValue().cid() : "-");
        }
        return b.toString();
    }

    /** The refs of refs.toml that could not even be read (not a CID, not a string, ...). */
    public List<String> refProblems() {
        return refProblems;
    }

    /** Every ref with its resolution, boot first. */
    public List<Root> roots() {
        Tree t = tree();
        List<Root> out = new ArrayList<>();
        if (t.boot() != null) {
            out.add(t.boot());
        }
        out.addAll(t.os().values());
        return out;
    }

    @Override
    public Optional<List<Entry>> list(TreePath dir) throws BootStoreException {
        Tree t = tree();
        Map<String, Entry> out = new TreeMap<>();
        boolean exists = false;
        Optional<Loc> loc = locate(t, dir);
        if (loc.isPresent()) {
            String label = dir.isRoot() ? "/" : dir.toString();
            Optional<CacheIndex.Link> d = listings.walk(loc.get().root().cid(), loc.get().rest(), label);
            if (d.isPresent() && d.get().dir()) {
                exists = true;
                for (CacheIndex.Link l : listings.links(d.get().cid(), label)) {
                    out.put(l.name(), new Entry(l.name(), l.dir(), l.size()));
                }
            }
        }
        // [os] refs appear as folders under boot/ (and boot/ under the root) even without a boot tree.
        if (!t.os().isEmpty() && dir.isRoot()) {
            exists = true;
            out.putIfAbsent("boot", new Entry("boot", true, 0));
        }
        if (dir.equals(BOOT)) {
            for (Map.Entry<String, Root> e : t.os().entrySet()) {
                if (e.getValue().ok()) {
                    exists = true;
                    out.put(e.getKey(), new Entry(e.getKey(), true, 0));
                } else {
                    out.remove(e.getKey()); // a bad override hides the OS rather than serving the old one
                }
            }
        }
        return exists ? Optional.of(List.copyOf(out.values())) : Optional.empty();
    }

    @Override
    public Optional<BootFile> file(TreePath path) throws BootStoreException {
        return info(path).map(i -> new IpfsFile(i, cache, started));
    }

    /** The CID and size of the file at {@code path}, if it is one. */
    public Optional<FileInfo> info(TreePath path) throws BootStoreException {
        if (path.isRoot()) {
            return Optional.empty();
        }
        Optional<Loc> loc = locate(tree(), path);
        if (loc.isEmpty() || loc.get().rest().isEmpty()) {
            return Optional.empty();
        }
        Optional<CacheIndex.Link> l = listings.walk(loc.get().root().cid(), loc.get().rest(), path.toString());
        if (l.isEmpty() || l.get().dir()) {
            return Optional.empty();
        }
        index.putPath(path.toString(), new CacheIndex.PathEntry(l.get().cid(), l.get().size()));
        return Optional.of(new FileInfo(path, l.get().cid(), l.get().size()));
    }

    /** Every file under {@code dir} of the effective tree, depth first, in name order. */
    public List<FileInfo> files(TreePath dir) throws BootStoreException {
        List<FileInfo> out = new ArrayList<>();
        collect(dir, out);
        return out;
    }

    private void collect(TreePath dir, List<FileInfo> out) throws BootStoreException {
        Optional<List<Entry>> l = list(dir);
        if (l.isEmpty()) {
            return;
        }
        for (Entry e : l.get()) {
            TreePath p;
            try {
                p = dir.child(e.name());
            } catch (InvalidPathException ex) {
                LOG.warn("ipfs tree: skipping unusable name under {}: {}", dir, ex.getMessage());
                continue;
            }
            if (e.directory()) {
                collect(p, out);
            } else {
                info(p).ifPresent(out::add);
            }
        }
    }

    /** Learns every listing of the tree in the background, so sizes and listings survive a node outage. */
    private void warmListings() {
        try {
            int[] n = {0};
            warm(TreePath.ROOT, n);
            LOG.debug("ipfs tree: {} listings known", n[0]);
        } catch (BootStoreException | RuntimeException e) {
            LOG.debug("ipfs tree: listing walk stopped: {}", e.toString());
        }
    }

    private void warm(TreePath dir, int[] n) throws BootStoreException {
        if (++n[0] > WARM_DIRS || cache.closed()) {
            return;
        }
        Optional<List<Entry>> l = list(dir);
        if (l.isEmpty()) {
            return;
        }
        for (Entry e : l.get()) {
            if (e.directory()) {
                try {
                    warm(dir.child(e.name()), n);
                } catch (InvalidPathException ignored) {
                    // not reachable by any client either
                }
            }
        }
    }

    /** The name of the ref that serves {@code path}: {@code os.<name>} or {@code boot}. */
    public String refFor(TreePath path) {
        List<String> s = path.segments();
        if (s.size() >= 2 && s.get(0).equals("boot") && tree.os().containsKey(s.get(1))) {
            return "os." + s.get(1);
        }
        return "boot";
    }

    KuboClient client() {
        return client;
    }

    /** Bytes of the complete files in the cache now (for the operator's status page and metrics). */
    public long cacheBytes() {
        return cache.totalBytes();
    }

    BlobCache cache() {
        return cache;
    }

    CacheIndex index() {
        return index;
    }

    /** Downloads started from the node since the store was opened (shared downloads count once). */
    public long fetches() {
        return cache.fetches();
    }

    /** Cache files found truncated or altered since the store was opened. */
    public long corruptions() {
        return cache.corruptions();
    }

    /** Reads served from a complete cache file since the store was opened. */
    public long cacheHits() {
        return cache.hits();
    }

    /** Reads of files not in the cache (fetched, joined or ranged from the node) since the store was opened. */
    public long cacheMisses() {
        return cache.misses();
    }

    /** Cache files evicted to stay within the cache limit since the store was opened. */
    public long evictions() {
        return cache.evictions();
    }

    /** Files, ranges and listings refused because a block did not verify against its CID. */
    public long verificationFailures() {
        return org.astralboot.ipfs.cache.Failures.verificationFailures();
    }

    /** Whether the IPFS node answered lately ({@link NodeHealth}): false after a failure to reach it. */
    public boolean nodeUp() {
        return !health.down();
    }

    @Override
    public void close() {
        cache.close();
        Thread t = warmer;
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}

package org.astralboot.ipfs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.astralboot.ipfs.cache.CacheIndex;
import org.astralboot.ipfs.cache.Failures;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.BootStoreException.Kind;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directory listings by directory CID: from memory, else from the database, else from the node's
 * {@code ls} (then kept in both). Content-addressed, so never stale; kept so listings and file
 * sizes are known while the node is down. Names no client could ask for, symlinks and metadata
 * nodes are left out.
 */
final class Listings {
    private static final Logger LOG = LoggerFactory.getLogger(IpfsBootStore.class);

    private final KuboClient client;
    private final CacheIndex index;
    private final NodeHealth health;
    private final Map<String, List<CacheIndex.Link>> dirs = new ConcurrentHashMap<>();

    Listings(KuboClient client, CacheIndex index, NodeHealth health) {
        this.client = client;
        this.index = index;
        this.health = health;
    }

    /** Thrown by {@link #links} for a CID that is a file. */
    static final class NotADirectory extends BootStoreException {
        private static final long serialVersionUID = 1L;

        NotADirectory(String what) {
            super(Kind.IO, what + " is not a directory");
        }
    }

    /** The entries of directory {@code cid}: from memory, the database, or the node. */
    List<CacheIndex.Link> links(String cid, String label) throws BootStoreException {
        List<CacheIndex.Link> l = dirs.get(cid);
        if (l != null) {
            return l;
        }
        Optional<List<CacheIndex.Link>> stored = index.dir(cid);
        if (stored.isPresent()) {
            dirs.put(cid, stored.get());
            return stored.get();
        }
        if (!health.mayTry()) {
            throw Failures.unavailable(label + " (listing " + cid + ")", null);
        }
        KuboClient.Listing ls;
        try {
            ls = client.ls(cid);
            health.ok();
        } catch (KuboException e) {
            health.failed(e);
            if (e.unreachable()) {
                throw Failures.unavailable(label + " (listing " + cid + ")", e);
            }
            throw new BootStoreException(Kind.IO, "not found on the IPFS node (" + e.getMessage() + ")", e);
        }
        if (ls.file()) {
            throw new NotADirectory(cid);
        }
        List<CacheIndex.Link> out = new ArrayList<>();
        for (KuboClient.Link k : ls.links()) {
            if (k.name() == null || k.hash() == null || k.size() < 0) {
                throw new BootStoreException(Kind.CORRUPT, "listing of " + cid + " has a malformed entry: " + k);
            }
            try {
                TreePath.ROOT.child(k.name());
            } catch (InvalidPathException e) {
                // A name no client could ask for ("..", a slash, a control character): never listed.
                LOG.warn("ipfs tree: {} in {} skipped: {}", k.name(), cid, e.getMessage());
                continue;
            }
            if (!k.directory() && !k.file()) {
                LOG.debug("ipfs tree: {} in {} skipped: UnixFS type {} (symlink or metadata)", k.name(), cid, k.type());
                continue;
            }
            out.add(new CacheIndex.Link(k.name(), k.hash(), k.directory() ? 0 : k.size(), k.directory()));
        }
        out.sort(Comparator.comparing(CacheIndex.Link::name));
        List<CacheIndex.Link> done = List.copyOf(out);
        index.putDir(cid, done);
        dirs.put(cid, done);
        return done;
    }

    /** The link named by {@code rest} below {@code rootCid}; null link for the root itself. */
    Optional<CacheIndex.Link> walk(String rootCid, List<String> rest, String label) throws BootStoreException {
        CacheIndex.Link cur = new CacheIndex.Link("", rootCid, 0, true);
        for (String name : rest) {
            if (!cur.dir()) {
                return Optional.empty();
            }
            Optional<CacheIndex.Link> next = links(cur.cid(), label).stream().filter(l -> l.name().equals(name))
                    .findFirst();
            if (next.isEmpty()) {
                return Optional.empty();
            }
            cur = next.get();
        }
        return Optional.of(cur);
    }
}

package org.astralboot.ipfs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.astralboot.ipfs.cache.CacheIndex;
import org.astralboot.ipfs.cache.Failures;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.astralboot.ipfs.verify.Cid;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.ipfs.verify.VerifiedDirectory;
import org.astralboot.ipfs.verify.VerifiedFileReader;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.BootStoreException.Kind;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directory listings by directory CID: from memory, else from the database, else from the node,
 * verified (then kept in both). Content-addressed, so never stale; kept so listings and file sizes
 * are known while the node is down. Names no client could ask for, symlinks and metadata nodes
 * are left out.
 *
 * <p>Verified: a listing is built by {@link VerifiedDirectory} from single blocks ({@code block/get}
 * from the node, {@code ?format=raw} from a trustless gateway), each checked against the CID that
 * names it, so a node cannot make {@code boot/linux} name another kernel, nor give a file another
 * size. The node's {@code ls} is no longer used: its answer (names, CIDs, types, sizes) cannot be
 * checked without the blocks it was made from. A block that does not verify fails the listing as a
 * file that does not verify fails its download: {@link Kind#CORRUPT}, logged with the CID, which
 * HTTP answers 502 and TFTP with an ERROR.
 */
final class Listings {
    private static final Logger LOG = LoggerFactory.getLogger(IpfsBootStore.class);

    private final VerifiedDirectory verifier;
    private final CacheIndex index;
    private final NodeHealth health;
    private final Map<String, List<CacheIndex.Link>> dirs = new ConcurrentHashMap<>();

    /** @param blocks where single blocks come from (never trusted: every one is checked) */
    Listings(VerifiedFileReader.BlockSource blocks, CacheIndex index, NodeHealth health) {
        this.verifier = new VerifiedDirectory(blocks);
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

    /** The entries of directory {@code cid}: from memory, the database, or the node (verified). */
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
        Cid c;
        try {
            c = Cid.parse(cid);
        } catch (IllegalArgumentException e) {
            throw new BootStoreException(Kind.IO, "not a CID that can be verified (" + e.getMessage() + ")", e);
        }
        if (!health.mayTry()) {
            throw Failures.unavailable(label + " (listing " + cid + ")", null);
        }
        VerifiedDirectory.Listing ls;
        try {
            ls = verifier.list(c);
            health.ok();
        } catch (VerificationException e) {
            health.ok(); // the node answered; what it answered is wrong
            throw Failures.refused(label + " (listing " + cid + ")", e);
        } catch (KuboException e) {
            health.failed(e);
            if (e.unreachable()) {
                throw Failures.unavailable(label + " (listing " + cid + ")", e);
            }
            throw new BootStoreException(Kind.IO, "not found on the IPFS node (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new BootStoreException(Kind.IO, label + " (listing " + cid + "): " + e.getMessage(), e);
        }
        if (!ls.directory()) {
            throw new NotADirectory(cid);
        }
        List<CacheIndex.Link> out = new ArrayList<>();
        for (VerifiedDirectory.Entry k : ls.entries()) {
            try {
                TreePath.ROOT.child(k.name());
            } catch (InvalidPathException e) {
                // A name no client could ask for ("..", a slash, a control character): never listed.
                LOG.warn("ipfs tree: {} in {} skipped: {}", k.name(), cid, e.getMessage());
                continue;
            }
            if (k.type() == VerifiedDirectory.Type.OTHER) {
                LOG.debug("ipfs tree: {} in {} skipped: UnixFS type {} (symlink or metadata), codec 0x{}", k.name(), cid,
                        k.unixfsType(), Long.toHexString(k.cid().codec()));
                continue;
            }
            boolean dir = k.type() == VerifiedDirectory.Type.DIRECTORY;
            out.add(new CacheIndex.Link(k.name(), k.cid().toString(), dir ? 0 : k.size(), dir));
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

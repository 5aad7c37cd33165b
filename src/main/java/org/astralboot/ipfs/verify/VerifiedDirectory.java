package org.astralboot.ipfs.verify;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.astralboot.ipfs.verify.VerificationException.Kind;

/**
 * The entries of a UnixFS directory, taken from untrusted single blocks and returned only once
 * every block they come from has been checked against the CID that names it.
 *
 * <p>A listing is the directory's own block(s) plus the root block of each child: the directory
 * block (UnixFS {@code Directory}, or {@code HAMTShard} with its sub-shards, specs.ipfs.tech/unixfs
 * "HAMTDirectory") gives each child's name and CID; the child's root block gives what the link
 * cannot be trusted for, its type and its size (a dag-pb node's UnixFS {@code Data}: {@code
 * filesize}, else its inline data plus {@code blocksizes}; a raw block's length). The link's
 * {@code Tsize} is only advisory and is not used. Every block passes through {@link #block}: its
 * multihash must match its data, so a node cannot make a directory name another child, nor a child
 * claim another type or size, without the check failing with a {@link VerificationException}
 * naming the block's CID. Identity CIDs (inlined blocks) carry their data and are not fetched.
 *
 * <p>HAMT shards: a link whose name is exactly the shard's prefix width (two hex characters for a
 * fanout of 256, one for 16: the width of {@code fanout - 1} in hex) is a sub-shard, walked the same
 * way; any other link's name is that prefix followed by the entry's name. Where an entry sits in
 * the shard is not re-derived from the murmur3 hash of its name: every shard block is verified
 * against the CID that links it, so the set of entries is already fixed by the root CID.
 *
 * <p>Children are examined {@value #PARALLEL} at a time (one request per root block), and blocks of
 * directories are kept (up to {@value #KEEP_BYTES} bytes) so listing a child directory just
 * examined does not fetch its block again. Thread-safe.
 */
public final class VerifiedDirectory {
    /** Child root blocks fetched at once: one request each, which the node answers in parallel. */
    static final int PARALLEL = 8;
    /** Bytes of verified directory blocks kept for the listing of a child examined before. */
    static final int KEEP_BYTES = 4 << 20;
    /** Deeper than a 256-bit hash can make a HAMT of fanout 2 or more: a forged shard. */
    private static final int MAX_SHARD_DEPTH = 256;

    /** What a CID names, as far as serving it goes. */
    public enum Type {
        FILE, DIRECTORY,
        /** A symlink, a UnixFS metadata node, or a block of another codec: nothing to serve. */
        OTHER
    }

    /** One entry: its name in the directory, its CID, its type, a file's size (0 otherwise), and its UnixFS type (-1 when raw or not UnixFS). */
    public record Entry(String name, Cid cid, Type type, long size, int unixfsType) {
    }

    /** The result of {@link #list}: whether the CID is a directory, and if so its entries in block order. */
    public record Listing(Type type, List<Entry> entries) {
        public boolean directory() {
            return type == Type.DIRECTORY;
        }
    }

    private record Stat(Type type, long size, int unixfsType) {
    }

    private final VerifiedFileReader.BlockSource source;
    private final LinkedHashMap<Cid, byte[]> kept = new LinkedHashMap<>(64, 0.75f, true);
    private long keptBytes;

    /** @param source fetches one block by CID (Kubo: {@code block/get}; a gateway: {@code ?format=raw}); never trusted */
    public VerifiedDirectory(VerifiedFileReader.BlockSource source) {
        this.source = source;
    }

    /**
     * The entries of directory {@code dir}, every block they come from verified; a listing of type
     * FILE or OTHER (and no entries) when {@code dir} is not a directory.
     *
     * @throws VerificationException naming the block at fault (altered, malformed, or not what its link says)
     * @throws IOException           from the source (the node unreachable, the block not found)
     */
    public Listing list(Cid dir) throws IOException {
        if (dir.codec() != Cid.DAG_PB) {
            return new Listing(stat(dir).type(), List.of());
        }
        byte[] b = block(dir);
        DagPb.Node node = node(dir, b);
        DagPb.UnixFs u = unixfs(dir, b, node);
        Stat s = stat(dir, b, node, u);
        if (s.type() != Type.DIRECTORY) {
            return new Listing(s.type(), List.of());
        }
        List<DagPb.Link> links = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (u.type() == DagPb.HAMT_SHARD) {
            shard(dir, node, u, links, names, 0);
        } else {
            for (DagPb.Link l : node.links()) {
                if (l.name() == null) {
                    throw new VerificationException(dir.toString(), Kind.MALFORMED,
                            "directory link to " + l.cid() + " has no name");
                }
                links.add(l);
                names.add(l.name());
            }
        }
        return new Listing(Type.DIRECTORY, entries(links, names));
    }

    /** Collects the entries of HAMT shard {@code c} (decoded as {@code node}, {@code u}) and its sub-shards, in link order. */
    private void shard(Cid c, DagPb.Node node, DagPb.UnixFs u, List<DagPb.Link> links, List<String> names, int depth)
            throws IOException {
        if (depth > MAX_SHARD_DEPTH) {
            throw new VerificationException(c.toString(), Kind.MALFORMED,
                    "HAMT shards nested deeper than " + MAX_SHARD_DEPTH);
        }
        if (u.fanout() < 2 || u.fanout() > 1 << 16 || Long.bitCount(u.fanout()) != 1) {
            throw new VerificationException(c.toString(), Kind.MALFORMED,
                    "HAMT shard fanout " + u.fanout() + " is not a power of two");
        }
        int width = Long.toHexString(u.fanout() - 1).length();
        for (DagPb.Link l : node.links()) {
            String n = l.name();
            if (n == null || n.length() < width) {
                throw new VerificationException(c.toString(), Kind.MALFORMED,
                        "HAMT shard link to " + l.cid() + " has a name '" + n
                        + "' shorter than its " + width + "-character prefix");
            }
            if (n.length() > width) {
                links.add(l);
                names.add(n.substring(width));
                continue;
            }
            Cid sc = l.cid();
            if (sc.codec() != Cid.DAG_PB) {
                throw new VerificationException(sc.toString(), Kind.MALFORMED,
                        "HAMT sub-shard of " + c + " is not dag-pb");
            }
            byte[] sb = block(sc);
            DagPb.Node sn = node(sc, sb);
            DagPb.UnixFs su = unixfs(sc, sb, sn);
            if (su.type() != DagPb.HAMT_SHARD) {
                throw new VerificationException(sc.toString(), Kind.MALFORMED,
                        "linked as a HAMT sub-shard of " + c + " but of UnixFS type "
                        + su.type());
            }
            shard(sc, sn, su, links, names, depth + 1);
        }
    }

    /** Examines each child's root block, {@value #PARALLEL} at a time. */
    private List<Entry> entries(List<DagPb.Link> links, List<String> names) throws IOException {
        Stat[] stats = new Stat[links.size()];
        if (links.size() <= 1) {
            for (int i = 0; i < links.size(); i++) {
                stats[i] = stat(links.get(i).cid());
            }
        } else {
            Semaphore permits = new Semaphore(PARALLEL);
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Stat>> fs = new ArrayList<>();
                for (DagPb.Link l : links) {
                    fs.add(ex.submit(() -> {
                        permits.acquire();
                        try {
                            return stat(l.cid());
                        } finally {
                            permits.release();
                        }
                    }));
                }
                for (int i = 0; i < stats.length; i++) {
                    try {
                        stats[i] = fs.get(i).get();
                    } catch (ExecutionException e) {
                        fs.forEach(f -> f.cancel(true));
                        if (e.getCause() instanceof IOException io) {
                            throw io;
                        }
                        if (e.getCause() instanceof RuntimeException r) {
                            throw r;
                        }
                        throw new IOException(e.getCause());
                    } catch (InterruptedException e) {
                        fs.forEach(f -> f.cancel(true));
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("listing interrupted");
                    }
                }
            }
        }
        List<Entry> out = new ArrayList<>(stats.length);
        for (int i = 0; i < stats.length; i++) {
            out.add(new Entry(names.get(i), links.get(i).cid(), stats[i].type(), stats[i].size(), stats[i].unixfsType()));
        }
        return out;
    }

    /** Type and size of {@code c}, from its verified root block. */
    /**
     * What {@code c} itself names (a file with its size, a directory, or other), from its own root
     * block, verified; {@code name} is "".
     *
     * @throws VerificationException naming the block at fault
     * @throws IOException           from the source
     */
    public Entry entry(Cid c) throws IOException {
        Stat s = stat(c);
        return new Entry("", c, s.type(), s.size(), s.unixfsType());
    }

    private Stat stat(Cid c) throws IOException {
        if (c.codec() == Cid.RAW) {
            long len = c.multihash().code() == Multihash.IDENTITY ? c.multihash().digest().length : block(c).length;
            return new Stat(Type.FILE, len, -1);
        }
        if (c.codec() != Cid.DAG_PB) {
            return new Stat(Type.OTHER, 0, -1);
        }
        byte[] b = block(c);
        DagPb.Node node = node(c, b);
        return stat(c, b, node, unixfs(c, b, node));
    }

    private Stat stat(Cid c, byte[] b, DagPb.Node node, DagPb.UnixFs u) throws VerificationException {
        return switch (u.type()) {
            case DagPb.FILE, DagPb.RAW -> {
                long total = u.dataLen();
                for (long s : u.blocksizes()) {
                    total += s;
                }
                if (u.blocksizes().length != node.links().size()) {
                    throw new VerificationException(c.toString(), Kind.MALFORMED, node.links().size() + " links but "
                            + u.blocksizes().length + " blocksizes");
                }
                if (u.filesize() >= 0 && u.filesize() != total) {
                    throw new VerificationException(c.toString(), Kind.MALFORMED, "UnixFS filesize " + u.filesize()
                            + " differs from its data and blocksizes (" + total + ")");
                }
                yield new Stat(Type.FILE, total, u.type());
            }
            case DagPb.DIRECTORY, DagPb.HAMT_SHARD -> {
                keep(c, b);
                yield new Stat(Type.DIRECTORY, 0, u.type());
            }
            default -> new Stat(Type.OTHER, 0, u.type());
        };
    }

    private static DagPb.Node node(Cid c, byte[] b) throws VerificationException {
        try {
            return DagPb.node(b, 0, b.length);
        } catch (IllegalArgumentException e) {
            throw new VerificationException(c.toString(), Kind.MALFORMED, "malformed dag-pb block: " + e.getMessage());
        }
    }

    private static DagPb.UnixFs unixfs(Cid c, byte[] b, DagPb.Node node) throws VerificationException {
        if (node.dataOff() < 0) {
            throw new VerificationException(c.toString(), Kind.MALFORMED, "dag-pb block without UnixFS Data");
        }
        try {
            return DagPb.unixfs(b, node.dataOff(), node.dataLen());
        } catch (IllegalArgumentException e) {
            throw new VerificationException(c.toString(), Kind.MALFORMED, "malformed UnixFS Data: " + e.getMessage());
        }
    }

    /** The block {@code c}, from what is kept or from the source, checked against {@code c}. */
    private byte[] block(Cid c) throws IOException {
        if (c.multihash().code() == Multihash.IDENTITY) {
            return c.multihash().digest();
        }
        synchronized (kept) {
            byte[] k = kept.get(c);
            if (k != null) {
                return k;
            }
        }
        byte[] b = source.get(c);
        check(c, b);
        return b;
    }

    /**
     * Checks {@code data} against {@code c}'s multihash.
     *
     * @throws VerificationException naming {@code c} when it does not match or the hash function is not supported
     */
    public static void check(Cid c, byte[] data) throws VerificationException {
        MessageDigest md = null;
        if (c.multihash().code() != Multihash.IDENTITY) {
            try {
                md = c.multihash().newDigest();
            } catch (Multihash.UnsupportedHashException e) {
                throw new VerificationException(c.toString(), Kind.UNVERIFIABLE, e.getMessage());
            }
        }
        if (data == null || !c.multihash().matches(md, data, 0, data.length)) {
            throw new VerificationException(c.toString(), Kind.ALTERED,
                    "block data does not hash to its CID (altered)");
        }
    }

    /** Keeps a verified directory block for a listing of it soon after. */
    private void keep(Cid c, byte[] b) {
        if (c.multihash().code() == Multihash.IDENTITY || b.length > KEEP_BYTES / 4) {
            return;
        }
        synchronized (kept) {
            if (kept.put(c, b) == null) {
                keptBytes += b.length;
            }
            var it = kept.values().iterator();
            while (keptBytes > KEEP_BYTES && it.hasNext()) {
                keptBytes -= it.next().length;
                it.remove();
            }
        }
    }

    /** Blocks of directories kept now (for tests). */
    int kept() {
        synchronized (kept) {
            return kept.size();
        }
    }

    /** Forgets the kept blocks. */
    public void clear() {
        synchronized (kept) {
            kept.clear();
            keptBytes = 0;
        }
    }
}

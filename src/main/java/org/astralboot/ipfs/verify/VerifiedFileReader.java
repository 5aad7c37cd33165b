package org.astralboot.ipfs.verify;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.astralboot.ipfs.verify.VerificationException.Kind;

/**
 * The bytes of a UnixFS file, taken from an untrusted CAR stream and released only once verified.
 *
 * <p>The file's DAG is walked depth-first from its root CID, the order in which Kubo writes it
 * ({@code ipfs dag export}, and the trustless gateway with {@code order=dfs}); each block read is
 * checked before anything is done with it: it must be the block the walk expects next, its
 * multihash must match its data, it must decode (raw leaf, or dag-pb with UnixFS File/Raw data),
 * and its size must agree with what its parent's {@code blocksizes} announced (the root with the
 * size the caller expects). Only then are its bytes emitted, so everything a reader ever gets is
 * part of the file the root CID names. On the first failure a {@link VerificationException}
 * naming the CID at fault is thrown, and every later read throws it again: nothing further is
 * emitted. One exception: a block that the stream rebuilt itself from unverifiable bytes rather than
 * received ({@link BlockStream#again}) and that does not hash to its CID is replaced by the source's
 * own copy, checked the same way; only that copy failing is a failure.
 *
 * <p>Duplicates: a file with repeated chunks links the same block several times. The trustless
 * gateway repeats it when asked ({@code dups=y}); {@code dag export} sends it once. For a stream
 * without duplicates the most recent blocks (up to {@link #REPLAY_BYTES}) are kept to replay a
 * repeated block; a repeat older than that is fetched alone from the {@link BlockSource} given
 * (and verified the same way), or reported as missing without one.
 *
 * <p>Ranges: bytes {@code [offset, offset + length)} only. A {@code scoped} stream carries only the
 * blocks of that range (the gateway's {@code entity-bytes}); subtrees outside it are then not
 * expected. Otherwise the blocks before the range are read and verified but not emitted, and the
 * stream is abandoned once the range is complete. A whole-file read also requires that nothing
 * follows the last block.
 *
 * <p>Not thread-safe; one reader per stream.
 */
public final class VerifiedFileReader implements Closeable {
    /** Blocks kept to replay a repeat in a stream without duplicates. */
    static final int REPLAY_BYTES = 8 << 20;

    /** Fetches one block by CID (Kubo: {@code block/get}); its answer is verified like any block. */
    @FunctionalInterface
    public interface BlockSource {
        byte[] get(Cid cid) throws IOException;
    }

    private record Pending(Cid cid, long start, long length) {
    }

    private final Cid root;
    private final long size;
    private final long offset;
    private final long end;
    private final boolean whole;
    private final boolean dups;
    private final boolean scoped;
    private final BlockPrefetch car;
    private final ArrayDeque<Pending> stack = new ArrayDeque<>();
    private final Map<Integer, MessageDigest> digests = new HashMap<>();
    private final LinkedHashMap<Cid, CarReader.Block> replay = new LinkedHashMap<>(64, 0.75f, true);
    private long replayBytes;
    private final java.util.Set<Cid> seen = new java.util.HashSet<>();
    private final BlockSource single;
    private byte[] cur;
    /** The array of the block last taken from the stream, handed back once it is consumed (when not kept for replay). */
    private byte[] taken;
    private int curPos;
    private int curEnd;
    private boolean done;
    private VerificationException failure;
    private long blocks;

    /**
     * Reads the CAR header (so a stream that is not a CAR for {@code root} fails here).
     *
     * @param root   the file's CID
     * @param size   the file's size as the caller knows it (from the directory listing); the
     *               root's UnixFS size must agree
     * @param offset first byte wanted
     * @param length bytes wanted
     * @param car    the CAR stream; closed by {@link #close}
     * @param dups   whether the stream repeats duplicate blocks
     * @param scoped whether the stream carries only the blocks of the range
     */
    public VerifiedFileReader(Cid root, long size, long offset, long length, InputStream car, boolean dups,
            boolean scoped) throws IOException {
        this(root, size, offset, length, car, dups, scoped, null);
    }

    /** As above, with {@code single} to fetch a repeated block no longer held (streams without duplicates). */
    public VerifiedFileReader(Cid root, long size, long offset, long length, InputStream car, boolean dups,
            boolean scoped, BlockSource single) throws IOException {
        this(root, size, offset, length, car, dups, scoped, single, null);
    }

    /**
     * As above, the stream read up to {@link BlockPrefetch#AHEAD} blocks ahead of the checks on a
     * thread from {@code prefetch} (null: on the reader's thread), so that the node's socket is
     * drained while blocks are hashed.
     */
    public VerifiedFileReader(Cid root, long size, long offset, long length, InputStream car, boolean dups,
            boolean scoped, BlockSource single, java.util.concurrent.Executor prefetch) throws IOException {
        this(root, size, offset, length, dups, scoped, single, carOf(root, car), prefetch);
    }

    /**
     * The whole file {@code root} of {@code size} bytes from {@code blocks}, which must give every
     * block of the walk, a repeated block each time it is linked (like a CAR with {@code dups=y}),
     * and nothing after the last one. The stream's own threads read ahead; none is added here.
     */
    public VerifiedFileReader(Cid root, long size, BlockStream blocks) {
        this(root, size, 0, size, true, false, null, blocks, null);
    }

    private VerifiedFileReader(Cid root, long size, long offset, long length, boolean dups, boolean scoped,
            BlockSource single, BlockStream blocks, java.util.concurrent.Executor prefetch) {
        this.single = single;
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + size);
        }
        this.root = root;
        this.size = size;
        this.offset = offset;
        this.end = offset + length;
        this.whole = offset == 0 && length == size;
        this.dups = dups;
        this.scoped = scoped;
        this.car = new BlockPrefetch(blocks, prefetch);
        stack.push(new Pending(root, 0, size));
    }

    /** Reads the CAR header: a stream that is not a CAR for {@code root} fails here. */
    private static CarReader carOf(Cid root, InputStream car) throws IOException {
        CarReader reader = new CarReader(car);
        if (!reader.roots().contains(root)) {
            throw new VerificationException(root.toString(), Kind.MALFORMED, "the CAR stream's roots " + reader.roots()
                    + " do not include the requested CID");
        }
        return reader;
    }

    /** Blocks verified so far. */
    public long blocks() {
        return blocks;
    }

    /** Up to {@code dst.remaining()} verified bytes; -1 at the end of the range. */
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(dst.remaining(), curEnd - curPos);
        dst.put(cur, curPos, n);
        curPos += n;
        return n;
    }

    /** As {@link #read(ByteBuffer)} into an array. */
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, curEnd - curPos);
        System.arraycopy(cur, curPos, b, off, n);
        curPos += n;
        return n;
    }

    /** Makes verified bytes available in {@code cur}; false at the end. */
    private boolean fill() throws IOException {
        if (failure != null) {
            throw failure;
        }
        try {
            while (cur == null || curPos == curEnd) {
                cur = null;
                if (done || !step()) {
                    done = true;
                    return false;
                }
            }
            return true;
        } catch (VerificationException e) {
            failure = e;
            cur = null;
            throw e;
        }
    }

    /** Processes the next block of the walk; false when the range is complete. */
    private boolean step() throws IOException {
        if (taken != null) {
            car.recycle(taken); // its bytes have all been read
            taken = null;
        }
        if (stack.isEmpty() || (!whole && stack.peek().start() >= end)) {
            if (whole) {
                CarReader.Block extra = car.next();
                if (extra != null) {
                    throw new VerificationException(extra.cid().toString(), Kind.MALFORMED,
                            "unexpected block after the last block of " + root);
                }
            }
            return false;
        }
        Pending p = stack.pop();
        Cid c = p.cid();
        CarReader.Block b = block(c);
        blocks++;
        if (c.codec() == Cid.RAW) {
            if (b.len() != p.length()) {
                throw new VerificationException(c.toString(), Kind.MALFORMED, "raw block of " + b.len()
                        + " bytes where its parent announced " + p.length());
            }
            emit(b.buf(), b.off(), b.len(), p.start());
        } else if (c.codec() == Cid.DAG_PB) {
            dagPb(c, b, p);
        } else {
            throw new VerificationException(c.toString(), Kind.MALFORMED, "codec 0x" + Long.toHexString(c.codec())
                    + " is not a UnixFS file block (dag-pb or raw)");
        }
        return true;
    }

    private void dagPb(Cid c, CarReader.Block b, Pending p) throws VerificationException {
        DagPb.Node node;
        DagPb.UnixFs u;
        try {
            node = DagPb.node(b.buf(), b.off(), b.len());
            if (node.dataOff() < 0) {
                throw new IllegalArgumentException("no UnixFS Data");
            }
            u = DagPb.unixfs(b.buf(), node.dataOff(), node.dataLen());
        } catch (IllegalArgumentException e) {
            throw new VerificationException(c.toString(), Kind.MALFORMED,
                    "malformed dag-pb/UnixFS block: " + e.getMessage());
        }
        if (u.type() != DagPb.FILE && u.type() != DagPb.RAW) {
            throw new VerificationException(c.toString(), Kind.MALFORMED, "UnixFS type " + u.type() + " is not a file");
        }
        List<DagPb.Link> links = node.links();
        if (links.size() != u.blocksizes().length) {
            throw new VerificationException(c.toString(), Kind.MALFORMED,
                    links.size() + " links but " + u.blocksizes().length
                    + " blocksizes");
        }
        long total = u.dataLen();
        for (long s : u.blocksizes()) {
            total += s;
        }
        if (u.filesize() >= 0 && u.filesize() != total) {
            throw new VerificationException(c.toString(), Kind.MALFORMED, "UnixFS filesize " + u.filesize()
                    + " differs from its data and blocksizes (" + total + ")");
        }
        if (total != p.length()) {
            throw new VerificationException(c.toString(), Kind.MALFORMED, "holds " + total + " bytes where "
                    + (p.start() == 0 && c.equals(root) ? "the file's size is " : "its parent announced ") + p.length());
        }
        long childStart = p.start() + total;
        for (int i = links.size() - 1; i >= 0; i--) {
            long len = u.blocksizes()[i];
            childStart -= len;
            if (scoped && (childStart >= end || childStart + len <= offset) && !(len == 0 && childStart == offset)) {
                continue;
            }
            stack.push(new Pending(links.get(i).cid(), childStart, len));
        }
        emit(b.buf(), u.dataOff(), u.dataLen(), p.start());
    }

    /** Makes {@code buf[off, off+len)}, the file's bytes from {@code start}, readable where they fall in the range. */
    private void emit(byte[] buf, int off, int len, long start) {
        long from = Math.max(start, offset);
        long to = Math.min(start + len, end);
        if (from < to) {
            cur = buf;
            curPos = off + (int) (from - start);
            curEnd = off + (int) (to - start);
        }
    }

    /** The next block of the walk, verified against {@code c}. */
    private CarReader.Block block(Cid c) throws IOException {
        if (c.multihash().code() == Multihash.IDENTITY) {
            byte[] d = c.multihash().digest();
            return new CarReader.Block(c, d, 0, d.length);
        }
        CarReader.Block b;
        if (!dups && seen.contains(c)) {
            CarReader.Block r = replay.get(c);
            if (r != null) {
                return r;
            }
            if (single == null) {
                throw new VerificationException(c.toString(), Kind.MISSING,
                        "repeated block no longer held and no way to fetch it alone");
            }
            byte[] d = single.get(c);
            b = new CarReader.Block(c, d, 0, d.length);
        } else {
            b = next(c);
        }
        return check(c, b);
    }

    /** The next block of the stream, which must be {@code c}. */
    private CarReader.Block next(Cid c) throws IOException {
        CarReader.Block b;
        try {
            b = car.next();
        } catch (java.io.EOFException e) {
            throw new VerificationException(c.toString(), Kind.TRUNCATED,
                    "the CAR stream was cut inside a block (" + e.getMessage() + ")");
        } catch (VerificationException e) {
            throw e;
        } catch (IOException e) {
            if (e.getCause() instanceof IllegalArgumentException || e.getMessage() != null
                    && e.getMessage().startsWith("CAR section")) {
                throw new VerificationException(c.toString(), Kind.MALFORMED, e.getMessage());
            }
            throw e;
        }
        if (b == null) {
            throw new VerificationException(c.toString(), Kind.MISSING,
                    "the CAR stream ended before this block (truncated or missing)");
        }
        if (!b.cid().equals(c)) {
            throw new VerificationException(c.toString(), Kind.MISSING,
                    "expected next in depth-first order, the stream sent "
                    + b.cid() + " instead (missing, reordered or unrelated block)");
        }
        return b;
    }

    /** Verifies {@code b} against {@code c} and remembers it for repeats. */
    private CarReader.Block check(Cid c, CarReader.Block b) throws IOException {
        MessageDigest md;
        try {
            md = digests.get(c.multihash().code());
            if (md == null) {
                md = c.multihash().newDigest();
                digests.put(c.multihash().code(), md);
            }
        } catch (Multihash.UnsupportedHashException e) {
            throw new VerificationException(c.toString(), Kind.UNVERIFIABLE, e.getMessage());
        }
        if (!c.multihash().matches(md, b.buf(), b.off(), b.len())) {
            CarReader.Block copy = car.again(c);
            if (copy == null || !c.multihash().matches(md, copy.buf(), copy.off(), copy.len())) {
                throw new VerificationException(c.toString(), Kind.ALTERED,
                        "block data does not hash to its CID (altered)");
            }
            b = copy;
        }
        if (!dups) {
            seen.add(c);
            replay.put(c, b);
            replayBytes += b.buf().length;
            var it = replay.values().iterator();
            while (replayBytes > REPLAY_BYTES && it.hasNext()) {
                byte[] old = it.next().buf();
                replayBytes -= old.length;
                it.remove();
                if (old != b.buf()) {
                    car.recycle(old); // the block just added is the newest: never evicted here
                }
            }
        } else {
            taken = b.buf();
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        car.close();
    }
}

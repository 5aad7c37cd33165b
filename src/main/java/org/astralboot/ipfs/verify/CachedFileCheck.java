package org.astralboot.ipfs.verify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import org.astralboot.ipfs.verify.VerificationException.Kind;

/**
 * Whether a local copy of a UnixFS file (a cache file) holds exactly the bytes its CID names,
 * without trusting the node for the answer and without downloading the file again where the DAG
 * allows it.
 *
 * <p>The file's DAG is walked from its root CID. Inner (dag-pb) blocks come from the
 * {@link VerifiedFileReader.BlockSource} and are each checked against the CID that links them, so
 * the structure (which leaf covers which bytes) is the one the root CID fixes. Each leaf is then
 * compared with the local bytes it covers: a raw leaf (CIDv1, or {@code --raw-leaves}) by hashing
 * those local bytes and comparing with the leaf's multihash, with nothing fetched; a dag-pb leaf
 * (CIDv0 without raw leaves) by fetching the leaf block (verified) and comparing its data; inline
 * data and identity CIDs directly. The local file must have exactly the file's size.
 *
 * <p>Two outcomes are kept apart: the local bytes differ (a {@link Mismatch}, the copy is wrong);
 * or a block from the source does not verify (a {@link VerificationException}: the source is
 * wrong, nothing is known about the copy).
 */
public final class CachedFileCheck {
    /** Largest leaf compared in one piece (Bitswap's block limit is 2 MiB). */
    private static final int MAX_LEAF = 4 << 20;

    private CachedFileCheck() {
    }

    /** Where and why the local copy differs from the file its CID names. */
    public record Mismatch(long from, long to, String cid, String why) {
        @Override
        public String toString() {
            return "bytes [" + from + ", " + to + ") " + why + " (block " + cid + ")";
        }
    }

    private record Pending(Cid cid, long start, long length) {
    }

    /**
     * Compares {@code local} (read from position 0) with the file {@code root}.
     *
     * @param blocks fetches one block by CID; every block it returns is verified here
     * @return empty when the copy is exact, else the first difference found
     * @throws VerificationException naming the block when the source answered a block that does not verify
     * @throws IOException           reading the copy or from the source
     */
    public static Optional<Mismatch> check(Cid root, FileChannel local, VerifiedFileReader.BlockSource blocks)
            throws IOException {
        long size = local.size();
        ArrayDeque<Pending> stack = new ArrayDeque<>();
        stack.push(new Pending(root, 0, -1));
        while (!stack.isEmpty()) {
            Pending p = stack.pop();
            Cid c = p.cid();
            boolean identity = c.multihash().code() == Multihash.IDENTITY;
            if (c.codec() == Cid.RAW) {
                long len = p.length() < 0 ? size : p.length();
                if (p.length() < 0 && identity && len != c.multihash().digest().length) {
                    return Optional.of(new Mismatch(0, size, c.toString(), "differ in length from the file's "
                            + c.multihash().digest().length));
                }
                if (len > MAX_LEAF) {
                    if (p.length() < 0) {
                        return Optional.of(new Mismatch(0, size, c.toString(), "are too many for a single raw block"));
                    }
                    throw new VerificationException(c.toString(), Kind.MALFORMED,
                            "raw leaf of " + len + " bytes announced");
                }
                byte[] mine = read(local, p.start(), (int) len);
                if (!matches(c, mine)) {
                    return Optional.of(new Mismatch(p.start(), p.start() + len, c.toString(), "do not hash to this leaf"));
                }
                continue;
            }
            if (c.codec() != Cid.DAG_PB) {
                throw new VerificationException(c.toString(), Kind.MALFORMED, "codec 0x" + Long.toHexString(c.codec())
                        + " is not a UnixFS file block (dag-pb or raw)");
            }
            byte[] b = identity ? c.multihash().digest() : blocks.get(c);
            VerifiedDirectory.check(c, b);
            DagPb.Node node;
            DagPb.UnixFs u;
            try {
                node = DagPb.node(b, 0, b.length);
                if (node.dataOff() < 0) {
                    throw new IllegalArgumentException("no UnixFS Data");
                }
                u = DagPb.unixfs(b, node.dataOff(), node.dataLen());
            } catch (IllegalArgumentException e) {
                throw new VerificationException(c.toString(), Kind.MALFORMED,
                        "malformed dag-pb/UnixFS block: " + e.getMessage());
            }
            if (u.type() != DagPb.FILE && u.type() != DagPb.RAW) {
                throw new VerificationException(c.toString(), Kind.MALFORMED,
                        "UnixFS type " + u.type() + " is not a file");
            }
            if (node.links().size() != u.blocksizes().length) {
                throw new VerificationException(c.toString(), Kind.MALFORMED, node.links().size() + " links but "
                        + u.blocksizes().length + " blocksizes");
            }
            long total = u.dataLen();
            for (long s : u.blocksizes()) {
                total += s;
            }
            if (p.length() < 0) {
                if (total != size) {
                    return Optional.of(new Mismatch(0, size, c.toString(), "are " + size + " bytes where the file has "
                            + total));
                }
            } else if (total != p.length()) {
                throw new VerificationException(c.toString(), Kind.MALFORMED,
                        "holds " + total + " bytes where its parent announced "
                        + p.length());
            }
            if (u.dataLen() > 0) {
                byte[] mine = read(local, p.start(), u.dataLen());
                if (!Arrays.equals(mine, 0, mine.length, b, u.dataOff(), u.dataOff() + u.dataLen())) {
                    return Optional.of(new Mismatch(p.start(), p.start() + u.dataLen(), c.toString(),
                            "differ from this block's data"));
                }
            }
            long childStart = p.start() + total;
            for (int i = node.links().size() - 1; i >= 0; i--) {
                long len = u.blocksizes()[i];
                childStart -= len;
                stack.push(new Pending(node.links().get(i).cid(), childStart, len));
            }
        }
        return Optional.empty();
    }

    private static boolean matches(Cid c, byte[] data) throws VerificationException {
        if (c.multihash().code() == Multihash.IDENTITY) {
            return Arrays.equals(c.multihash().digest(), data);
        }
        try {
            return c.multihash().matches(c.multihash().newDigest(), data, 0, data.length);
        } catch (Multihash.UnsupportedHashException e) {
            throw new VerificationException(c.toString(), Kind.UNVERIFIABLE, e.getMessage());
        }
    }

    private static byte[] read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len);
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                throw new java.io.EOFException("local copy ends at " + (pos + buf.position()));
            }
        }
        return buf.array();
    }
}

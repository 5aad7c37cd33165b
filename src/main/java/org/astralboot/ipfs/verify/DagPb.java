package org.astralboot.ipfs.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * Decoding of dag-pb blocks (ipld.io/specs/codecs/dag-pb/spec) and of the UnixFS {@code Data}
 * message they carry (specs.ipfs.tech/unixfs). Payloads are returned as offsets into the block,
 * not copies: a 256 KiB leaf is hashed and emitted from the array it arrived in.
 */
public final class DagPb {
    private DagPb() {
    }

    /** {@code PBLink}: the child's CID and the (advisory) cumulative size of its DAG. */
    public record Link(Cid cid, String name, long tsize) {
    }

    /** {@code PBNode}: links in order, and the Data field as {@code block[dataOff, dataOff+dataLen)} ({@code dataOff} -1: absent). */
    public record Node(List<Link> links, int dataOff, int dataLen) {
    }

    /** UnixFS {@code Data} message type values. */
    public static final int RAW = 0;
    public static final int DIRECTORY = 1;
    public static final int FILE = 2;
    public static final int METADATA = 3;
    public static final int SYMLINK = 4;
    public static final int HAMT_SHARD = 5;

    /**
     * UnixFS {@code Data}: the type, the inline bytes as {@code block[dataOff, dataOff+dataLen)}
     * (length 0 when absent), {@code filesize} (-1 when absent), one {@code blocksizes} entry per
     * link, and a HAMT shard's {@code fanout} (-1 when absent).
     */
    public record UnixFs(int type, int dataOff, int dataLen, long filesize, long[] blocksizes, long fanout) {
    }

    /** Decodes a dag-pb block; IllegalArgumentException when it is not one. */
    public static Node node(byte[] b, int off, int len) {
        List<Link> links = new ArrayList<>();
        int dataOff = -1;
        int dataLen = 0;
        ProtoReader r = new ProtoReader(b, off, len);
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    r.expect(2);
                    dataOff = r.bytes();
                    dataLen = r.lastLength();
                }
                case 2 -> {
                    r.expect(2);
                    int at = r.bytes();
                    links.add(link(b, at, r.lastLength()));
                }
                default -> throw new IllegalArgumentException("dag-pb PBNode has unknown field " + r.field());
            }
        }
        return new Node(List.copyOf(links), dataOff, dataLen);
    }

    private static Link link(byte[] b, int off, int len) {
        ProtoReader r = new ProtoReader(b, off, len);
        Cid cid = null;
        String name = null;
        long tsize = -1;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    r.expect(2);
                    int at = r.bytes();
                    cid = Cid.fromBytes(java.util.Arrays.copyOfRange(b, at, at + r.lastLength()));
                }
                case 2 -> {
                    r.expect(2);
                    int at = r.bytes();
                    name = new String(b, at, r.lastLength(), java.nio.charset.StandardCharsets.UTF_8);
                }
                case 3 -> {
                    r.expect(0);
                    tsize = r.varint();
                }
                default -> throw new IllegalArgumentException("dag-pb PBLink has unknown field " + r.field());
            }
        }
        if (cid == null) {
            throw new IllegalArgumentException("dag-pb PBLink without Hash");
        }
        return new Link(cid, name, tsize);
    }

    /** Decodes the UnixFS {@code Data} message at {@code b[off, off+len)}. */
    public static UnixFs unixfs(byte[] b, int off, int len) {
        ProtoReader r = new ProtoReader(b, off, len);
        int type = -1;
        int dataOff = off;
        int dataLen = 0;
        long filesize = -1;
        long fanout = -1;
        long[] sizes = new long[8];
        int n = 0;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    r.expect(0);
                    type = (int) r.varint();
                }
                case 2 -> {
                    r.expect(2);
                    dataOff = r.bytes();
                    dataLen = r.lastLength();
                }
                case 3 -> {
                    r.expect(0);
                    filesize = r.varint();
                }
                case 4 -> {
                    if (r.wire() == 2) { // packed, which proto2 writers may also emit
                        int at = r.bytes();
                        ProtoReader p = new ProtoReader(b, at, r.lastLength());
                        while (p.hasMore()) {
                            if (n == sizes.length) {
                                sizes = java.util.Arrays.copyOf(sizes, n * 2);
                            }
                            sizes[n++] = p.varint();
                        }
                    } else {
                        r.expect(0);
                        if (n == sizes.length) {
                            sizes = java.util.Arrays.copyOf(sizes, n * 2);
                        }
                        sizes[n++] = r.varint();
                    }
                }
                case 6 -> {
                    r.expect(0);
                    fanout = r.varint();
                }
                default -> r.skip(); // hashType, mode, mtime: not needed for a file's bytes or a listing
            }
        }
        if (type < 0) {
            throw new IllegalArgumentException("UnixFS Data without Type");
        }
        long[] bs = java.util.Arrays.copyOf(sizes, n);
        for (long s : bs) {
            if (s < 0) {
                throw new IllegalArgumentException("UnixFS blocksize " + s);
            }
        }
        return new UnixFs(type, dataOff, dataLen, filesize, bs, fanout);
    }
}

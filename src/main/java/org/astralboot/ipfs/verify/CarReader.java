package org.astralboot.ipfs.verify;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a CARv1 stream (ipld.io/specs/transport/car/carv1): a varint-length-prefixed dag-cbor
 * header {@code {version: 1, roots: [CID...]}}, then sections of {@code varint(len) CID data}.
 * It only splits the stream: checking the blocks against their CIDs is the caller's job
 * ({@link VerifiedFileReader}). Sections larger than {@link #MAX_SECTION} are refused, so a
 * hostile length cannot make us allocate gigabytes.
 */
public final class CarReader implements BlockStream {
    /** Bigger than any block a node exchanges (Bitswap's limit is 2 MiB) plus its CID. */
    static final int MAX_SECTION = 4 << 20;
    private static final int MAX_HEADER = 64 * 1024;

    /** One block as it arrived: {@code cid} and the data {@code buf[off, off+len)}. */
    public record Block(Cid cid, byte[] buf, int off, int len) {
    }

    private final InputStream in;
    private final List<Cid> roots;
    private long position;

    public CarReader(InputStream raw) throws IOException {
        this.in = new BufferedInputStream(raw, 64 * 1024);
        long n = Varint.read(in);
        if (n < 0) {
            throw new EOFException("empty CAR stream");
        }
        if (n == 0 || n > MAX_HEADER) {
            throw new IOException("CAR header length " + n + " is not plausible");
        }
        byte[] h = in.readNBytes((int) n);
        if (h.length != n) {
            throw new EOFException("CAR stream ended inside its header");
        }
        Object header;
        try {
            Cbor c = new Cbor(h);
            header = c.item(0);
            if (c.pos != h.length) {
                throw new IllegalArgumentException("bytes after the header map");
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IOException("CAR header is not valid dag-cbor: " + e.getMessage(), e);
        }
        if (!(header instanceof Map<?, ?> m) || !Long.valueOf(1).equals(m.get("version"))) {
            throw new IOException("not a CARv1 header: " + header);
        }
        List<Cid> r = new ArrayList<>();
        if (m.get("roots") instanceof List<?> l) {
            for (Object o : l) {
                if (!(o instanceof Cid c)) {
                    throw new IOException("CAR header root is not a CID: " + o);
                }
                r.add(c);
            }
        }
        this.roots = List.copyOf(r);
        this.position = varintLength(n) + n;
    }

    public List<Cid> roots() {
        return roots;
    }

    /** The next block, or null at the end of the stream (which must fall between sections). */
    public Block next() throws IOException {
        return next(null);
    }

    /**
     * As {@link #next()}, the section read into {@code reuse} when it is large enough (a new array
     * otherwise): a caller that recycles the arrays of blocks it is done with saves allocating and
     * zeroing 100 MiB of heap per 100 MiB file.
     */
    @Override
    public Block next(byte[] reuse) throws IOException {
        long n = Varint.read(in);
        if (n < 0) {
            return null;
        }
        if (n == 0 || n > MAX_SECTION) {
            throw new IOException("CAR section length " + n + " at byte " + position + " is not plausible");
        }
        // One array filled in place (readNBytes(int) would gather and copy chunks).
        int len = (int) n;
        byte[] b = reuse != null && reuse.length >= len ? reuse : new byte[len];
        if (in.readNBytes(b, 0, len) != n) {
            throw new EOFException("CAR stream ended inside a block at byte " + position);
        }
        int[] end = new int[1];
        Cid cid;
        try {
            cid = Cid.read(b, 0, len, end);
        } catch (IllegalArgumentException e) {
            throw new IOException("CAR section at byte " + position + " does not start with a CID: " + e.getMessage(), e);
        }
        position += varintLength(n) + n;
        return new Block(cid, b, end[0], len - end[0]);
    }

    private static int varintLength(long n) {
        int i = 1;
        while (n >= 0x80) {
            n >>>= 7;
            i++;
        }
        return i;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /**
     * The subset of dag-cbor (RFC 8949 with the IPLD tag 42 for links) a CAR header uses: maps,
     * arrays, text, bytes, integers, and CIDs. Anything else is refused.
     */
    private static final class Cbor {
        private final byte[] b;
        private int pos;

        Cbor(byte[] b) {
            this.b = b;
        }

        Object item(int depth) {
            if (depth > 16) {
                throw new IllegalArgumentException("nested too deeply");
            }
            int ib = b[pos++] & 0xFF;
            int major = ib >>> 5;
            long arg = arg(ib & 31);
            switch (major) {
                case 0:
                    return arg;
                case 1:
                    return -1 - arg;
                case 2:
                    return bytes(arg);
                case 3:
                    return new String(bytes(arg), StandardCharsets.UTF_8);
                case 4: {
                    List<Object> l = new ArrayList<>();
                    for (long i = 0; i < arg; i++) {
                        l.add(item(depth + 1));
                    }
                    return l;
                }
                case 5: {
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (long i = 0; i < arg; i++) {
                        Object k = item(depth + 1);
                        m.put(k, item(depth + 1));
                    }
                    return m;
                }
                case 6: {
                    Object v = item(depth + 1);
                    if (arg != 42 || !(v instanceof byte[] cb) || cb.length < 2 || cb[0] != 0) {
                        throw new IllegalArgumentException("tag " + arg + " is not a dag-cbor link");
                    }
                    return Cid.fromBytes(java.util.Arrays.copyOfRange(cb, 1, cb.length));
                }
                default:
                    throw new IllegalArgumentException("CBOR major type " + major + " is not expected in a CAR header");
            }
        }

        private long arg(int ai) {
            if (ai < 24) {
                return ai;
            }
            int n = switch (ai) {
                case 24 -> 1;
                case 25 -> 2;
                case 26 -> 4;
                case 27 -> 8;
                default -> throw new IllegalArgumentException("indefinite or reserved CBOR length " + ai);
            };
            long v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 8) | (b[pos++] & 0xFF);
            }
            if (v < 0 || v > b.length) {
                throw new IllegalArgumentException("CBOR length " + v + " larger than the header");
            }
            return v;
        }

        private byte[] bytes(long n) {
            if (n > b.length - pos) {
                throw new IllegalArgumentException("CBOR string runs past the header");
            }
            byte[] r = java.util.Arrays.copyOfRange(b, pos, pos + (int) n);
            pos += (int) n;
            return r;
        }
    }
}

package org.astralboot.ipfs.verify;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A content identifier (spec: github.com/multiformats/cid): CIDv0, a bare sha2-256 multihash of a
 * dag-pb block written in base58btc ({@code Qm...}), or CIDv1, {@code <version><codec><multihash>}
 * written with a multibase prefix. Codecs handled by the verifier: dag-pb (0x70) and raw (0x55).
 * Equality is on the binary form, so a CIDv0 and the CIDv1 of the same block differ, as they do
 * in a CAR stream.
 */
public final class Cid {
    public static final int DAG_PB = 0x70;
    public static final int RAW = 0x55;
    public static final int DAG_CBOR = 0x71;

    private final int version;
    private final long codec;
    private final Multihash multihash;
    private final byte[] bytes;

    private Cid(int version, long codec, Multihash multihash, byte[] bytes) {
        this.version = version;
        this.codec = codec;
        this.multihash = multihash;
        this.bytes = bytes;
    }

    public int version() {
        return version;
    }

    public long codec() {
        return codec;
    }

    public Multihash multihash() {
        return multihash;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** Parses the text form: {@code Qm...} (v0), or a multibase {@code b} (base32) or {@code z} (base58btc) v1. */
    public static Cid parse(String s) {
        if (s.length() == 46 && s.startsWith("Qm")) {
            return fromBytes(Multibase.base58Decode(s));
        }
        if (s.length() < 2) {
            throw new IllegalArgumentException("not a CID: '" + s + "'");
        }
        byte[] b = switch (s.charAt(0)) {
            case 'b' -> Multibase.base32Decode(s.substring(1));
            case 'z' -> Multibase.base58Decode(s.substring(1));
            default -> throw new IllegalArgumentException("CID '" + s + "' uses a multibase other than base32 (b) or base58btc (z)");
        };
        Cid c = fromBytes(b);
        if (c.version != 1) {
            throw new IllegalArgumentException("not a CIDv1: '" + s + "'");
        }
        return c;
    }

    /** Parses the binary form, which must be exactly {@code b}. */
    public static Cid fromBytes(byte[] b) {
        int[] end = new int[1];
        Cid c = read(b, 0, b.length, end);
        if (end[0] != b.length) {
            throw new IllegalArgumentException("bytes after the CID");
        }
        return c;
    }

    /** The binary CID at {@code b[pos]}; {@code end[0]} receives the position after it. */
    public static Cid read(byte[] b, int pos, int limit, int[] end) {
        if (limit - pos >= 34 && b[pos] == 0x12 && b[pos + 1] == 0x20) {
            end[0] = pos + 34;
            return new Cid(0, DAG_PB, new Multihash(Multihash.SHA2_256, Arrays.copyOfRange(b, pos + 2, pos + 34)),
                    Arrays.copyOfRange(b, pos, pos + 34));
        }
        int start = pos;
        long version = Varint.read(b, pos, limit, end);
        if (version != 1) {
            throw new IllegalArgumentException("CID version " + version + " is not supported");
        }
        long codec = Varint.read(b, end[0], limit, end);
        long code = Varint.read(b, end[0], limit, end);
        long len = Varint.read(b, end[0], limit, end);
        if (code > Integer.MAX_VALUE || len > limit - end[0]) {
            throw new IllegalArgumentException("multihash longer than its CID");
        }
        byte[] digest = Arrays.copyOfRange(b, end[0], end[0] + (int) len);
        end[0] += (int) len;
        return new Cid(1, codec, new Multihash((int) code, digest), Arrays.copyOfRange(b, start, end[0]));
    }

    /** A CIDv1 of {@code codec} and {@code mh}. */
    public static Cid v1(long codec, Multihash mh) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Varint.write(1, out);
        Varint.write(codec, out);
        Varint.write(mh.code(), out);
        Varint.write(mh.digest().length, out);
        out.writeBytes(mh.digest());
        return fromBytes(out.toByteArray());
    }

    /** CIDv0 in base58btc, CIDv1 in base32 with its {@code b} prefix (Kubo's defaults). */
    @Override
    public String toString() {
        return version == 0 ? Multibase.base58(bytes) : "b" + Multibase.base32(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cid c && Arrays.equals(c.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}

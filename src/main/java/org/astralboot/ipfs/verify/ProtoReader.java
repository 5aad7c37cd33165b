package org.astralboot.ipfs.verify;

/**
 * Protocol Buffers wire format, reading only (protobuf.dev/programming-guides/encoding): varint
 * (wire type 0), 64-bit (1), length-delimited (2) and 32-bit (5) fields; groups are refused.
 * Enough for dag-pb and UnixFS, which keep every field in these types.
 */
final class ProtoReader {
    private final byte[] b;
    private int pos;
    private final int limit;
    private int field;
    private int wire;

    ProtoReader(byte[] b, int off, int len) {
        this.b = b;
        this.pos = off;
        this.limit = off + len;
    }

    /** Advances to the next field; false at the end. */
    boolean next() {
        if (pos >= limit) {
            return false;
        }
        long key = varint();
        field = (int) (key >>> 3);
        wire = (int) (key & 7);
        if (field == 0) {
            throw new IllegalArgumentException("protobuf field number 0");
        }
        return true;
    }

    boolean hasMore() {
        return pos < limit;
    }

    int field() {
        return field;
    }

    int wire() {
        return wire;
    }

    long varint() {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= limit) {
                throw new IllegalArgumentException("protobuf varint runs past the end");
            }
            int x = b[pos++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("protobuf varint longer than 10 bytes");
    }

    /** The offset of a length-delimited field's bytes; {@link #lastLength} gives its length. */
    int bytes() {
        long n = varint();
        if (n < 0 || n > limit - pos) {
            throw new IllegalArgumentException("protobuf field longer than its message");
        }
        int at = pos;
        pos += (int) n;
        lastLength = (int) n;
        return at;
    }

    private int lastLength;

    int lastLength() {
        return lastLength;
    }

    void expect(int wireType) {
        if (wire != wireType) {
            throw new IllegalArgumentException("protobuf field " + field + " has wire type " + wire + ", expected " + wireType);
        }
    }

    void skip() {
        switch (wire) {
            case 0 -> varint();
            case 1 -> advance(8);
            case 2 -> bytes();
            case 5 -> advance(4);
            default -> throw new IllegalArgumentException("protobuf wire type " + wire + " is not supported");
        }
    }

    private void advance(int n) {
        if (n > limit - pos) {
            throw new IllegalArgumentException("protobuf field runs past the end");
        }
        pos += n;
    }
}

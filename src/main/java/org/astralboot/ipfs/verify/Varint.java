package org.astralboot.ipfs.verify;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Multiformats unsigned varint: 7 bits per byte, least significant group first, high bit set on
 * every byte but the last; at most 9 bytes (63 bits), minimal encoding required (spec:
 * github.com/multiformats/unsigned-varint). Protobuf varints are the same encoding but may reach
 * 10 bytes; {@link ProtoReader} has its own reader.
 */
public final class Varint {
    private Varint() {
    }

    /** The value at {@code b[pos]}; {@code end[0]} receives the position after it. */
    public static long read(byte[] b, int pos, int limit, int[] end) {
        long v = 0;
        for (int i = 0; i < 9; i++) {
            if (pos >= limit) {
                throw new IllegalArgumentException("varint runs past the end");
            }
            int x = b[pos++] & 0xFF;
            v |= (long) (x & 0x7F) << (7 * i);
            if ((x & 0x80) == 0) {
                if (x == 0 && i > 0) {
                    throw new IllegalArgumentException("varint not minimally encoded");
                }
                end[0] = pos;
                return v;
            }
        }
        throw new IllegalArgumentException("varint longer than 9 bytes");
    }

    /** The next varint of {@code in}, or -1 at a clean end of stream (before its first byte). */
    public static long read(InputStream in) throws IOException {
        long v = 0;
        for (int i = 0; i < 9; i++) {
            int x = in.read();
            if (x < 0) {
                if (i == 0) {
                    return -1;
                }
                throw new EOFException("stream ended inside a varint");
            }
            v |= (long) (x & 0x7F) << (7 * i);
            if ((x & 0x80) == 0) {
                if (x == 0 && i > 0) {
                    throw new IOException("varint not minimally encoded");
                }
                return v;
            }
        }
        throw new IOException("varint longer than 9 bytes");
    }

    /** Appends the encoding of {@code v} (non-negative) to {@code out}. */
    public static void write(long v, java.io.ByteArrayOutputStream out) {
        byte[] b = new byte[9];
        out.write(b, 0, write(v, b, 0));
    }

    /** Writes the encoding of {@code v} (non-negative) at {@code b[pos]}; returns the position after it. */
    public static int write(long v, byte[] b, int pos) {
        if (v < 0) {
            throw new IllegalArgumentException("negative varint " + v);
        }
        while (v >= 0x80) {
            b[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[pos++] = (byte) v;
        return pos;
    }

    /** Bytes of the encoding of {@code v} (non-negative). */
    public static int length(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }
}

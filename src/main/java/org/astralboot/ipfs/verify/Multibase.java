package org.astralboot.ipfs.verify;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The two multibase encodings CIDs use in practice: base32 lower case without padding (prefix
 * {@code b}, RFC 4648 §6 alphabet), the CIDv1 default, and base58btc (prefix {@code z} for CIDv1,
 * no prefix for CIDv0 {@code Qm...}). Spec: github.com/multiformats/multibase.
 */
public final class Multibase {
    private static final String B32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private Multibase() {
    }

    public static String base32(byte[] b) {
        StringBuilder s = new StringBuilder((b.length * 8 + 4) / 5);
        int buf = 0;
        int bits = 0;
        for (byte x : b) {
            buf = (buf << 8) | (x & 0xFF);
            bits += 8;
            while (bits >= 5) {
                s.append(B32.charAt((buf >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            s.append(B32.charAt((buf << (5 - bits)) & 31));
        }
        return s.toString();
    }

    public static byte[] base32Decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() * 5 / 8);
        int buf = 0;
        int bits = 0;
        for (int i = 0; i < s.length(); i++) {
            int v = B32.indexOf(Character.toLowerCase(s.charAt(i)));
            if (v < 0) {
                throw new IllegalArgumentException("not base32: '" + s.charAt(i) + "'");
            }
            buf = (buf << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buf >>> (bits - 8)) & 0xFF);
                bits -= 8;
            }
        }
        if (bits >= 5 || (buf & ((1 << bits) - 1)) != 0) {
            throw new IllegalArgumentException("base32 with trailing bits");
        }
        return out.toByteArray();
    }

    public static String base58(byte[] b) {
        int zeros = 0;
        while (zeros < b.length && b[zeros] == 0) {
            zeros++;
        }
        StringBuilder digits = new StringBuilder();
        BigInteger v = new BigInteger(1, b);
        BigInteger b58 = BigInteger.valueOf(58);
        while (v.signum() > 0) {
            BigInteger[] qr = v.divideAndRemainder(b58);
            digits.append(B58.charAt(qr[1].intValue()));
            v = qr[0];
        }
        StringBuilder s = new StringBuilder();
        s.append("1".repeat(zeros));
        s.append(digits.reverse());
        return s.toString();
    }

    public static byte[] base58Decode(String s) {
        BigInteger v = BigInteger.ZERO;
        BigInteger b58 = BigInteger.valueOf(58);
        int zeros = 0;
        while (zeros < s.length() && s.charAt(zeros) == '1') {
            zeros++;
        }
        for (int i = 0; i < s.length(); i++) {
            int d = B58.indexOf(s.charAt(i));
            if (d < 0) {
                throw new IllegalArgumentException("not base58btc: '" + s.charAt(i) + "'");
            }
            v = v.multiply(b58).add(BigInteger.valueOf(d));
        }
        byte[] mag = v.signum() == 0 ? new byte[0] : v.toByteArray();
        if (mag.length > 0 && mag[0] == 0) {
            mag = Arrays.copyOfRange(mag, 1, mag.length);
        }
        byte[] out = new byte[zeros + mag.length];
        System.arraycopy(mag, 0, out, zeros, mag.length);
        return out;
    }
}

package org.astralboot.net;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.Arrays;

/** IPv6 address text, prefix masking and 128-bit arithmetic. */
public final class Ipv6 {
    private Ipv6() {
    }

    /**
     * {@code a} in the RFC 5952 §4 form ({@code 2001:db8::1}: lower case, the longest run of two or
     * more zero groups compressed, the first of equal runs), without a zone. Java's own text writes
     * every group ({@code 2001:db8:0:0:0:0:0:1}).
     */
    public static String text(Inet6Address a) {
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int best = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** {@code [2001:db8::1]}, the host part of a URL (RFC 3986 §3.2.2). */
    public static String bracketed(Inet6Address a) {
        return "[" + text(a) + "]";
    }

    /** Whether {@code a} is a global unicast address (not link-local, loopback, multicast, site-local or ULA). */
    public static boolean global(Inet6Address a) {
        byte[] b = a.getAddress();
        boolean ula = (b[0] & 0xFE) == 0xFC;
        return !a.isLinkLocalAddress() && !a.isLoopbackAddress() && !a.isMulticastAddress()
                && !a.isSiteLocalAddress() && !a.isAnyLocalAddress() && !ula && !Arrays.equals(b, new byte[16]);
    }

    /**
     * {@code a} with the bits past the first {@code length} cleared, without zone: the first address
     * of the prefix of that length holding {@code a} (RFC 4291 §2.3).
     *
     * @param length prefix length, 0 to 128
     */
    public static Inet6Address masked(Inet6Address a, int length) {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("prefix length " + length + ", 0 to 128");
        }
        byte[] b = a.getAddress();
        for (int bit = length; bit < 128; bit++) {
            b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return (Inet6Address) Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The address as an unsigned 128-bit number (pools and prefixes compare and step with it). */
    public static BigInteger toBig(Inet6Address a) {
        return new BigInteger(1, a.getAddress());
    }

    /** The address of an unsigned 128-bit number (its low 128 bits). */
    public static Inet6Address fromBig(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] a = new byte[16];
        int n = Math.min(16, raw.length);
        System.arraycopy(raw, raw.length - n, a, 16 - n, n);
        try {
            return Inet6Address.getByAddress(null, a, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

package org.astralboot.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IPv4 helpers: addresses as unsigned 32-bit ints, and strict dotted-quad parsing (no DNS look-ups). */
public final class Ipv4 {
    private Ipv4() {
    }

    /**
     * Parses a dotted-quad literal. Never resolves host names.
     *
     * @throws IllegalArgumentException when the text is not four decimal octets
     */
    public static Inet4Address parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("IPv4 address is missing");
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            b[i] = (byte) v;
        }
        return fromBytes(b);
    }

    public static Inet4Address fromBytes(byte[] b) {
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    public static Inet4Address fromInt(int v) {
        return fromBytes(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    /** Dotted-quad text without the host-name part {@link InetAddress#toString()} adds. */
    public static String text(Inet4Address a) {
        return a.getHostAddress();
    }
}

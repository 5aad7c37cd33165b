package org.astralboot.net;

import java.util.HexFormat;
import java.util.Locale;

/**
 * A 48-bit Ethernet hardware address. Canonical text form is lower-case, colon separated
 * ({@code 52:54:00:12:34:56}), which is what iPXE's {@code ${net0/mac}} expands to.
 */
public record MacAddress(long value) implements Comparable<MacAddress> {

    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits");
        }
    }

    /** Builds an address from the first six bytes of {@code bytes} starting at {@code offset}. */
    public static MacAddress of(byte[] bytes, int offset) {
        if (offset < 0 || bytes.length - offset < 6) {
            throw new IllegalArgumentException("need 6 bytes for a MAC address");
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff}, {@code aa-bb-cc-dd-ee-ff} or {@code aabbccddeeff}, any case.
     *
     * @throws IllegalArgumentException when the text is not a MAC address
     */
    public static MacAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("MAC address is missing");
        }
        String hex;
        if (text.length() == 17) {
            char sep = text.charAt(2);
            if (sep != ':' && sep != '-') {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            StringBuilder sb = new StringBuilder(12);
            for (int i = 0; i < 17; i++) {
                char c = text.charAt(i);
                if (i % 3 == 2) {
                    if (c != sep) {
                        throw new IllegalArgumentException("not a MAC address: " + text);
                    }
                } else {
                    sb.append(c);
                }
            }
            hex = sb.toString();
        } else if (text.length() == 12) {
            hex = text;
        } else {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
        }
        return new MacAddress(Long.parseLong(hex, 16));
    }

    /** The six address bytes, most significant first. */
    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 5; i >= 0; i--) {
            b[i] = (byte) (value >>> (8 * (5 - i)));
        }
        return b;
    }

    /** Lower-case hex without separators, safe in file names and URL segments. */
    public String toHex() {
        return HexFormat.of().formatHex(toBytes());
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(value, o.value);
    }

    @Override
    public String toString() {
        String h = toHex();
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(h, i, i + 2);
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}

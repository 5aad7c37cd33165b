package org.astralboot.dhcp.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The options of one packet: at most one value per code (repeated options are concatenated on
 * decode, RFC 3396 §7), kept in first-appearance order. Immutable; values are copied in and out.
 */
public final class DhcpOptions {
    /** No options. */
    public static final DhcpOptions EMPTY = new DhcpOptions(new byte[256][], new int[0]);

    private final byte[][] values;
    private final int[] order;

    private DhcpOptions(byte[][] values, int[] order) {
        this.values = values;
        this.order = order;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Option codes in packet order. */
    public int[] codes() {
        return order.clone();
    }

    public int size() {
        return order.length;
    }

    public boolean has(int code) {
        return values[code & 0xFF] != null;
    }

    public boolean has(DhcpOption o) {
        return has(o.code);
    }

    /** A copy of the value of {@code code}, or {@code null} when absent. */
    public byte[] get(int code) {
        byte[] v = values[code & 0xFF];
        return v == null ? null : v.clone();
    }

    public byte[] get(DhcpOption o) {
        return get(o.code);
    }

    /** Length of the value, or -1 when absent. */
    public int length(int code) {
        byte[] v = values[code & 0xFF];
        return v == null ? -1 : v.length;
    }

    /** Unsigned byte {@code i} of the value; caller checked the length. */
    public int byteAt(int code, int i) {
        return values[code & 0xFF][i] & 0xFF;
    }

    /** The value as a 32-bit big-endian int (an IPv4 address or a time), or {@code dflt}. */
    public int intValue(DhcpOption o, int dflt) {
        byte[] v = values[o.code];
        if (v == null || v.length < 4) {
            return dflt;
        }
        return ((v[0] & 0xFF) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
    }

    /** The value as ISO-8859-1 text (DHCP strings are octets), trailing NULs removed. */
    public Optional<String> text(DhcpOption o) {
        byte[] v = values[o.code];
        if (v == null) {
            return Optional.empty();
        }
        int n = v.length;
        while (n > 0 && v[n - 1] == 0) {
            n--;
        }
        return Optional.of(new String(v, 0, n, StandardCharsets.ISO_8859_1));
    }

    /** Internal array access for the encoder (no copy). */
    byte[] raw(int code) {
        return values[code];
    }

    int[] rawOrder() {
        return order;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DhcpOptions other) || !Arrays.equals(order, other.order)) {
            return false;
        }
        for (int c : order) {
            if (!Arrays.equals(values[c], other.values[c])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(order);
        for (int c : order) {
            h = 31 * h + Arrays.hashCode(values[c]);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int c : order) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            DhcpOption k = DhcpOption.of(c);
            sb.append(k == null ? Integer.toString(c) : k.name().toLowerCase()).append('=')
                    .append(java.util.HexFormat.of().formatHex(values[c]));
        }
        return sb.append('}').toString();
    }

    /** Collects options in insertion order; putting a code again replaces its value in place. */
    public static final class Builder {
        private byte[][] values = new byte[256][];
        private int[] order = new int[16];
        private int n;
        /** {@link #values} was handed to a built {@link DhcpOptions}: copy before the next change. */
        private boolean shared;

        private Builder() {
        }

        /** Sets {@code code} (1..254) to a copy of {@code value}. */
        public Builder put(int code, byte[] value) {
            if (code <= 0 || code >= 255) {
                throw new IllegalArgumentException("option code out of range: " + code);
            }
            putOwned(code, value.clone());
            return this;
        }

        public Builder put(DhcpOption o, byte[] value) {
            return put(o.code, value);
        }

        public Builder putByte(DhcpOption o, int b) {
            return put(o.code, new byte[] {(byte) b});
        }

        public Builder putInt(DhcpOption o, int v) {
            return put(o.code, new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        }

        public Builder putText(DhcpOption o, String s) {
            return put(o.code, s.getBytes(StandardCharsets.ISO_8859_1));
        }

        /** Copies {@code code}'s value from {@code src} if present (values are immutable, so no copy of the bytes). */
        public Builder copy(DhcpOptions src, int code) {
            byte[] v = src.values[code & 0xFF];
            if (v != null) {
                putOwned(code & 0xFF, v);
            }
            return this;
        }

        private void unshare() {
            if (shared) {
                values = values.clone();
                order = order.clone();
                shared = false;
            }
        }

        /** Appends to an existing value (RFC 3396 concatenation), used by the decoder. */
        Builder append(int code, byte[] buf, int off, int len) {
            unshare();
            byte[] old = values[code];
            if (old == null) {
                putOwned(code, Arrays.copyOfRange(buf, off, off + len));
            } else {
                byte[] v = Arrays.copyOf(old, old.length + len);
                System.arraycopy(buf, off, v, old.length, len);
                values[code] = v;
            }
            return this;
        }

        public Builder remove(int code) {
            unshare();
            if (values[code] != null) {
                values[code] = null;
                int j = 0;
                for (int i = 0; i < n; i++) {
                    if (order[i] != code) {
                        order[j++] = order[i];
                    }
                }
                n = j;
            }
            return this;
        }

        public boolean has(int code) {
            return values[code & 0xFF] != null;
        }

        private void putOwned(int code, byte[] v) {
            unshare();
            if (values[code] == null) {
                if (n == order.length) {
                    order = Arrays.copyOf(order, n * 2);
                }
                order[n++] = code;
            }
            values[code] = v;
        }

        public DhcpOptions build() {
            shared = true;
            return new DhcpOptions(values, Arrays.copyOf(order, n));
        }
    }
}

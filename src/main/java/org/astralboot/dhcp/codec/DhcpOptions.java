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
    public static final DhcpOptions EMPTY = new DhcpOptions(new byte[256], new byte[0][], new int[0]);

    /**
     * Where each code's value is: {@code slot[code] - 1} (unsigned) indexes {@link #values} and
     * {@link #order}; 0 = absent. A packet has at most 254 distinct codes, so a byte holds the slot.
     * (A table of 256 references per options set, as before, was a quarter of the bytes the DHCP
     * thread allocated under load: three sets per request.)
     */
    private final byte[] slot;
    /** Values in packet order, {@code values[i]} belonging to {@code order[i]}. */
    private final byte[][] values;
    private final int[] order;

    private DhcpOptions(byte[] slot, byte[][] values, int[] order) {
        this.slot = slot;
        this.values = values;
        this.order = order;
    }

    /** The value of {@code code} (not copied), or {@code null}. */
    private byte[] value(int code) {
        int s = slot[code & 0xFF] & 0xFF;
        return s == 0 ? null : values[s - 1];
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
        return slot[code & 0xFF] != 0;
    }

    public boolean has(DhcpOption o) {
        return has(o.code);
    }

    /** A copy of the value of {@code code}, or {@code null} when absent. */
    public byte[] get(int code) {
        byte[] v = value(code);
        return v == null ? null : v.clone();
    }

    public byte[] get(DhcpOption o) {
        return get(o.code);
    }

    /** Length of the value, or -1 when absent. */
    public int length(int code) {
        byte[] v = value(code);
        return v == null ? -1 : v.length;
    }

    /** Unsigned byte {@code i} of the value; caller checked the length. */
    public int byteAt(int code, int i) {
        return value(code)[i] & 0xFF;
    }

    /** The value as a 32-bit big-endian int (an IPv4 address or a time), or {@code dflt}. */
    public int intValue(DhcpOption o, int dflt) {
        byte[] v = value(o.code);
        if (v == null || v.length < 4) {
            return dflt;
        }
        return ((v[0] & 0xFF) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
    }

    /** The value as ISO-8859-1 text (DHCP strings are octets), trailing NULs removed. */
    public Optional<String> text(DhcpOption o) {
        byte[] v = value(o.code);
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
        return value(code);
    }

    int[] rawOrder() {
        return order;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DhcpOptions other) || !Arrays.equals(order, other.order)) {
            return false;
        }
        return Arrays.deepEquals(values, other.values);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(order);
        for (byte[] v : values) {
            h = 31 * h + Arrays.hashCode(v);
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
                    .append(java.util.HexFormat.of().formatHex(value(c)));
        }
        return sb.append('}').toString();
    }

    /** Collects options in insertion order; putting a code again replaces its value in place. */
    public static final class Builder {
        private byte[] slot = new byte[256];
        private byte[][] values = new byte[16][];
        private int[] order = new int[16];
        private int n;
        /** {@link #slot} was handed to a built {@link DhcpOptions}: copy before the next change. */
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
            byte[] v = src.value(code);
            if (v != null) {
                putOwned(code & 0xFF, v);
            }
            return this;
        }

        private void unshare() {
            if (shared) {
                slot = slot.clone();
                shared = false;
            }
        }

        /** Appends to an existing value (RFC 3396 concatenation), used by the decoder. */
        Builder append(int code, byte[] buf, int off, int len) {
            int s = slot[code & 0xFF] & 0xFF;
            if (s == 0) {
                putOwned(code & 0xFF, Arrays.copyOfRange(buf, off, off + len));
            } else {
                byte[] old = values[s - 1];
                byte[] v = Arrays.copyOf(old, old.length + len);
                System.arraycopy(buf, off, v, old.length, len);
                values[s - 1] = v; // values and order are copied at build(), so not shared
            }
            return this;
        }

        public Builder remove(int code) {
            int s = slot[code & 0xFF] & 0xFF;
            if (s != 0) {
                unshare();
                System.arraycopy(order, s, order, s - 1, n - s);
                System.arraycopy(values, s, values, s - 1, n - s);
                n--;
                values[n] = null;
                slot[code & 0xFF] = 0;
                for (int i = s - 1; i < n; i++) {
                    slot[order[i]] = (byte) (i + 1);
                }
            }
            return this;
        }

        public boolean has(int code) {
            return slot[code & 0xFF] != 0;
        }

        private void putOwned(int code, byte[] v) {
            int s = slot[code] & 0xFF;
            if (s != 0) {
                values[s - 1] = v;
                return;
            }
            unshare();
            if (n == order.length) {
                order = Arrays.copyOf(order, n * 2);
                values = Arrays.copyOf(values, n * 2);
            }
            order[n] = code;
            values[n] = v;
            n++;
            slot[code] = (byte) n;
        }

        public DhcpOptions build() {
            shared = true;
            return new DhcpOptions(slot, Arrays.copyOf(values, n), Arrays.copyOf(order, n));
        }
    }
}

package org.astralboot.dhcp6.codec;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A DHCP Unique Identifier (RFC 8415 §11): a 2-byte type and up to 128 bytes of identifier, compared
 * byte for byte (RFC 8415 §11.1: "DUIDs are compared as opaque values"). Immutable: the bytes are
 * copied in and out.
 */
public final class Duid {
    /** RFC 8415 §11.2: link-layer address plus time. */
    public static final int LLT = 1;
    /** RFC 8415 §11.3: vendor-assigned, based on enterprise number. */
    public static final int EN = 2;
    /** RFC 8415 §11.4: link-layer address. */
    public static final int LL = 3;
    /** RFC 6355 §4: UUID. */
    public static final int UUID = 4;
    /** RFC 8415 §11.1: at most 128 octets, not counting the type code. */
    public static final int MAX_LENGTH = 130;

    private final byte[] bytes;

    private Duid(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * The DUID in {@code b}, or {@code null} with the reason in {@code why[0]} when its length does not
     * fit its type: every DUID has at least its type; LLT at least 8 bytes, EN at least 6, LL at least
     * 4 and UUID exactly 18.
     */
    static Duid parse(byte[] b, String[] why) {
        if (b.length < 2 || b.length > MAX_LENGTH) {
            why[0] = "DUID of " + b.length + " bytes (2 to " + MAX_LENGTH + ")";
            return null;
        }
        int type = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        int min = switch (type) {
            case LLT -> 8;
            case EN -> 6;
            case LL -> 4;
            case UUID -> 18;
            default -> 2;
        };
        if (b.length < min || (type == UUID && b.length != 18)) {
            why[0] = "DUID type " + type + " of " + b.length + " bytes";
            return null;
        }
        return new Duid(b.clone());
    }

    /** A DUID from its wire bytes; throws {@link IllegalArgumentException} when they are not one. */
    public static Duid of(byte[] b) {
        String[] why = new String[1];
        Duid d = parse(b, why);
        if (d == null) {
            throw new IllegalArgumentException(why[0]);
        }
        return d;
    }

    /** DUID-LL (RFC 8415 §11.4) for an Ethernet address (hardware type 1). */
    public static Duid ll(byte[] mac) {
        byte[] b = new byte[4 + mac.length];
        b[1] = LL;
        b[3] = 1;
        System.arraycopy(mac, 0, b, 4, mac.length);
        return new Duid(b);
    }

    /** DUID type (1 LLT, 2 EN, 3 LL, 4 UUID, others as sent). */
    public int type() {
        return ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
    }

    /** The wire bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    int length() {
        return bytes.length;
    }

    void writeTo(byte[] out, int off) {
        System.arraycopy(bytes, 0, out, off, bytes.length);
    }

    /** The link-layer address of an LLT or LL DUID with hardware type 1 (Ethernet), else {@code null}. */
    public byte[] ethernetAddress() {
        int type = type();
        int off = type == LLT ? 8 : type == LL ? 4 : -1;
        if (off < 0 || bytes[2] != 0 || bytes[3] != 1 || bytes.length != off + 6) {
            return null;
        }
        return Arrays.copyOfRange(bytes, off, off + 6);
    }

    /** Lower-case hex, no separators. */
    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Duid d && Arrays.equals(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}

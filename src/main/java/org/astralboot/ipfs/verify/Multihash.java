package org.astralboot.ipfs.verify;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A multihash: function code, digest (spec: github.com/multiformats/multihash). Verifiable here:
 * identity (0x00, the content is the digest), sha2-256 (0x12), sha2-512 (0x13); any other
 * function is refused rather than trusted.
 */
public record Multihash(int code, byte[] digest) {
    public static final int IDENTITY = 0x00;
    public static final int SHA2_256 = 0x12;
    public static final int SHA2_512 = 0x13;

    public Multihash {
        digest = digest.clone();
    }

    /** A new digest for this function, to reuse across blocks of one stream. */
    MessageDigest newDigest() throws UnsupportedHashException {
        try {
            return switch (code) {
                case SHA2_256 -> MessageDigest.getInstance("SHA-256");
                case SHA2_512 -> MessageDigest.getInstance("SHA-512");
                default -> throw new UnsupportedHashException(code);
            };
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code data[off, off+len)} hashes to this multihash; {@code md} from {@link #newDigest}. */
    boolean matches(MessageDigest md, byte[] data, int off, int len) {
        if (code == IDENTITY) {
            return Arrays.equals(digest, 0, digest.length, data, off, off + len);
        }
        md.reset();
        md.update(data, off, len);
        return MessageDigest.isEqual(md.digest(), digest);
    }

    /** Thrown for a hash function this verifier cannot check. */
    static final class UnsupportedHashException extends Exception {
        UnsupportedHashException(int code) {
            super("multihash function 0x" + Integer.toHexString(code) + " is not supported (sha2-256, sha2-512, identity are)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Multihash m && m.code == code && Arrays.equals(m.digest, digest);
    }

    @Override
    public int hashCode() {
        return code * 31 + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "0x" + Integer.toHexString(code) + ":" + HexFormat.of().formatHex(digest);
    }
}

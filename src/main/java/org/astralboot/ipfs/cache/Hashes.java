package org.astralboot.ipfs.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The checksums of cache files: CRC32C, the integrity check of a cache file against truncation
 * and bit rot (see {@link BlobCache}), and sha256, which entries of earlier builds carry and
 * {@code astralboot verify} compares with the node's content.
 */
public final class Hashes {
    private static final int BUF = 256 * 1024;

    private Hashes() {
    }

    /** The CRC32C of a file, as 8 hex digits. */
    static String crc32c(Path p) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(BUF);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            while (ch.read(buf.clear()) > 0) {
                crc.update(buf.flip());
            }
        }
        return crc32cHex(crc);
    }

    static String crc32cHex(CRC32C crc) {
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /** The sha256 and the CRC32C of a file in one pass (migration of entries from earlier builds). */
    static String[] sha256AndCrc32c(Path p) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            CRC32C crc = new CRC32C();
            byte[] buf = new byte[BUF];
            try (InputStream in = Files.newInputStream(p)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                    crc.update(buf, 0, n);
                }
            }
            return new String[] {HexFormat.of().formatHex(sha.digest()), crc32cHex(crc)};
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sha256 of a file, as 64 hex digits. */
    public static String sha256(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
                InputStream in = Channels.newInputStream(ch)) {
            return sha256(in);
        }
    }

    /** The sha256 of the rest of {@code in}, as 64 hex digits. */
    public static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[BUF];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

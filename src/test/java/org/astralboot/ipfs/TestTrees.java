package org.astralboot.ipfs;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.astralboot.config.Config;
import org.astralboot.ipfs.cache.Hashes;

/** Boot trees and configs for the IPFS integration tests. */
public final class TestTrees {
    private TestTrees() {
    }

    /** Writes {@code size} deterministic pseudo-random bytes. */
    static Path file(Path p, long size, long seed) throws IOException {
        Files.createDirectories(p.getParent());
        Random r = new Random(seed);
        byte[] buf = new byte[64 * 1024];
        try (var out = Files.newOutputStream(p)) {
            long left = size;
            while (left > 0) {
                r.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return p;
    }

    static Path text(Path p, String s) throws IOException {
        Files.createDirectories(p.getParent());
        return Files.writeString(p, s, StandardCharsets.UTF_8);
    }

    /**
     * A small tree in the boot-tree layout: tftp/ binaries, two OSes with templates and images
     * (one image bigger than one 256 KiB chunk so the DAG has several blocks), an empty file.
     */
    static Path bootTree(Path dir) throws IOException {
        file(dir.resolve("tftp/undionly.kpxe"), 70_345, 1);
        file(dir.resolve("tftp/ipxe.efi"), 1_000_000, 2);
        text(dir.resolve("boot/debian/os.toml"),
                "description = \"Debian 12\"\nkernel = \"linux\"\ninitrd = [\"initrd.gz\"]\n");
        text(dir.resolve("boot/debian/template/start.tmpl"), "#!ipxe\nkernel {{url}}/image/debian/linux\n");
        file(dir.resolve("boot/debian/images/linux"), 3_000_000, 3);
        file(dir.resolve("boot/debian/images/initrd.gz"), 2_500_001, 4);
        text(dir.resolve("boot/coreos/os.toml"), "description = \"CoreOS\"\nkernel = \"vmlinuz\"\n");
        file(dir.resolve("boot/coreos/images/vmlinuz"), 800_000, 5);
        Files.createDirectories(dir.resolve("bin"));
        Files.write(dir.resolve("bin/empty"), new byte[0]);
        return dir;
    }

    static Config config(Path base, java.net.URI api, long cacheMax) throws IOException {
        Inet4Address lo = (Inet4Address) InetAddress.getByName("127.0.0.1");
        Config d = Config.defaults("lo", lo, 8, base);
        return new Config(null, d.iface(), d.address(), d.subnet(), d.domain(), d.data(), base.resolve("astralboot.db"),
                base.resolve("cache"), cacheMax, true, api, null, base.resolve("refs.toml"), d.http(), d.tftp(), d.dhcp(),
                d.menu());
    }

    /**
     * Alters the byte at {@code at} of a cache file (XOR {@code xor}) as bit rot or a stray write
     * would: with {@code keepMtime} the modification time is put back (invisible to a stat check),
     * otherwise it moves 2 s forward (a change while the server runs).
     */
    public static void flipByte(Path f, long at, int xor, boolean keepMtime) throws IOException {
        java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(f);
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            r.seek(at);
            int v = r.read();
            r.seek(at);
            r.write(v ^ xor);
        }
        Files.setLastModifiedTime(f, keepMtime ? t : java.nio.file.attribute.FileTime.fromMillis(t.toMillis() + 2000));
    }

    static String sha256(Path p) throws IOException {
        return Hashes.sha256(p);
    }

    static String sha256(InputStream in) throws IOException {
        try (in) {
            return Hashes.sha256(in);
        }
    }
}

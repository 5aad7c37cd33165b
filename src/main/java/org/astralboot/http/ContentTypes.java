package org.astralboot.http;

import java.util.Locale;
import java.util.Map;

/** Content-Type by file name, for the files of a boot tree. */
final class ContentTypes {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String BINARY = "application/octet-stream";
    private static final Map<String, String> BY_EXT = Map.ofEntries(
            Map.entry("ipxe", TEXT),
            Map.entry("txt", TEXT),
            Map.entry("cfg", TEXT),
            Map.entry("md", "text/markdown; charset=utf-8"),
            Map.entry("toml", "application/toml"),
            Map.entry("json", "application/json"),
            Map.entry("yaml", "application/yaml"),
            Map.entry("yml", "application/yaml"),
            Map.entry("sh", TEXT),
            Map.entry("sig", "application/pgp-signature"),
            Map.entry("asc", "application/pgp-signature"),
            Map.entry("gz", "application/gzip"),
            Map.entry("xz", "application/x-xz"),
            Map.entry("zst", "application/zstd"),
            Map.entry("cpio", "application/x-cpio"),
            Map.entry("iso", "application/x-iso9660-image"),
            Map.entry("tar", "application/x-tar"),
            Map.entry("squashfs", BINARY),
            Map.entry("img", BINARY),
            Map.entry("efi", "application/efi"),
            Map.entry("kpxe", BINARY),
            Map.entry("pxe", BINARY));

    private ContentTypes() {
    }

    static String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0) {
            return BINARY; // kernels: linux, vmlinuz
        }
        return BY_EXT.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), BINARY);
    }
}

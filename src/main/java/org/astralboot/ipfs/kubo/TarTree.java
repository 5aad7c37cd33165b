package org.astralboot.ipfs.kubo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** The tar stream of {@code get} unpacked into a folder ({@link KuboClient#get}). */
final class TarTree {
    private TarTree() {
    }

    /**
     * Places the entries of {@code in} under {@code root} (a real path) with the root name
     * stripped; an entry that would land outside {@code root}, and links of any kind, are refused.
     * Does not close {@code in}.
     */
    static void extract(InputStream in, Path root) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = e.getName();
            int slash = name.indexOf('/');
            String rel = slash < 0 ? "" : name.substring(slash + 1);
            Path dest = root.resolve(rel).normalize();
            if (!dest.startsWith(root)) {
                throw new KuboException("get", 200, -1, "tar entry escapes the target: " + name, false, null);
            }
            if (e.isDirectory()) {
                Files.createDirectories(dest);
            } else if (e.isFile()) {
                Files.createDirectories(dest.getParent());
                long n = Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                if (n != e.getSize()) {
                    throw new KuboException("get", 200, -1, "tar entry " + name + " cut short", true, null);
                }
            } else {
                throw new KuboException("get", 200, -1, "tar entry " + name + " is not a plain file or directory",
                        false, null);
            }
        }
    }
}

package org.astralboot.ipfs.cache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The cache folder and its index brought into agreement at start. */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCache.class);
    private static final Pattern CID_NAME = Pattern.compile("(Qm|b|z|f|B|F|k)[0-9A-Za-z]{20,}");

    private Recovery() {
    }

    /**
     * Brings the folder and the index into agreement after a stop or crash: partial downloads are
     * dropped (they restart from the beginning), index entries without a file are forgotten, and
     * CID-named files the index does not vouch for are removed. Returns the bytes of the complete
     * files the index keeps.
     */
    static long recover(Path dir, Path tmpDir, CacheIndex index) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(tmpDir)) {
            for (Path p : s) {
                Files.deleteIfExists(p);
            }
        }
        long sum = 0;
        for (Map.Entry<String, CacheIndex.Blob> e : index.blobs().entrySet()) {
            CacheIndex.Blob b = e.getValue();
            Path p = dir.resolve(e.getKey());
            if (b.state() != CacheIndex.State.COMPLETE || !Files.isRegularFile(p)) {
                index.removeBlob(e.getKey());
                continue;
            }
            sum += b.size();
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && CID_NAME.matcher(name).matches()
                        && index.blob(name).map(b -> b.state() != CacheIndex.State.COMPLETE).orElse(true)) {
                    LOG.warn("ipfs cache: removing {} (not in the cache index)", p);
                    Files.deleteIfExists(p);
                }
            }
        }
        index.commit();
        return sum;
    }
}

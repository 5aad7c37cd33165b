package org.astralboot.boot.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.TreePath;

/**
 * A file of {@link ContentCache} on this host's disk (cached content, or a static boot's local file),
 * read with a bounded stream, as ranges need; for cached content the streams open on it are
 * counted, so the size cap never deletes it while it is served.
 *
 * @param owner the cache whose content this is, or null for a local file
 */
record LocalFile(TreePath path, Path real, long size, Instant lastModified, String etag, boolean immutable,
        ContentCache owner) implements BootFile {
    @Override
    public InputStream open(long offset, long length) throws IOException {
        if (owner != null) {
            owner.opened(etag); // counted before the open, so the cap never deletes it under the stream
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(real, StandardOpenOption.READ);
            ch.position(offset);
        } catch (IOException | RuntimeException e) {
            if (owner != null) {
                owner.closed(etag);
            }
            throw e;
        }
        InputStream in = Channels.newInputStream(ch);
        return new java.io.FilterInputStream(in) {
            long left = length;
            boolean closed;

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    if (owner != null) {
                        owner.closed(etag);
                    }
                }
                super.close();
            }

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                } else if (n < 0) {
                    throw new BootStoreException(BootStoreException.Kind.CORRUPT, real + " shrank while being read");
                }
                return n;
            }
        };
    }

    @Override
    public Optional<Path> localPath() {
        return Optional.of(real);
    }
}

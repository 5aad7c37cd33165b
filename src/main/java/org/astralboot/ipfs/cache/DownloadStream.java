package org.astralboot.ipfs.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.BootStoreException.Kind;

/**
 * Reads a range from a cache file, or from a download in progress: from its receive buffers
 * while they are held, else from its temporary file as it grows.
 */
final class DownloadStream extends BlobStream {
    private final Download download;
    private final FileChannel ch;
    private final String label;
    private long pos;
    private long remaining;
    private boolean ended;

    /** @param download the download to follow, or null to read the cache file {@code ch} */
    DownloadStream(Download download, FileChannel ch, long offset, long length, String label) {
        this.download = download;
        this.ch = ch;
        this.pos = offset;
        this.remaining = length;
        this.label = label;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (remaining == 0) {
            if (download != null && !ended && pos == download.size) {
                ended = true;
                // The last byte is received; wait for the length check and the move into the
                // cache, so a reader that saw the end also sees the file cached, and a download
                // that failed its final check is reported rather than taken as complete.
                download.awaitDone();
            }
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int lim = dst.limit();
        if (dst.remaining() > remaining) {
            dst.limit(dst.position() + (int) remaining);
        }
        try {
            int n = -1;
            if (download != null) {
                n = download.copy(pos, dst);
                if (n < 0) {
                    long on = download.available(pos) - pos;
                    if (dst.remaining() > on) {
                        dst.limit(dst.position() + (int) on);
                    }
                }
            }
            if (n < 0) {
                n = ch.read(dst, pos);
                if (n <= 0) {
                    throw new BootStoreException(Kind.CORRUPT, label + ": cache file ended early at " + pos);
                }
            }
            pos += n;
            remaining -= n;
            return n;
        } finally {
            dst.limit(lim);
        }
    }

    @Override
    public long skip(long n) {
        long s = Math.max(0, Math.min(n, remaining));
        pos += s;
        remaining -= s;
        return s;
    }

    @Override
    public void close() throws IOException {
        super.close();
        if (ch != null) {
            ch.close();
        }
    }
}

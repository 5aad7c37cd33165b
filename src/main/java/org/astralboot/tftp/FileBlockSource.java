package org.astralboot.tftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.astralboot.store.BootStoreException;

/**
 * Octet-mode blocks read by position from a local file: any block can be reread for a
 * retransmission, and nothing is held in memory beyond the caller's packet buffer.
 */
final class FileBlockSource implements TftpBlockSource {
    private final FileChannel channel;
    private final long size;
    private final int blksize;
    private final String name;

    FileBlockSource(FileChannel channel, long size, int blksize, String name) {
        this.channel = channel;
        this.size = size;
        this.blksize = blksize;
        this.name = name;
    }

    @Override
    public int read(long index, ByteBuffer dst) throws IOException {
        long pos = index * blksize;
        if (pos > size) {
            throw new IllegalArgumentException("block " + index + " is past the end of " + name);
        }
        int len = (int) Math.min(blksize, size - pos);
        int start = dst.position();
        int limit = dst.limit();
        dst.limit(start + len);
        try {
            // A direct buffer is filled by pread(2) with no copy.
            while (dst.hasRemaining()) {
                if (channel.read(dst, pos + dst.position() - start) < 0) {
                    // The file shrank under us: never send a short file as if it were complete.
                    throw new BootStoreException(BootStoreException.Kind.CORRUPT, name + " shrank while being sent");
                }
            }
        } finally {
            dst.limit(limit);
        }
        return len;
    }

    @Override
    public void release(long index) {
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

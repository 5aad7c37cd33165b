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
    public int read(long index, byte[] dst, int off) throws IOException {
        long pos = index * blksize;
        if (pos > size) {
            throw new IllegalArgumentException("block " + index + " is past the end of " + name);
        }
        int len = (int) Math.min(blksize, size - pos);
        ByteBuffer bb = ByteBuffer.wrap(dst, off, len);
        while (bb.hasRemaining()) {
            if (channel.read(bb, pos + bb.position() - off) < 0) {
                // The file shrank under us: never send a short file as if it were complete.
                throw new BootStoreException(BootStoreException.Kind.CORRUPT, name + " shrank while being sent");
            }
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

package org.astralboot.tftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.astralboot.store.BootStoreException;
import org.astralboot.tftp.engine.TftpLimits;

/**
 * Octet-mode blocks read by position from a local file. Reads go through a read-ahead buffer of
 * whole blocks (at least {@link #MIN_READ_AHEAD} bytes or one window, at most
 * {@link TftpLimits#MAX_WINDOW_BYTES}), so a window costs one pread(2) instead of one per block;
 * any block can be reread for a retransmission. Nothing else of the file is held in memory.
 */
final class FileBlockSource implements TftpBlockSource {
    /** Read-ahead even in lock-step: 128 blocks of 512 bytes per pread. */
    static final int MIN_READ_AHEAD = 64 * 1024;

    private final FileChannel channel;
    private final long size;
    private final int blksize;
    private final String name;
    private final ByteBuffer chunk;
    /** Index of the first block in {@link #chunk}, and how many bytes of it are valid. */
    private long chunkFirst = -1;
    private int chunkBytes;

    FileBlockSource(FileChannel channel, long size, int blksize, int windowsize, String name) {
        this.channel = channel;
        this.size = size;
        this.blksize = blksize;
        this.name = name;
        long want = Math.max(MIN_READ_AHEAD, (long) windowsize * blksize);
        long blocks = Math.max(1, Math.min(want, TftpLimits.MAX_WINDOW_BYTES) / blksize);
        this.chunk = ByteBuffer.allocateDirect((int) (blocks * blksize));
    }

    @Override
    public int read(long index, ByteBuffer dst) throws IOException {
        long pos = index * blksize;
        if (pos > size) {
            throw new IllegalArgumentException("block " + index + " is past the end of " + name);
        }
        int len = (int) Math.min(blksize, size - pos);
        long off = chunkFirst < 0 ? -1 : pos - chunkFirst * blksize;
        if (off < 0 || off + len > chunkBytes) {
            fill(index);
            off = 0;
        }
        dst.put(dst.position(), chunk, (int) off, len);
        dst.position(dst.position() + len);
        return len;
    }

    private void fill(long index) throws IOException {
        long pos = index * blksize;
        int want = (int) Math.min(chunk.capacity(), size - pos);
        chunk.clear().limit(want);
        while (chunk.hasRemaining()) {
            if (channel.read(chunk, pos + chunk.position()) < 0) {
                chunkFirst = -1;
                // The file shrank under us: never send a short file as if it were complete.
                throw new BootStoreException(BootStoreException.Kind.CORRUPT, name + " shrank while being sent");
            }
        }
        chunkFirst = index;
        chunkBytes = want;
    }

    @Override
    public void release(long index) {
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package org.astralboot.tftp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Blocks cut from a sequential stream (a boot file without a local copy, or netascii output).
 * The bytes from the first unreleased block onwards are kept so a window can be resent; the
 * buffer holds at most {@code maxBlocks} blocks, which the negotiated windowsize never exceeds.
 */
final class StreamBlockSource implements TftpBlockSource {
    private final InputStream in;
    private final int blksize;
    private final int maxBlocks;
    private byte[] buf;
    /** Index of the first retained block. */
    private long base;
    /** Retained blocks. */
    private int count;
    /** Index and length of the final block once the stream has ended. */
    private long lastIndex = Long.MAX_VALUE;
    private int lastLength;

    StreamBlockSource(InputStream in, int blksize, int maxBlocks) {
        this.in = in;
        this.blksize = blksize;
        this.maxBlocks = maxBlocks;
        this.buf = new byte[Math.min(maxBlocks, 4) * blksize];
    }

    @Override
    public int read(long index, ByteBuffer dst) throws IOException {
        if (index < base || index > lastIndex) {
            throw new IllegalArgumentException("block " + index + " is not available (retained from " + base + ")");
        }
        while (index >= base + count) {
            fill();
        }
        int len = index == lastIndex ? lastLength : blksize;
        dst.put(buf, (int) (index - base) * blksize, len);
        return len;
    }

    private void fill() throws IOException {
        if (count == maxBlocks) {
            throw new IllegalStateException("more than " + maxBlocks + " unacknowledged blocks");
        }
        if ((count + 1) * blksize > buf.length) {
            byte[] bigger = new byte[Math.min(maxBlocks, Math.max(count + 1, count * 2)) * blksize];
            System.arraycopy(buf, 0, bigger, 0, count * blksize);
            buf = bigger;
        }
        int n = in.readNBytes(buf, count * blksize, blksize);
        if (n < blksize) {
            lastIndex = base + count;
            lastLength = n;
        }
        count++;
    }

    @Override
    public void release(long index) {
        long drop = Math.min(index - base, count);
        if (drop <= 0) {
            return;
        }
        int keep = count - (int) drop;
        System.arraycopy(buf, (int) drop * blksize, buf, 0, keep * blksize);
        base += drop;
        count = keep;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

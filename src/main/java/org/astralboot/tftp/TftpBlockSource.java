package org.astralboot.tftp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes of a transfer, block by block. Implementations hold a bounded amount of memory: at
 * most the unacknowledged window, never the whole file.
 */
interface TftpBlockSource extends Closeable {

    /**
     * Puts block {@code index} (0-based, blksize bytes each) into {@code dst} at its position,
     * advancing it, and returns its length; a length below blksize marks the final block. Blocks
     * are asked for in increasing order, except that a retransmission restarts at the first
     * unreleased block. {@code dst} must have room for blksize bytes.
     */
    int read(long index, ByteBuffer dst) throws IOException;

    /** Blocks before {@code index} will never be read again. */
    void release(long index);
}

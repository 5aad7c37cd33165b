package org.astralboot.tftp;

import java.io.Closeable;
import java.io.IOException;

/**
 * The bytes of a transfer, block by block. Implementations hold a bounded amount of memory: at
 * most the unacknowledged window, never the whole file.
 */
interface TftpBlockSource extends Closeable {

    /**
     * Copies block {@code index} (0-based, blksize bytes each) to {@code dst} at {@code off} and
     * returns its length; a length below blksize marks the final block. Blocks are asked for in
     * increasing order, except that a retransmission restarts at the first unreleased block.
     */
    int read(long index, byte[] dst, int off) throws IOException;

    /** Blocks before {@code index} will never be read again. */
    void release(long index);
}

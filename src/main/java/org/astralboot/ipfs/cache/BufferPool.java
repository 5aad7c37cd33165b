package org.astralboot.ipfs.cache;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The receive buffers of one cache, recycled within a download and between its downloads. One
 * pool per cache, not one per process: two caches (a test, a command next to the server) do not
 * share or starve each other's spares, and a closed cache's buffers go with it.
 */
final class BufferPool {
    /** Bytes per buffer: read from the socket, handed to the readers, written in one call. */
    static final int FILL = 128 * 1024;

    /**
     * A receive buffer: direct, so the socket read, the checksum and the file write all work on
     * it without a copy through the heap. It is published to two users, the readers' window and
     * the disk writer, and goes back to the spares when both let go of it
     * ({@link Download#release}).
     */
    static final class Buf {
        final ByteBuffer bb = ByteBuffer.allocateDirect(FILL);
        /** Users still holding it; guarded by the download's lock. */
        int users;
    }

    private final BlockingQueue<Buf> spare;

    /** @param spares how many idle buffers are kept for the next downloads */
    BufferPool(int spares) {
        this.spare = new ArrayBlockingQueue<>(spares);
    }

    /** A buffer to receive into: a spare one when there is one. */
    Buf take() {
        Buf b = spare.poll();
        return b != null ? b : new Buf();
    }

    /** Keeps {@code b} for reuse, or drops it to the garbage collector when enough are kept. */
    void give(Buf b) {
        spare.offer(b);
    }

    /** Idle buffers kept (for tests). */
    int spares() {
        return spare.size();
    }
}

package org.astralboot.ipfs.verify;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The blocks of a CAR stream for {@link VerifiedFileReader}, read ahead of it on a thread of their
 * own when an executor is given, and in recycled arrays.
 *
 * <p>Why a thread: checking a block (SHA-256, ~0.65 ms per 256 KiB block here) and reading the next
 * one from the node's socket are independent; done one after the other on one thread, the socket is
 * not read while a block is hashed, its receive buffer fills and the node's writes stall. Reading up
 * to {@link #AHEAD} blocks ahead keeps the node sending while the consumer hashes.
 *
 * <p>Why recycled arrays: a new array per block is 100 MiB of heap allocated and zeroed per 100 MiB
 * file (and on a VM whose balloon driver hands free pages back to the host, fresh pages fault in
 * slowly); the consumer hands back each block's array once it is done with it ({@link #recycle}).
 *
 * <p>The order of blocks, the end of the stream and every failure reach the consumer exactly as a
 * {@link CarReader} read on its own thread would give them: blocks read before a failure first,
 * then the failure (the same exception). Closing from any thread stops the reading thread (the
 * stream is closed, which ends a blocked socket read) and makes a waiting {@link #next} fail.
 *
 * <p>One consumer; {@link #next} and {@link #recycle} from that consumer's thread.
 */
final class BlockPrefetch implements Closeable {
    /** Blocks read ahead of the consumer: 2 MiB of Kubo's default 256 KiB chunks. */
    static final int AHEAD = 8;
    /** How often a waiting side looks whether the other side closed. */
    private static final long POLL_MS = 100;

    /** A block, the end of the stream (both null), or the failure that ended it. */
    private record Item(CarReader.Block block, IOException failure) {
    }

    private static final Item END = new Item(null, null);

    private final BlockStream car;
    private final boolean threaded;
    private final ArrayBlockingQueue<Item> queue = new ArrayBlockingQueue<>(AHEAD);
    /** Arrays handed back by the consumer, for the next sections. */
    private final ArrayBlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(AHEAD + 4);
    private volatile boolean closed;
    /** Consumer side: the end or failure already seen, given again to every later call. */
    private Item last;

    /** @param threads where the reading thread runs; null to read on the consumer's thread */
    BlockPrefetch(BlockStream car, Executor threads) {
        this.car = car;
        this.threaded = threads != null;
        if (threaded) {
            threads.execute(this::run);
        }
    }

    private void run() {
        try {
            while (!closed) {
                CarReader.Block b = car.next(spare.poll());
                put(b == null ? END : new Item(b, null));
                if (b == null) {
                    return;
                }
            }
        } catch (IOException e) {
            put(new Item(null, e));
        } catch (RuntimeException e) {
            put(new Item(null, new IOException(e)));
        }
    }

    private void put(Item i) {
        try {
            while (!closed) {
                if (queue.offer(i, POLL_MS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next block, or null at the end of the stream; throws what ended the stream. */
    CarReader.Block next() throws IOException {
        if (!threaded) {
            return car.next(spare.poll());
        }
        Item i = last;
        while (i == null) {
            if (closed) {
                throw new IOException("CAR stream closed");
            }
            try {
                i = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for the next block");
            }
        }
        if (i.block() != null) {
            return i.block();
        }
        last = i;
        if (i.failure() != null) {
            throw i.failure();
        }
        return null;
    }

    /**
     * {@link BlockStream#again} for the block {@link #next} just gave; null when reading ahead on a
     * thread (the stream is then past it).
     */
    CarReader.Block again(Cid cid) throws IOException {
        return threaded ? null : car.again(cid);
    }

    /** The consumer is done with {@code buf}: the next sections may be read into it. */
    void recycle(byte[] buf) {
        spare.offer(buf);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        car.close();
    }
}

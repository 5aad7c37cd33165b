package org.astralboot.ipfs.cache;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.astralboot.ipfs.kubo.ChannelStream;

/**
 * Copies the node's stream into the cache file on two threads: one receives from the socket into
 * direct buffers, which readers take from at once ({@link Download#received}), before the disk;
 * the calling thread checksums and writes them, so a slow write never stops the socket being read.
 * ({@code O_DIRECT} writes were tried: on this project's 2-vCPU VM they took ~30 % more kernel
 * time than writes into the page cache, and the cold fetch got slower.)
 */
final class ReceivePipe {
    /** Chunks in flight between the receiving and the writing thread. */
    static final int PIPE = 8;

    /** A filled buffer on its way from the socket to the disk; {@code n < 0} ends the stream. */
    private record Chunk(BufferPool.Buf buf, int n) {
    }

    private static final Chunk END = new Chunk(null, -1);

    private ReceivePipe() {
    }

    /**
     * Runs the copy of {@code in} into {@code out} for download {@code f}, the receiving half on
     * {@code threads}; returns at the end of the stream. On a failure of either half the stream is
     * closed (which unblocks the receiver's read) and the failure thrown.
     */
    static void pump(ExecutorService threads, ChannelStream in, FileChannel out, CRC32C crc, Download f)
            throws IOException {
        ArrayBlockingQueue<Chunk> full = new ArrayBlockingQueue<>(PIPE + 1);
        AtomicReference<Throwable> received = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Future<?> receiver = threads.submit(() -> {
            try {
                boolean eof = false;
                while (!eof && !stop.get()) {
                    BufferPool.Buf buf = f.buffer();
                    ByteBuffer bb = buf.bb.clear().limit(BufferPool.FILL);
                    while (bb.hasRemaining()) {
                        if (in.read(bb) < 0) {
                            eof = true;
                            break;
                        }
                    }
                    int n = bb.position();
                    if (n > 0) {
                        f.received(buf, n);
                        full.put(new Chunk(buf, n));
                    } else {
                        f.release(buf);
                    }
                }
            } catch (Throwable t) {
                received.set(t);
            } finally {
                try {
                    full.put(END);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        IOException failed = null;
        try {
            while (true) {
                Chunk c = full.take();
                if (c == END) {
                    break;
                }
                if (failed == null) {
                    try {
                        ByteBuffer bb = c.buf().bb.duplicate().position(0).limit(c.n());
                        crc.update(bb);
                        bb.position(0);
                        while (bb.hasRemaining()) {
                            out.write(bb);
                        }
                        f.advance(c.n());
                    } catch (IOException e) {
                        // Stop the receiver (closing the stream unblocks its read), keep draining.
                        failed = e;
                        stop.set(true);
                        in.close();
                    }
                }
                f.release(c.buf());
            }
            receiver.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.set(true);
            in.close();
            throw new InterruptedIOException("interrupted while fetching " + f.label);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
        if (failed != null) {
            throw failed;
        }
        Throwable t = received.get();
        if (t instanceof IOException io) {
            throw io;
        }
        if (t != null) {
            throw new IOException(t);
        }
    }
}

package org.astralboot.ipfs.cache;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.BootStoreException.Kind;

/**
 * One download, shared by every reader of the file while it runs: how far it has been received
 * (the last {@link #WINDOW} chunks held in memory for readers close behind), how far it is on disk
 * in its temporary file, and how it ended.
 *
 * <p>Contract for readers: {@link #copy} and {@link #available} wait until the byte asked for has
 * arrived; when the download ends they wake up, and a failed download throws its failure to every
 * reader still waiting for a byte it never got. Bytes already on disk stay readable from the
 * temporary file (an open channel keeps them after the file is moved or removed).
 */
public final class Download {
    /**
     * Most recent received chunks kept for the readers of a download in progress (bounded memory:
     * at most this many buffers of {@link BufferPool#FILL} per download); older bytes are read from
     * the temporary file.
     */
    static final int WINDOW = 8;

    final String cid;
    final long size;
    final Path tmp;
    final String label;
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** The node's stream, once open: closed to stop the download. */
    volatile Closeable in;
    private final BufferPool pool;
    private long written;
    private long received;
    private final ArrayDeque<Held> window = new ArrayDeque<>();
    private boolean finished;
    private BootStoreException failure;
    /**
     * Readers waiting in {@link #copy} for a chunk to arrive, and in {@link #available} for bytes
     * to reach the disk. Each change wakes only the readers it can release: an HTTP sender
     * following the file on disk is not woken by every chunk received (and again by its write),
     * which cost a context switch per 128 KiB on a machine whose cores the node already keeps busy.
     */
    private int waitingReceived;
    private int waitingWritten;

    Download(String cid, long size, Path tmp, String label, BufferPool pool) {
        this.cid = cid;
        this.size = size;
        this.tmp = tmp;
        this.label = label;
        this.pool = pool;
    }

    synchronized BootStoreException failure() {
        return failure;
    }

    /** Bytes written to the temporary file so far. */
    public synchronized long written() {
        return written;
    }

    /** {@code n} more bytes are on disk. */
    synchronized void advance(long n) {
        written += n;
        if (waitingWritten > 0) {
            notifyAll();
        }
    }

    /** A buffer to receive into. */
    BufferPool.Buf buffer() {
        return pool.take();
    }

    /** One user (the window or the disk writer) is done with {@code b}. */
    synchronized void release(BufferPool.Buf b) {
        if (--b.users <= 0) {
            pool.give(b);
        }
    }

    /**
     * A chunk arrived from the node (not yet on disk): readers may take it from memory. The
     * disk writer is its other user.
     */
    synchronized void received(BufferPool.Buf b, int n) {
        b.users = 2;
        window.addLast(new Held(received, b, n));
        if (window.size() > WINDOW) {
            release(window.removeFirst().buf);
        }
        received += n;
        if (waitingReceived > 0) {
            notifyAll();
        }
    }

    /**
     * Copies bytes from {@code pos} out of the received chunks still held in memory into
     * {@code dst}, waiting until byte {@code pos} has arrived. Returns how many were copied, or
     * -1 when that byte is no longer held (the caller reads it from the temporary file once
     * {@link #available} says it is there).
     */
    synchronized int copy(long pos, ByteBuffer dst) throws IOException {
        while (received <= pos && !finished) {
            waitingReceived++;
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for " + label);
            } finally {
                waitingReceived--;
            }
        }
        if (received <= pos) {
            available(pos); // throws the failure (or reports the bytes on disk)
            return -1;
        }
        for (Held h : window) {
            if (pos >= h.offset && pos < h.offset + h.n) {
                int at = (int) (pos - h.offset);
                int n = Math.min(dst.remaining(), h.n - at);
                dst.put(dst.position(), h.buf.bb, at, n);
                dst.position(dst.position() + n);
                return n;
            }
        }
        return -1;
    }

    /** A received chunk: bytes {@code [offset, offset + n)} of the file. */
    private record Held(long offset, BufferPool.Buf buf, int n) {
    }

    /** Ends the download ({@code e} null: success) and wakes every reader. */
    void finish(BootStoreException e) {
        synchronized (this) {
            finished = true;
            failure = e;
            // Readers still behind go on from the file (their channel stays valid after the move).
            for (Held h : window) {
                release(h.buf);
            }
            window.clear();
            notifyAll();
        }
        if (e == null) {
            started.complete(null);
            done.complete(null);
        } else {
            started.completeExceptionally(e);
            done.completeExceptionally(e);
        }
    }

    /** Waits until the node answered the download (or refused it). */
    void awaitStarted() throws IOException {
        try {
            started.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + label);
        }
    }

    void awaitDone() throws IOException {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + label);
        }
    }

    /** Waits for the download to end; throws its failure. */
    public void await(long timeout, TimeUnit unit) throws IOException, TimeoutException {
        try {
            done.get(timeout, unit);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + label);
        }
    }

    /** Blocks until byte {@code pos} is on disk; returns how many bytes are, or throws the failure. */
    synchronized long available(long pos) throws IOException {
        while (written <= pos && !finished) {
            waitingWritten++;
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for " + label);
            } finally {
                waitingWritten--;
            }
        }
        if (written > pos) {
            return written;
        }
        if (failure != null) {
            throw failure;
        }
        throw new BootStoreException(Kind.CORRUPT, label + ": download ended at " + written + " of " + size);
    }
}

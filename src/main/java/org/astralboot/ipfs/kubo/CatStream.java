package org.astralboot.ipfs.kubo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The body of a {@code cat}: exactly the asked length, read into direct buffers as a channel
 * (the cache's hot path) or as a stream. Short and long bodies are errors, never a different
 * file.
 */
public final class CatStream extends ChannelStream {
    private final RawStream.Body in;
    private final String what;
    private final AtomicLong counter;
    private long remaining;
    private boolean checkedEnd;

    CatStream(RawStream.Body in, long length, String what, AtomicLong counter) {
        this.in = in;
        this.remaining = length;
        this.what = what;
        this.counter = counter;
    }

    /** Up to {@code dst.remaining()} bytes; -1 once exactly the asked length was read and the body ended. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (remaining == 0) {
            if (!checkedEnd) {
                checkedEnd = true;
                if (in.read() >= 0) {
                    throw new KuboException("cat", 200, -1, what + ": more bytes than the DAG announced", false, null);
                }
            }
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int lim = dst.limit();
        if (dst.remaining() > remaining) {
            dst.limit(dst.position() + (int) remaining);
        }
        int n;
        try {
            do {
                n = in.read(dst);
            } while (n == 0);
        } finally {
            dst.limit(lim);
        }
        if (n < 0) {
            // The node hit an error after the 200 head; a node that sends no trailer says nothing more.
            throw KuboException.unreachable("cat", what + ": stream ended " + remaining + " bytes early", null);
        }
        remaining -= n;
        counter.addAndGet(n);
        return n;
    }

    @Override
    public boolean isOpen() {
        return in.isOpen();
    }

    /** Safe from any thread: a read in progress fails. */
    @Override
    public void close() {
        in.close();
    }
}

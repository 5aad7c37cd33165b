package org.astralboot.ipfs.kubo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A body readable both as a channel, into direct buffers on the hot path, and as a stream, for
 * small callers: the stream methods are {@link #read(ByteBuffer)} over a wrapped array. A
 * subclass implements {@link #read(ByteBuffer)}, which must not return 0 for a buffer with room.
 */
public abstract class ChannelStream extends InputStream implements ReadableByteChannel {

    @Override
    public int read() throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        int n;
        do {
            n = read(one);
        } while (n == 0);
        return n < 0 ? -1 : one.get(0) & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n;
        ByteBuffer dst = ByteBuffer.wrap(b, off, len);
        do {
            n = read(dst);
        } while (n == 0);
        return n;
    }
}

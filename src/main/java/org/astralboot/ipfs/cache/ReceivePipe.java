package org.astralboot.ipfs.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;
import org.astralboot.ipfs.kubo.ChannelStream;

/**
 * Copies the node's verified stream into the cache file: each chunk is taken into a direct buffer,
 * handed to the readers at once ({@link Download#received}, before the disk), checksummed and
 * written from that buffer, all on the calling thread.
 *
 * <p>Why one thread: the node's socket is already drained on a thread of its own, up to 8 blocks
 * ahead of the verifier ({@code BlockPrefetch}), so a slow write does not stop the socket being
 * read. A second thread between verifier and disk (as before 2026-12-07) only added a queue
 * hand-off per 128 KiB (futex wake-ups and context switches on a 2-vCPU machine whose cores the
 * node already keeps busy) and moved each chunk to another core between its copy, its checksum
 * and its write; here the chunk is still in this core's cache for both. ({@code O_DIRECT} writes
 * were tried: on this project's 2-vCPU VM they took ~30 % more kernel time than writes into the
 * page cache, and the cold fetch got slower.)
 */
final class ReceivePipe {
    /** Buffers one download holds besides its readers' window: the one being filled and written. */
    static final int PIPE = 1;

    private ReceivePipe() {
    }

    /**
     * Runs the copy of {@code in} into {@code out} for download {@code f}; returns at the end of the
     * stream. On a failure the stream is closed and the failure thrown; the buffer in hand goes back
     * to the pool either way.
     */
    static void pump(ChannelStream in, FileChannel out, CRC32C crc, Download f) throws IOException {
        boolean eof = false;
        try {
            while (!eof) {
                BufferPool.Buf buf = f.buffer();
                ByteBuffer bb = buf.bb.clear().limit(BufferPool.FILL);
                int n;
                try {
                    while (bb.hasRemaining()) {
                        if (in.read(bb) < 0) {
                            eof = true;
                            break;
                        }
                    }
                    n = bb.position();
                } catch (IOException | RuntimeException e) {
                    f.release(buf);
                    throw e;
                }
                if (n == 0) {
                    f.release(buf);
                    continue;
                }
                f.received(buf, n); // the readers' window and this writer are its two users
                try {
                    ByteBuffer w = buf.bb.duplicate().position(0).limit(n);
                    crc.update(w);
                    w.position(0);
                    while (w.hasRemaining()) {
                        out.write(w);
                    }
                    f.advance(n);
                } finally {
                    f.release(buf);
                }
            }
        } catch (IOException | RuntimeException e) {
            in.close(); // ends the node's stream (and the thread reading it ahead)
            throw e;
        }
    }
}

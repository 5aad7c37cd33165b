package org.astralboot.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.GrowingFile;
import org.xnio.channels.StreamSinkChannel;

/**
 * Sends one {@link BootFile}: always with Content-Length (iPXE presizes its buffer from it),
 * validators (ETag, Last-Modified), conditional GET (304, RFC 9110 §13), HEAD, and single byte
 * ranges (206 / 416, RFC 9110 §14). Local files, complete or still filling (a cold IPFS file being
 * fetched), go out zero-copy ({@code sendfile} through XNIO's {@code transferFrom}); other bytes
 * are streamed from {@link BootFile#openChannel(long, long)}. Runs on a file thread in blocking
 * mode; a client that takes the body slower than the minimum rate ({@link SendRate}) or nothing at
 * all for {@link #STALL_MILLIS} is cut off ({@link SendRate.TooSlow}).
 */
final class FileResponder {
    /** A client that accepts nothing for this long is dropped. */
    static final long STALL_MILLIS = 60_000;
    private static final int STREAM_BUFFER = 256 * 1024;
    /** One per file thread (a fixed pool): a direct buffer is costly to allocate and to free. */
    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(STREAM_BUFFER));

    /** What was sent, for the log line. */
    record Sent(int status, long bytes) {
    }

    private FileResponder() {
    }

    /** Sends {@code f}, or the part a Range header asks for; {@code rate} judges the client's pace. */
    static Sent send(HttpServerExchange ex, BootFile f, SendRate rate) throws IOException {
        var h = ex.getResponseHeaders();
        long size = f.size();
        String etag = "\"" + f.etag() + "\"";
        Instant modified = f.lastModified().truncatedTo(ChronoUnit.SECONDS);
        h.put(Headers.ACCEPT_RANGES, "bytes");
        h.put(Headers.ETAG, etag);
        h.put(Headers.LAST_MODIFIED, DateUtils.toDateString(Date.from(modified)));
        h.put(Headers.CACHE_CONTROL, f.immutable() ? "public, max-age=31536000, immutable" : "no-cache");

        if (notModified(ex, etag, modified)) {
            ex.setStatusCode(304);
            ex.endExchange();
            return new Sent(304, 0);
        }
        h.put(Headers.CONTENT_TYPE, ContentTypes.of(f.path().name()));

        String ifRange = ex.getRequestHeaders().getFirst(Headers.IF_RANGE);
        String rangeHeader = ex.getRequestHeaders().getFirst(Headers.RANGE);
        if (ifRange != null && !ifRange.trim().equals(etag)) {
            rangeHeader = null; // If-Range with a stale or weak validator: send the whole file (§13.1.5)
        }
        ByteRange.Result r = ByteRange.parse(rangeHeader, size);
        long first = 0;
        long length = size;
        int status = 200;
        if (r instanceof ByteRange.Unsatisfiable) {
            ex.setStatusCode(416);
            h.put(Headers.CONTENT_RANGE, "bytes */" + size);
            h.put(Headers.CONTENT_LENGTH, 0);
            h.remove(Headers.CONTENT_TYPE);
            ex.endExchange();
            return new Sent(416, 0);
        }
        if (r instanceof ByteRange.Partial p) {
            status = 206;
            first = p.range().first();
            length = p.range().length();
            h.put(Headers.CONTENT_RANGE, p.range().contentRange(size));
        }
        ex.setStatusCode(status);
        h.put(Headers.CONTENT_LENGTH, length);
        if (ex.getRequestMethod().equals(Methods.HEAD) || length == 0) {
            ex.endExchange();
            return new Sent(status, 0);
        }
        Optional<Path> local = f.localPath();
        if (local.isPresent()) {
            try (GrowingFile whole = new Complete(FileChannel.open(local.get(), StandardOpenOption.READ), f)) {
                transfer(ex, whole, first, length, rate);
            }
            return new Sent(status, length);
        }
        // Until the store opened the file a failure can still be a 503 (nothing is sent yet).
        Optional<GrowingFile> growing = f.openGrowing(first, length);
        if (growing.isPresent()) {
            try (GrowingFile g = growing.get()) {
                transfer(ex, g, first, length, rate);
            }
        } else {
            stream(ex, f, first, length, rate);
        }
        return new Sent(status, length);
    }

    /** RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since. */
    static boolean notModified(HttpServerExchange ex, String etag, Instant modified) {
        String inm = ex.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
        if (inm != null) {
            for (String tag : inm.split(",")) {
                String t = tag.trim();
                if (t.startsWith("W/")) {
                    t = t.substring(2); // weak comparison (§8.8.3.2)
                }
                if (t.equals("*") || t.equals(etag)) {
                    return true;
                }
            }
            return false;
        }
        String ims = ex.getRequestHeaders().getFirst(Headers.IF_MODIFIED_SINCE);
        if (ims != null) {
            Date d = DateUtils.parseDate(ims);
            return d != null && !modified.isAfter(d.toInstant());
        }
        return false;
    }

    /**
     * Zero-copy: XNIO hands the file channel to the socket ({@code sendfile} on Linux), never
     * past what the file holds yet when it is still filling.
     */
    private static void transfer(HttpServerExchange ex, GrowingFile src, long first, long length, SendRate rate)
            throws IOException {
        StreamSinkChannel out = ex.getResponseChannel();
        FileChannel in = src.channel();
        long pos = first;
        long end = first + length;
        long readable = pos;
        // A complete local file has no final check: its last byte need not wait (one send less).
        boolean accepted = src instanceof Complete;
        long stalledSince = 0;
        while (pos < end) {
            if (pos >= readable) {
                long waited = rate.now();
                readable = Math.min(end, src.readable(pos));
                rate.excuse(rate.now() - waited); // the store was slow, not the client
            }
            long upTo = readable;
            if (upTo == end && !accepted) {
                if (pos < end - 1) {
                    upTo = end - 1;
                } else {
                    // The last byte waits for the store's check of the whole file (length,
                    // checksum): a file that fails it must never reach the client complete.
                    long waited = rate.now();
                    src.finish();
                    rate.excuse(rate.now() - waited);
                    accepted = true;
                }
            }
            // Undertow's response conduit, while the headers are still pending, copies through a
            // buffer from the channel's *current* position and ignores the argument: keep both equal.
            in.position(pos);
            long n = out.transferFrom(in, pos, upTo - pos);
            if (n > 0) {
                pos += n;
                stalledSince = 0;
                rate.sent(n);
                rate.check();
                continue;
            }
            if (in.size() < readable) {
                throw new BootStoreException(BootStoreException.Kind.CORRUPT, "file shrank while being served");
            }
            stalledSince = stall(out, stalledSince);
            rate.check();
        }
        finish(out);
        ex.endExchange();
    }

    /** A complete local file: all of it readable at once, as long as it has not shrunk. */
    private record Complete(FileChannel channel, BootFile f) implements GrowingFile {
        @Override
        public long readable(long pos) throws IOException {
            long size = channel.size();
            if (size < f.size()) {
                throw new BootStoreException(BootStoreException.Kind.CORRUPT, f.path() + " shrank while being served");
            }
            return size;
        }

        @Override
        public void finish() {
            // complete from the start
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * Streams a file the store cannot hand over as a path (e.g. one still being fetched from IPFS)
     * straight into the response channel from a direct buffer of this worker thread, each read
     * written in one go: Undertow's output stream would cut it into 16 KiB pooled buffers, a copy
     * and a blocking write each, and a heap buffer costs one more copy on the way to the socket.
     */
    private static void stream(HttpServerExchange ex, BootFile f, long first, long length, SendRate rate)
            throws IOException {
        StreamSinkChannel out;
        try (ReadableByteChannel in = f.openChannel(first, length)) {
            // Only once the store opened the file: until then a failure can still be a 503.
            out = ex.getResponseChannel();
            ByteBuffer buf = BUFFER.get();
            long left = length;
            while (left > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), left));
                long waited = rate.now();
                int n = in.read(buf);
                rate.excuse(rate.now() - waited); // the store was slow, not the client
                if (n < 0) {
                    throw new BootStoreException(BootStoreException.Kind.CORRUPT, f.path() + " ended early");
                }
                left -= n;
                buf.flip();
                if (left > 0) {
                    writeFully(out, buf, rate);
                    continue;
                }
                // The last byte waits for the store's check of the whole file (length, checksum),
                // which the read at its end reports: a file that fails it must never reach the
                // client complete.
                ByteBuffer last = buf.slice(buf.limit() - 1, 1);
                writeFully(out, buf.limit(buf.limit() - 1), rate);
                long checked = rate.now();
                if (in.read(ByteBuffer.allocate(1)) >= 0) {
                    throw new BootStoreException(BootStoreException.Kind.CORRUPT, f.path() + " is longer than announced");
                }
                rate.excuse(rate.now() - checked);
                writeFully(out, last, rate);
            }
        }
        finish(out);
        ex.endExchange();
    }

    /**
     * Ends the body and waits until it has left, giving up after {@link #STALL_MILLIS} without
     * progress. No rate here: what is left is at most one buffer, and flush() tells no byte count.
     */
    private static void finish(StreamSinkChannel out) throws IOException {
        out.shutdownWrites();
        long flushStart = System.currentTimeMillis();
        while (!out.flush()) {
            if (System.currentTimeMillis() - flushStart > STALL_MILLIS) {
                throw stalled();
            }
            out.awaitWritable(1, TimeUnit.SECONDS);
        }
    }

    /**
     * Nothing went out: waits until the client can take more, giving up once it has taken nothing
     * for {@link #STALL_MILLIS}. Returns when the stall began ({@code since}, or now for a new one).
     */
    private static long stall(StreamSinkChannel out, long since) throws IOException {
        long now = System.currentTimeMillis();
        if (since == 0) {
            since = now;
        } else if (now - since > STALL_MILLIS) {
            throw stalled();
        }
        out.awaitWritable(1, TimeUnit.SECONDS);
        return since;
    }

    private static IOException stalled() {
        return new SendRate.TooSlow("client accepted nothing for " + STALL_MILLIS / 1000 + " s");
    }

    private static void writeFully(StreamSinkChannel out, ByteBuffer b, SendRate rate) throws IOException {
        long stalledSince = 0;
        while (b.hasRemaining()) {
            int n = out.write(b);
            if (n > 0) {
                stalledSince = 0;
                rate.sent(n);
                rate.check();
                continue;
            }
            stalledSince = stall(out, stalledSince);
            rate.check();
        }
    }
}

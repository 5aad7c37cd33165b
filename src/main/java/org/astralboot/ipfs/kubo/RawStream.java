package org.astralboot.ipfs.kubo;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The streaming half of {@link KuboClient}: one HTTP/1.1 POST on its own connection, with the
 * response body read straight from the socket. Used for {@code cat}, the hot path of every cold
 * file, for three reasons measured on this project: the JDK client's body pipeline roughly doubled
 * the time of a 100 MiB {@code cat} compared with the node's own speed; the JDK client drops HTTP
 * trailers, where Kubo reports errors that happen after streaming started ({@code X-Stream-Error});
 * and a {@link java.net.Socket} can only read into a heap array, which the JDK does through a
 * temporary direct buffer, one more copy of every byte. Here the body is a channel
 * ({@link ChannelStream}): data bytes go from the kernel straight into the caller's (direct)
 * buffer, and only the head, the chunk-size lines and the trailer pass through a small look-ahead
 * buffer (RFC 9112 §6, §7.1).
 *
 * <p>Reads block in the kernel (one system call per wake-up: a non-blocking socket with a
 * selector cost about a quarter more kernel time per 100 MiB, measured). The
 * {@link IdleWatchdog} closes a body whose read has been blocked for longer than its limit: the
 * head must arrive within the header timeout, and each later read within the idle timeout (time
 * the caller spends between reads does not count), so a node that stalls mid-body cannot block a
 * reader for ever. Closing the
 * body from another thread ends a read in progress.
 */
final class RawStream {
    private static final int MAX_HEAD = 64 * 1024;
    /**
     * Head, chunk-size lines, trailer, and the data of small chunks. Kubo writes its bodies in
     * 4 KiB chunks (Go's net/http chunked writer behind a 4 KiB bufio.Writer): reading each chunk's
     * data straight into the caller's buffer would cost one system call per 4 KiB chunk plus one for
     * the next size line, so chunks smaller than {@link #DIRECT_READ} go through this buffer, many
     * per system call, at the price of one memory copy.
     */
    private static final int LOOK_AHEAD = 256 * 1024;
    /** A data read of at least this many bytes goes from the socket straight into the caller's buffer. */
    private static final int DIRECT_READ = 64 * 1024;

    private RawStream() {
    }

    /** Sends {@code POST pathAndQuery} and returns the body of a 200 answer. */
    static Body post(URI base, String endpoint, String pathAndQuery, Duration connect, Duration header,
            Duration idle) throws KuboException {
        return request("POST", base, endpoint, pathAndQuery, "", connect, header, idle);
    }

    /**
     * Sends {@code method pathAndQuery} with {@code headers} (complete lines, each ending in CRLF)
     * and returns the body of a 200 answer; the trustless gateway is asked with GET.
     */
    static Body request(String method, URI base, String endpoint, String pathAndQuery, String headers,
            Duration connect, Duration header, Duration idle) throws KuboException {
        String host = base.getHost();
        int port = base.getPort() < 0 ? 80 : base.getPort();
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
        } catch (IOException e) {
            throw KuboException.unreachable(endpoint, "cannot open a socket (" + e + ")", e);
        }
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            // The socket adaptor's connect honours a timeout, the channel's own does not.
            ch.socket().connect(new InetSocketAddress(host, port), (int) connect.toMillis());
        } catch (IOException e) {
            close(ch);
            throw KuboException.unreachable(endpoint, "cannot connect to " + base + " (" + e + ")", e);
        }
        Body body = null;
        try {
            body = new Body(ch, endpoint, header.toNanos());
            String req = method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nContent-Length: 0\r\nConnection: close\r\nUser-Agent: astralboot\r\n" + headers + "\r\n";
            body.send(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            int code = statusCode(endpoint, body.line());
            Map<String, String> h = body.headers();
            body.begin(h, idle.toNanos());
            if (code != 200) {
                byte[] err = body.readNBytes(MAX_HEAD);
                body.close();
                throw Rpc.errorOf(endpoint, code, err);
            }
            return body;
        } catch (KuboException e) {
            close(body, ch);
            throw e;
        } catch (IOException | RuntimeException e) {
            close(body, ch);
            throw KuboException.unreachable(endpoint, "request to " + base + " failed: " + e, e);
        }
    }

    /** The status code of an HTTP/1.x status line (RFC 9112 §4); KuboException when it is not one. */
    static int statusCode(String endpoint, String status) throws KuboException {
        String[] parts = status.split(" ", 3);
        if (parts.length >= 2 && parts[0].startsWith("HTTP/1.")) {
            try {
                return Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                // not a number: below
            }
        }
        throw new KuboException(endpoint, -1, -1, "not an HTTP answer: " + status, false, null);
    }

    private static void close(Body body, SocketChannel ch) {
        if (body != null) {
            body.close();
        } else {
            close(ch);
        }
    }

    private static void close(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** How the end of the body is found (RFC 9112 §6.3). */
    private enum Framing {
        CHUNKED, LENGTH, CLOSE
    }

    /**
     * A response on its socket: the head is read by {@link #post}, then the body through
     * {@link #read(ByteBuffer)} (or the stream methods, for small callers). Every failure is a
     * {@link KuboException}: "unreachable" for the connection (closed, stalled), not for an error
     * the node reported in its trailer.
     */
    static final class Body extends ChannelStream implements IdleWatchdog.Watched {
        private final SocketChannel ch;
        private final String endpoint;
        /** Bytes read from the socket but not consumed yet: always in read mode. */
        private final ByteBuffer ahead = ByteBuffer.allocateDirect(LOOK_AHEAD).flip();
        private volatile long timeoutNanos;
        /** When the read in progress started, 0 when none is: a slow consumer is not a stalled node. */
        private volatile long blockedSince;
        private volatile boolean expired;
        private Framing framing = Framing.CLOSE;
        /** Data bytes left in the current chunk, or in the body for {@link Framing#LENGTH}. */
        private long left;
        /** A chunk's data was read; its CRLF not yet. */
        private boolean chunkOpen;
        private boolean eof;
        private volatile boolean closed;

        Body(SocketChannel ch, String endpoint, long timeoutNanos) throws IOException {
            this.ch = ch;
            this.endpoint = endpoint;
            this.timeoutNanos = timeoutNanos;
            IdleWatchdog.watch(this);
        }

        @Override
        public long blockedSince() {
            return blockedSince;
        }

        @Override
        public long limitNanos() {
            return timeoutNanos;
        }

        @Override
        public void expire() {
            expired = true;
            close();
        }

        void send(ByteBuffer req) throws IOException {
            while (req.hasRemaining()) {
                ch.write(req);
            }
        }

        /** Switches from the head to the body: framing from the headers, the idle timeout from now on. */
        void begin(Map<String, String> h, long idleNanos) throws KuboException {
            timeoutNanos = idleNanos;
            if ("chunked".equalsIgnoreCase(h.getOrDefault("transfer-encoding", ""))) {
                framing = Framing.CHUNKED;
            } else if (h.containsKey("content-length")) {
                framing = Framing.LENGTH;
                try {
                    left = Long.parseLong(h.get("content-length").trim());
                } catch (NumberFormatException e) {
                    throw new KuboException(endpoint, -1, -1, "bad Content-Length '" + h.get("content-length") + "'",
                            false, null);
                }
                eof = left == 0;
            }
        }

        /**
         * One read from the socket into {@code dst}, blocked at most the current timeout (then the
         * watchdog closes the socket). Returns -1 at the end of the connection.
         */
        private int socketRead(ByteBuffer dst) throws IOException {
            blockedSince = System.nanoTime();
            try {
                return ch.read(dst);
            } catch (IOException e) {
                if (expired) {
                    throw KuboException.unreachable(endpoint, "no data for " + timeoutNanos / 1_000_000
                            + " ms, stream abandoned", e);
                }
                throw e;
            } finally {
                blockedSince = 0;
            }
        }

        /** Reads more into the look-ahead buffer; false at the end of the connection. */
        private boolean fill() throws IOException {
            ahead.compact();
            try {
                if (!ahead.hasRemaining()) {
                    throw new KuboException(endpoint, -1, -1, "HTTP line too long", false, null);
                }
                return socketRead(ahead) >= 0;
            } finally {
                ahead.flip();
            }
        }

        /** One CRLF- (or LF-) terminated line of the head, a chunk size or the trailer. */
        String line() throws IOException {
            StringBuilder b = new StringBuilder(64);
            while (true) {
                while (ahead.hasRemaining()) {
                    char c = (char) (ahead.get() & 0xFF);
                    if (c == '\n') {
                        int end = b.length();
                        return end > 0 && b.charAt(end - 1) == '\r' ? b.substring(0, end - 1) : b.toString();
                    }
                    if (b.length() >= MAX_HEAD) {
                        throw new KuboException(endpoint, -1, -1, "HTTP line too long", false, null);
                    }
                    b.append(c);
                }
                if (!fill()) {
                    if (b.isEmpty()) {
                        throw new EOFException("connection closed");
                    }
                    throw KuboException.unreachable(endpoint, "connection closed inside a line", null);
                }
            }
        }

        /** Header fields up to the empty line, names in lower case (RFC 9112 §5). */
        Map<String, String> headers() throws IOException {
            Map<String, String> h = new TreeMap<>();
            int total = 0;
            String l;
            while (!(l = line()).isEmpty()) {
                total += l.length();
                if (total > MAX_HEAD) {
                    throw new KuboException(endpoint, -1, -1, "HTTP head too long", false, null);
                }
                int c = l.indexOf(':');
                if (c > 0) {
                    h.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
                }
            }
            return h;
        }

        /**
         * Reads body data into {@code dst}: as many whole or partial chunks as the look-ahead
         * buffer already holds, so that Kubo's 4 KiB chunks cost one call per buffer, not one per
         * chunk; it blocks only for the first byte.
         */
        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                int n = readBody(dst);
                while (n > 0 && dst.hasRemaining() && buffered()) {
                    int m = readBody(dst);
                    if (m <= 0) {
                        break;
                    }
                    n += m;
                }
                return n;
            } catch (KuboException e) {
                throw e;
            } catch (IOException e) {
                throw KuboException.unreachable(endpoint, closed ? "stream closed" : "stream failed: " + e, e);
            }
        }

        /**
         * Whether the next {@link #readBody} can go on without reading the socket: data of the
         * current chunk in the look-ahead buffer, or the lines that end it and start the next one
         * (the CRLF after the data, the next size line) complete in it.
         */
        private boolean buffered() {
            if (eof || !ahead.hasRemaining()) {
                return false;
            }
            if (framing != Framing.CHUNKED || left > 0) {
                return true;
            }
            int lines = chunkOpen ? 2 : 1;
            for (int i = ahead.position(); i < ahead.limit(); i++) {
                if (ahead.get(i) == '\n' && --lines == 0) {
                    return true;
                }
            }
            return false;
        }

        private int readBody(ByteBuffer dst) throws IOException {
            if (eof) {
                return -1;
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            if (framing == Framing.CHUNKED && left == 0) {
                if (chunkOpen) {
                    line(); // the CRLF after a chunk's data
                    chunkOpen = false;
                }
                String size = line();
                int semi = size.indexOf(';');
                try {
                    left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new KuboException(endpoint, 200, -1, "bad chunk size '" + size + "'", false, null);
                }
                if (left < 0) {
                    throw new KuboException(endpoint, 200, -1, "bad chunk size '" + size + "'", false, null);
                }
                if (left == 0) {
                    eof = true;
                    String err = headers().get("x-stream-error");
                    if (err != null && !err.isEmpty()) {
                        throw new KuboException(endpoint, 200, 0, "failed while streaming: " + err, false, null);
                    }
                    return -1;
                }
                chunkOpen = true;
            }
            int want = framing == Framing.CLOSE ? dst.remaining() : (int) Math.min(dst.remaining(), left);
            int n;
            if (!ahead.hasRemaining() && want < DIRECT_READ && framing == Framing.CHUNKED) {
                if (!fill()) {
                    throw KuboException.unreachable(endpoint, "connection closed inside a chunk", null);
                }
            }
            if (ahead.hasRemaining()) {
                n = Math.min(want, ahead.remaining());
                int lim = ahead.limit();
                ahead.limit(ahead.position() + n);
                dst.put(ahead);
                ahead.limit(lim);
            } else {
                int lim = dst.limit();
                dst.limit(dst.position() + want);
                try {
                    n = socketRead(dst);
                } finally {
                    dst.limit(lim);
                }
                if (n < 0) {
                    if (framing == Framing.CLOSE) {
                        eof = true;
                        return -1;
                    }
                    throw KuboException.unreachable(endpoint, framing == Framing.CHUNKED
                            ? "connection closed inside a chunk" : "connection closed " + left + " bytes early", null);
                }
            }
            if (framing != Framing.CLOSE) {
                left -= n;
                eof = framing == Framing.LENGTH && left == 0;
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        /** Safe from any thread: a read in progress fails with "stream closed". */
        @Override
        public void close() {
            closed = true;
            IdleWatchdog.unwatch(this);
            RawStream.close(ch);
        }
    }
}

package org.astralboot.ipfs;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The streaming half of {@link KuboClient}: one HTTP/1.1 POST on its own connection, with the
 * response body read straight from the socket. Used for {@code cat}, the hot path of every cold
 * file, for two reasons measured on this project: the JDK client's body pipeline roughly doubled
 * the time of a 100 MiB {@code cat} compared with the node's own speed, and the JDK client drops
 * HTTP trailers, where Kubo reports errors that happen after streaming started
 * ({@code X-Stream-Error}). Here the chunked decoder reads the trailer and turns it into a
 * {@link KuboException}. The socket read timeout is the idle-read watchdog; the head must arrive
 * within the header timeout.
 */
final class RawStream {
    private static final int MAX_HEAD = 64 * 1024;

    private RawStream() {
    }

    /** Sends {@code POST pathAndQuery} and returns the body of a 200 answer. */
    static InputStream post(URI base, String endpoint, String pathAndQuery, Duration connect, Duration header,
            Duration idle) throws KuboException {
        String host = base.getHost();
        int port = base.getPort() < 0 ? 80 : base.getPort();
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setReceiveBufferSize(1 << 20);
            s.connect(new InetSocketAddress(host, port), (int) connect.toMillis());
        } catch (IOException e) {
            close(s);
            throw KuboException.unreachable(endpoint, "cannot connect to " + base + " (" + e + ")", e);
        }
        try {
            OutputStream out = s.getOutputStream();
            String req = "POST " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nContent-Length: 0\r\nConnection: close\r\nUser-Agent: astralboot\r\n\r\n";
            out.write(req.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.setSoTimeout((int) header.toMillis());
            // Small on purpose: reads of at least this size bypass the buffer and go from the socket
            // straight into the caller's array (one copy of every body byte less); it only serves
            // the head, the chunk-size lines and the odd small read.
            InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            String status = line(in, endpoint);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new KuboException(endpoint, -1, -1, "not an HTTP answer: " + status, false, null);
            }
            int code = Integer.parseInt(parts[1]);
            Map<String, String> h = headers(in, endpoint);
            s.setSoTimeout((int) idle.toMillis());
            InputStream body;
            if ("chunked".equalsIgnoreCase(h.getOrDefault("transfer-encoding", ""))) {
                body = new Chunked(in, endpoint);
            } else if (h.containsKey("content-length")) {
                body = new Bounded(in, Long.parseLong(h.get("content-length").trim()));
            } else {
                body = in;
            }
            InputStream guarded = new SocketBody(body, s, endpoint);
            if (code != 200) {
                byte[] err = guarded.readNBytes(MAX_HEAD);
                guarded.close();
                throw KuboClient.errorOf(endpoint, code, err);
            }
            return guarded;
        } catch (KuboException e) {
            close(s);
            throw e;
        } catch (SocketTimeoutException e) {
            close(s);
            throw KuboException.unreachable(endpoint, "no answer from " + base + " within " + header.toSeconds()
                    + " s", e);
        } catch (IOException | RuntimeException e) {
            close(s);
            throw KuboException.unreachable(endpoint, "request to " + base + " failed: " + e, e);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    static String line(InputStream in, String endpoint) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (b.size() >= MAX_HEAD) {
                throw new KuboException(endpoint, -1, -1, "HTTP line too long", false, null);
            }
            b.write(c);
        }
        if (c < 0 && b.size() == 0) {
            throw new java.io.EOFException("connection closed");
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    static Map<String, String> headers(InputStream in, String endpoint) throws IOException {
        Map<String, String> h = new TreeMap<>();
        int total = 0;
        String l;
        while (!(l = line(in, endpoint)).isEmpty()) {
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

    /** Chunked transfer coding (RFC 9112 §7.1), trailer included. */
    static final class Chunked extends InputStream {
        private final InputStream in;
        private final String endpoint;
        private long left;
        private boolean eof;

        Chunked(InputStream in, String endpoint) {
            this.in = in;
            this.endpoint = endpoint;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (eof) {
                return -1;
            }
            if (left == 0) {
                String size = line(in, endpoint);
                int semi = size.indexOf(';');
                try {
                    left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new KuboException(endpoint, 200, -1, "bad chunk size '" + size + "'", false, null);
                }
                if (left == 0) {
                    eof = true;
                    Map<String, String> trailer = headers(in, endpoint);
                    String err = trailer.get("x-stream-error");
                    if (err != null && !err.isEmpty()) {
                        throw new KuboException(endpoint, 200, 0, "failed while streaming: " + err, false, null);
                    }
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw KuboException.unreachable(endpoint, "connection closed inside a chunk", null);
            }
            left -= n;
            if (left == 0) {
                line(in, endpoint); // CRLF after the chunk data
            }
            return n;
        }
    }

    /** A body of known length. */
    static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int c = in.read();
            if (c >= 0) {
                left--;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** Maps socket failures to "unreachable" and closes the connection with the stream. */
    static final class SocketBody extends InputStream {
        private final InputStream in;
        private final Socket s;
        private final String endpoint;

        SocketBody(InputStream in, Socket s, String endpoint) {
            this.in = in;
            this.s = s;
            this.endpoint = endpoint;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (KuboException e) {
                throw e;
            } catch (SocketTimeoutException e) {
                throw KuboException.unreachable(endpoint, "no data for " + s.getSoTimeout() + " ms, stream abandoned", e);
            } catch (IOException e) {
                throw KuboException.unreachable(endpoint, "stream failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            s.close();
        }
    }
}

package org.astralboot.ipfs.kubo;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import org.astralboot.ipfs.verify.Cid;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.ipfs.verify.VerificationException.Kind;

/**
 * One kept-alive HTTP/1.1 connection to a trustless gateway, asking for one raw block at a time
 * ({@code GET /ipfs/<cid>?format=raw}, {@code Accept: application/vnd.ipld.raw}), or for a whole
 * file's plain bytes ({@link #openFile}). Bodies are
 * framed by {@code Content-Length} or chunked (RFC 9112 §6.3, §7.1); a body framed by the close
 * of the connection, or an answer with {@code Connection: close}, ends the connection after it.
 * A request on a kept-alive connection that the server closed in the meantime is sent once more on
 * a new one (RFC 9112 §9.3.1: the request is idempotent); any other failure is thrown.
 *
 * <p>Timeouts: the connection must open within the connect timeout, the head of each answer arrive
 * within the header timeout, and each read of the body return within the idle timeout.
 * Not thread-safe; {@link #close} from another thread ends a read in progress.
 */
final class GatewayConnection implements Closeable {
    private static final String ENDPOINT = "gateway";
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_ERROR = 64 * 1024;

    private final URI base;
    private final String host;
    private final int port;
    private final String prefix;
    private final Duration connect;
    private final Duration header;
    private final Duration idle;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;
    private volatile boolean closed;
    private int lastLength;

    GatewayConnection(URI base, Duration connect, Duration header, Duration idle) {
        this.base = base;
        this.host = base.getHost();
        this.port = base.getPort() < 0 ? 80 : base.getPort();
        String p = base.getRawPath() == null ? "" : base.getRawPath();
        this.prefix = p.endsWith("/") ? p : p + "/";
        this.connect = connect;
        this.header = header;
        this.idle = idle;
    }

    /** Length of the block last returned by {@link #get} (the array may be longer). */
    int lastLength() {
        return lastLength;
    }

    /**
     * The raw bytes the gateway answers for {@code cid} (unchecked), in {@code reuse} when it is
     * large enough; {@link #lastLength} says how many.
     *
     * @throws VerificationException MALFORMED for a body longer than {@code max}
     * @throws KuboException         for a non-200 answer, or unreachable for the connection
     */
    byte[] get(Cid cid, byte[] reuse, int max) throws IOException {
        String req = "GET " + prefix + "ipfs/" + URLEncoder.encode(cid.toString(), StandardCharsets.UTF_8)
                + "?format=raw HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nAccept: application/vnd.ipld.raw\r\nUser-Agent: astralboot\r\n\r\n";
        byte[] request = req.getBytes(StandardCharsets.US_ASCII);
        boolean reused = socket != null;
        try {
            return exchange(cid, request, reuse, max);
        } catch (StaleConnection e) {
            if (!reused) {
                throw KuboException.unreachable(ENDPOINT, base + " closed the connection without answering", e);
            }
            try {
                return exchange(cid, request, reuse, max);
            } catch (StaleConnection again) {
                throw KuboException.unreachable(ENDPOINT, base + " closed the connection without answering", again);
            }
        }
    }

    /** The server closed a kept-alive connection before any byte of the answer. */
    private static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnection(Throwable cause) {
            super(cause);
        }
    }

    private byte[] exchange(Cid cid, byte[] request, byte[] reuse, int max) throws IOException {
        try {
            if (socket == null) {
                open();
            }
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                throw new StaleConnection(e);
            }
            Head h = head();
            int code = h.code();
            long length = h.length();
            boolean chunked = h.chunked();
            boolean keep = h.keep();
            if (code != 200) {
                byte[] err = body(cid, chunked, length, null, MAX_ERROR, false);
                drop();
                throw Rpc.errorOf(ENDPOINT, code, Arrays.copyOf(err, lastLength));
            }
            if (!chunked && length < 0) {
                keep = false; // framed by the close of the connection
            }
            byte[] b = body(cid, chunked, length, reuse, max, true);
            if (!keep) {
                drop();
            }
            return b;
        } catch (IOException e) {
            throw failure(cid, e);
        }
    }

    /**
     * Drops the connection and gives what to throw for {@code e}, met while asking for {@code cid}:
     * the project's own errors as they are, anything else as the gateway being unreachable.
     */
    private IOException failure(Cid cid, IOException e) {
        drop();
        if (e instanceof StaleConnection || e instanceof KuboException || e instanceof VerificationException) {
            return e;
        }
        if (e instanceof SocketTimeoutException) {
            return KuboException.unreachable(ENDPOINT, base + " did not answer " + cid + " in time", e);
        }
        if (closed) {
            return KuboException.unreachable(ENDPOINT, "connection closed", e);
        }
        return KuboException.unreachable(ENDPOINT, "request for " + cid + " to " + base + " failed: " + e, e);
    }

    /** An answer's head: its status, how its body is framed, whether the connection stays open after it. */
    private record Head(int code, long length, boolean chunked, boolean keep) {
    }

    /**
     * Reads the head of an answer within the header timeout, then sets the idle timeout for the body.
     *
     * @throws StaleConnection when the server closed the connection before the first byte
     */
    private Head head() throws IOException {
        socket.setSoTimeout(timeoutMillis(header));
        int first = in.read();
        if (first < 0) {
            throw new StaleConnection(new EOFException("end of stream"));
        }
        String status = (char) first + line();
        int code = RawStream.statusCode(ENDPOINT, status);
        long length = -1;
        boolean chunked = false;
        boolean keep = true;
        int headBytes = status.length();
        for (String h = line(); !h.isEmpty(); h = line()) {
            headBytes += h.length();
            if (headBytes > MAX_HEAD) {
                throw new KuboException(ENDPOINT, code, -1, "answer head larger than " + MAX_HEAD + " bytes", false,
                        null);
            }
            int colon = h.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new KuboException(ENDPOINT, code, -1, "bad Content-Length " + value, false, null);
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> keep &= !value.toLowerCase(Locale.ROOT).contains("close");
                default -> {
                    // not needed
                }
            }
        }
        socket.setSoTimeout(timeoutMillis(idle));
        return new Head(code, length, chunked, keep);
    }

    /**
     * Asks for the file {@code root} as plain bytes ({@code GET /ipfs/<root>}, the gateway's
     * deserialized answer: nothing in it can be checked by itself) on a new connection, and reads
     * the head of the answer; the body is then read with {@link #readBody} and {@link #skipBody}.
     *
     * @return the body's length (Content-Length)
     * @throws KuboException for a non-200 answer, or one not framed by Content-Length (RFC 9112 §6.3)
     */
    long openFile(Cid root) throws IOException {
        drop();
        String req = "GET " + prefix + "ipfs/" + URLEncoder.encode(root.toString(), StandardCharsets.UTF_8)
                + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: */*\r\nUser-Agent: astralboot\r\n\r\n";
        try {
            open();
            out.write(req.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Head h = head();
            if (h.code() != 200) {
                byte[] err = body(root, h.chunked(), h.length(), null, MAX_ERROR, false);
                drop();
                throw Rpc.errorOf(ENDPOINT, h.code(), Arrays.copyOf(err, lastLength));
            }
            if (h.chunked() || h.length() < 0) {
                drop();
                throw new KuboException(ENDPOINT, h.code(), -1, "the plain answer for " + root
                        + " has no Content-Length", false, null);
            }
            return h.length();
        } catch (StaleConnection e) {
            drop();
            throw KuboException.unreachable(ENDPOINT, base + " closed the connection without answering", e);
        } catch (IOException e) {
            throw failure(root, e);
        }
    }

    /** The next {@code n} bytes of the body opened by {@link #openFile} into {@code b[off, off+n)}. */
    void readBody(byte[] b, int off, int n) throws IOException {
        if (in.readNBytes(b, off, n) != n) {
            throw new EOFException(base + " ended the plain answer early");
        }
    }

    /** Skips the next {@code n} bytes of the body opened by {@link #openFile}. */
    void skipBody(long n) throws IOException {
        in.skipNBytes(n);
    }

    /** Reads a body of at most {@code max} bytes (more is refused when {@code strict}, cut otherwise). */
    private byte[] body(Cid cid, boolean chunked, long length, byte[] reuse, int max, boolean strict)
            throws IOException {
        if (!chunked && length >= 0) {
            if (length > max) {
                if (strict) {
                    throw new VerificationException(cid.toString(), Kind.MALFORMED,
                            "block of " + length + " bytes is larger than " + max);
                }
                length = max;
            }
            int n = (int) length;
            byte[] b = reuse != null && reuse.length >= n ? reuse : new byte[n];
            if (in.readNBytes(b, 0, n) != n) {
                throw new EOFException(base + " ended the answer for " + cid + " early");
            }
            lastLength = n;
            return b;
        }
        ByteArrayOutputStream acc = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                String sizeLine = line();
                int semi = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new KuboException(ENDPOINT, -1, -1, "bad chunk size line " + sizeLine, false, null);
                }
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailer fields: not used for raw blocks
                    }
                    break;
                }
                if (acc.size() + size > max) {
                    if (strict) {
                        throw new VerificationException(cid.toString(), Kind.MALFORMED, "block larger than " + max);
                    }
                    break;
                }
                byte[] chunk = in.readNBytes((int) size);
                if (chunk.length != size) {
                    throw new EOFException(base + " ended the answer for " + cid + " inside a chunk");
                }
                acc.write(chunk);
                line(); // CRLF after the chunk data
            }
        } else {
            byte[] all = in.readNBytes(max + 1);
            if (all.length > max && strict) {
                throw new VerificationException(cid.toString(), Kind.MALFORMED, "block larger than " + max);
            }
            acc.write(all, 0, Math.min(all.length, max));
        }
        lastLength = acc.size();
        byte[] data = acc.toByteArray();
        if (reuse != null && reuse.length >= data.length) {
            System.arraycopy(data, 0, reuse, 0, data.length);
            return reuse;
        }
        return data;
    }

    /** One line of the head or of the chunk framing, without its CRLF. */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed inside the answer's head");
            }
            if (c == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            if (sb.length() >= MAX_HEAD) {
                throw new KuboException(ENDPOINT, -1, -1, "line longer than " + MAX_HEAD + " bytes", false, null);
            }
            sb.append((char) c);
        }
    }

    private void open() throws IOException {
        if (closed) {
            throw KuboException.unreachable(ENDPOINT, "connection closed", null);
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setReceiveBufferSize(1 << 20);
            s.connect(new InetSocketAddress(host, port), timeoutMillis(connect));
        } catch (IOException e) {
            s.close();
            throw KuboException.unreachable(ENDPOINT, "cannot connect to " + base + " (" + e + ")", e);
        }
        socket = s;
        if (closed) { // closed while connecting: do not leave it open
            drop();
            throw KuboException.unreachable(ENDPOINT, "connection closed", null);
        }
        in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
        out = s.getOutputStream();
    }

    private static int timeoutMillis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    private void drop() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // going anyway
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        drop();
    }
}

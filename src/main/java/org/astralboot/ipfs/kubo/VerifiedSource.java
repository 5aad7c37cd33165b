package org.astralboot.ipfs.kubo;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.ipfs.verify.Cid;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.ipfs.verify.VerifiedFileReader;
import org.astralboot.ipfs.verify.VerificationException.Kind;

/**
 * Where the cache gets file content from: the file's DAG from Kubo's RPC API as a CAR stream
 * ({@code POST /api/v0/dag/export}), or from a trustless HTTP gateway
 * (specs.ipfs.tech/http-gateways/trustless-gateway), turned into the file's bytes by
 * {@link VerifiedFileReader}: no byte reaches the cache or a client before the block it belongs to
 * has been checked against its CID.
 *
 * <p>From a gateway, a whole file (a download into the cache) comes as its inner nodes' blocks
 * ({@code ?format=raw}, on kept-alive connections) and its leaves rebuilt from one plain answer for
 * the file ({@link GatewayBlocks}): Kubo serves that with less than half the CPU of the same DAG as
 * one CAR stream. A range of a file not
 * cached is one CAR of the blocks of the range ({@code ?format=car&dag-scope=entity&entity-bytes=from:to},
 * {@code Accept: application/vnd.ipld.car; order=dfs; dups=y}). {@code dag/export} has no ranges,
 * so its stream is read from the start (blocks before the range verified, not emitted) and
 * dropped at the end of the range.
 */
public final class VerifiedSource {
    private static final String CAR = "application/vnd.ipld.car; version=1; order=dfs; dups=y";
    /** Largest single block accepted from {@code block/get} (Bitswap's limit is 2 MiB). */
    private static final int MAX_BLOCK = 4 << 20;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VerifiedSource.class);
    /**
     * The threads that read CAR streams ahead of their verifiers (one per stream while it is read;
     * daemon threads, kept a minute when idle).
     */
    private static final java.util.concurrent.ExecutorService PREFETCH = java.util.concurrent.Executors
            .newCachedThreadPool(r -> {
                Thread t = new Thread(r, "ipfs-car");
                t.setDaemon(true);
                return t;
            });

    /** The threads of {@link GatewayBlocks}: {@link GatewayBlocks#CONNECTIONS} per whole-file download. */
    private static final java.util.concurrent.ExecutorService BLOCKS = java.util.concurrent.Executors
            .newCachedThreadPool(r -> {
                Thread t = new Thread(r, "ipfs-block");
                t.setDaemon(true);
                return t;
            });

    private final URI api;
    private final URI gateway;
    private final Duration connect;
    private final Duration header;
    private final Duration idle;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    /**
     * @param api     the RPC base, as {@link KuboClient#api()} gives it ({@code .../api/v0/})
     * @param gateway a trustless gateway's base URL, or null to use {@code api}
     */
    VerifiedSource(URI api, URI gateway, Duration connect, Duration header, Duration idle) {
        this.api = api;
        this.gateway = gateway;
        this.connect = connect;
        this.header = header;
        this.idle = idle;
    }

    /** The RPC API of {@code client}, or {@code gateway} when not null, with the client's timeouts. */
    public static VerifiedSource of(KuboClient client, URI gateway) {
        Duration[] t = client.timeouts();
        return new VerifiedSource(client.api(), gateway, t[0], t[1], t[2]);
    }

    /** Downloads and uncached ranges asked of the node or gateway (a CAR request, or a file's block requests). */
    public long requests() {
        return requests.get();
    }

    /** CAR or block bytes received. */
    public long bytes() {
        return bytes.get();
    }

    public URI gateway() {
        return gateway;
    }

    /**
     * The verified bytes {@code [offset, offset + length)} of the file {@code cid} of {@code size}
     * bytes. Reads throw {@link VerificationException} (naming the CID at fault) for content that
     * is not the file's, {@link KuboException} for the connection. The first verification failure
     * ends the stream, except that through the RPC API a block missing from the node's own blocks
     * is read once more from the full export ({@link LocalFirst}).
     */
    public ChannelStream open(String cid, long size, long offset, long length) throws IOException {
        Cid root;
        try {
            root = Cid.parse(cid);
        } catch (IllegalArgumentException e) {
            throw new VerificationException(cid, Kind.UNVERIFIABLE, "cannot be verified: " + e.getMessage());
        }
        String arg = URLEncoder.encode(cid, StandardCharsets.UTF_8);
        if (gateway != null && offset == 0 && length == size) {
            requests.incrementAndGet();
            GatewayBlocks blocks = new GatewayBlocks(gateway, root, size, connect, header, idle, bytes, BLOCKS);
            return new Verified(new VerifiedFileReader(root, size, blocks), blocks);
        }
        if (gateway != null) {
            boolean scoped = !(offset == 0 && length == size);
            String scope = scoped ? "entity&entity-bytes=" + offset + ":" + (offset + length - 1) : "all";
            requests.incrementAndGet();
            RawStream.Body body = RawStream.request("GET", gateway, "gateway", path(gateway) + "ipfs/" + arg
                    + "?format=car&dag-scope=" + scope, "Accept: " + CAR + "\r\n", connect, header, idle);
            return verified(root, size, offset, length, body, true, scoped);
        }
        ChannelStream local;
        try {
            local = export(root, arg, size, offset, length, true);
        } catch (KuboException e) {
            if (e.unreachable()) {
                throw e;
            }
            // Not all local (the root block missing), or a node without --local-only.
            return export(root, arg, size, offset, length, false);
        }
        return new LocalFirst(root, arg, size, offset, length, local);
    }

    /**
     * {@code dag/export} of {@code root}, verified. With {@code localOnly} Kubo walks its own
     * blockstore (boxo's DAG walker, pre-order depth-first like the full export, each block once)
     * instead of its IPLD selector traversal, which took twice the time of the node's own
     * {@code cat} for 100 MiB (bench/verify/stages, bench/ipfs/README.md). The price: a block the
     * node does not hold is left out of the stream, not fetched, which the verifier reports as a
     * {@linkplain VerificationException.Kind#MISSING missing} block ({@link LocalFirst} then asks
     * again without the option, for that kind of failure only).
     */
    private ChannelStream export(Cid root, String arg, long size, long offset, long length, boolean localOnly)
            throws IOException {
        requests.incrementAndGet();
        RawStream.Body body = RawStream.post(api, "dag/export", api.getRawPath() + "dag/export?arg=" + arg
                + "&progress=false" + (localOnly ? "&local-only=true" : ""), connect, header, idle);
        return verified(root, size, offset, length, body, false, false);
    }

    private ChannelStream verified(Cid root, long size, long offset, long length, RawStream.Body body, boolean dups,
            boolean scoped) throws IOException {
        try {
            VerifiedFileReader r = new VerifiedFileReader(root, size, offset, length, counted(body), dups, scoped,
                    // A range is read on the caller's thread: reading ahead would pull blocks past its end.
                    this::block, offset == 0 && length == size ? PREFETCH : null);
            return new Verified(r, body);
        } catch (IOException | RuntimeException e) {
            body.close();
            throw e;
        }
    }

    /**
     * The node's local blocks first ({@code dag/export --local-only}), and when they do not make
     * the whole range, the rest of the range from the full export.
     *
     * <p>Contract: the full export is asked for once at most, and only when the local-only stream
     * shows a block {@linkplain VerificationException.Kind#MISSING missing} (a block the node would
     * have to fetch from its peers is left out of that stream, so the verifier meets another CID
     * where it expected this one, or the end of the stream before it). Every other failure of the
     * local-only stream is thrown as it is, naming its CID: a block that arrived and does not hash
     * to its CID ({@link VerificationException.Kind#ALTERED}), or that is malformed, or a stream cut
     * inside a block. Why: those say nothing about what the node holds; asking the same node again
     * for the same blocks gives the same refused content at twice the transfer (a tampering node or
     * middlebox would double the work it causes), and would make the operator's log report each
     * forged block twice. Every byte passed on is verified either way.
     */
    private final class LocalFirst extends ChannelStream {
        private final Cid root;
        private final String arg;
        private final long size;
        private final long offset;
        private final long length;
        private ChannelStream current;
        private long done;
        private boolean whole;
        private volatile boolean closed;

        LocalFirst(Cid root, String arg, long size, long offset, long length, ChannelStream local) {
            this.root = root;
            this.arg = arg;
            this.size = size;
            this.offset = offset;
            this.length = length;
            this.current = local;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                int n = current.read(dst);
                if (n > 0) {
                    done += n;
                }
                return n;
            } catch (VerificationException e) {
                // Only a gap in the node's own blocks is worth a second stream; content that arrived
                // and is wrong would arrive wrong again. Every byte out and still a failure:
                // something after the last block, not a gap.
                if (e.kind() != VerificationException.Kind.MISSING || whole || closed || done == length) {
                    throw e;
                }
                whole = true;
                current.close();
                LOG.info("ipfs {}: not whole in the node's own blocks ({}); the rest from the full dag/export", root,
                        e.getMessage());
                ChannelStream rest = export(root, arg, size, offset + done, length - done, false);
                current = rest;
                if (closed) {
                    rest.close();
                    throw new KuboException("dag/export", -1, -1, "stream closed", true, null);
                }
                return read(dst);
            }
        }

        @Override
        public boolean isOpen() {
            return !closed && current.isOpen();
        }

        @Override
        public void close() throws IOException {
            closed = true;
            current.close();
        }
    }

    private static String path(URI base) {
        String p = base.getRawPath() == null ? "" : base.getRawPath();
        return p.endsWith("/") ? p : p + "/";
    }

    private InputStream counted(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytes.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytes.addAndGet(n);
                }
                return n;
            }
        };
    }

    /**
     * One block alone, unverified: {@code block/get} from the RPC API, {@code ?format=raw} from the
     * gateway. For a repeat {@code dag/export} sent once and the file verifier no longer holds, and
     * for the blocks of directory listings; the caller checks it against {@code c}.
     */
    public byte[] block(Cid c) throws IOException {
        String arg = URLEncoder.encode(c.toString(), StandardCharsets.UTF_8);
        RawStream.Body body = gateway != null
                ? RawStream.request("GET", gateway, "gateway", path(gateway) + "ipfs/" + arg + "?format=raw",
                        "Accept: application/vnd.ipld.raw\r\n", connect, header, idle)
                // Kubo's own lookup timeout, shorter than ours, as ls had: a block no peer has is
                // then an error of the node (not found), not a silent node taken for unreachable.
                : RawStream.post(api, "block/get", api.getRawPath() + "block/get?arg=" + arg + "&timeout="
                        + Math.max(1, header.toSeconds() - 1) + "s", connect, header, idle);
        try (body) {
            byte[] b = body.readNBytes(MAX_BLOCK + 1);
            if (b.length > MAX_BLOCK) {
                throw new VerificationException(c.toString(), Kind.MALFORMED,
                        "block larger than " + MAX_BLOCK + " bytes");
            }
            bytes.addAndGet(b.length);
            return b;
        }
    }

    /** The verifier's bytes as a channel; closing it from any thread ends a read in progress. */
    private static final class Verified extends ChannelStream {
        private final VerifiedFileReader reader;
        private final java.io.Closeable body;
        private volatile boolean closed;

        Verified(VerifiedFileReader reader, java.io.Closeable body) {
            this.reader = reader;
            this.body = body;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return reader.read(dst);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return reader.read(b, off, len);
        }

        @Override
        public boolean isOpen() {
            return !closed && (!(body instanceof RawStream.Body b) || b.isOpen());
        }

        @Override
        public void close() throws IOException {
            closed = true;
            body.close();
            reader.close();
        }
    }
}

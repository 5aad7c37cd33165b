package org.astralboot.ipfs.kubo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.ListIterator;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.ipfs.verify.BlockStream;
import org.astralboot.ipfs.verify.CarReader;
import org.astralboot.ipfs.verify.Cid;
import org.astralboot.ipfs.verify.DagPb;
import org.astralboot.ipfs.verify.Multihash;

/**
 * The blocks of a whole UnixFS file from a trustless gateway, one {@code GET /ipfs/<cid>?format=raw}
 * per block (specs.ipfs.tech/http-gateways/trustless-gateway §"Block Responses"), fetched on
 * {@link #CONNECTIONS} kept-alive connections at once and handed out in depth-first order, each
 * repeated block each time it is linked: the order {@link org.astralboot.ipfs.verify.VerifiedFileReader}
 * walks and checks.
 *
 * <p>Why not the gateway's CAR ({@code ?format=car}): Kubo 0.43 spends about twice the CPU per
 * byte writing a file's DAG as one CAR stream as it spends serving its blocks this way (0.67-0.72 s
 * against 0.38-0.46 s of node CPU per 100 MiB on this project's 2-vCPU machine, bench/ipfs/README.md
 * "Run 2026-12-07 06:33"), and one stream is served by one goroutine at a time.
 *
 * <p>Trust: nothing here is believed. A dag-pb block is decoded only to learn which blocks to fetch
 * next, before anyone checked it; the reader checks every block against the CID its own walk
 * expects, so a forged block (or a forged list of children) fails there, naming its CID. Blocks
 * whose CID is an identity multihash are not fetched (their bytes are in the CID; the reader takes
 * them from there).
 *
 * <p>Limits: at most {@link #AHEAD} blocks are fetched ahead of the reader (held or in flight), each
 * at most {@link #MAX_BLOCK} bytes; a request must be answered within the header timeout and every
 * later read within the idle timeout ({@link GatewayConnection}). The first failure stops the
 * fetching; the reader gets the blocks before it, then the failure. {@link #close} from any thread
 * closes the connections (ending reads in progress) and makes a waiting {@link #next} fail.
 */
public final class GatewayBlocks implements BlockStream {
    /**
     * Requests in flight at once: each a kept-alive connection and a thread. Several hide the
     * round trip per block; more than a few only spread a local node over more cores than the
     * machine has (2 vCPUs, local Kubo, cold 100 MiB / the node's cat, median per file: 1 connection
     * 1.08-1.20, 2: 0.96-1.22, 3: 1.03-1.09, 4: 1.02-1.11, 8: 1.18-1.33; bench/ipfs/README.md).
     */
    static final int CONNECTIONS = 3;
    /** Blocks fetched (or being fetched) ahead of the reader: 4 MiB of Kubo's 256 KiB chunks. */
    static final int AHEAD = 16;
    /** Largest block accepted (Bitswap's limit is 2 MiB). */
    static final int MAX_BLOCK = 4 << 20;

    private enum State {
        WAITING, FETCHING, DONE, FAILED
    }

    /** One block of the walk: where it is in the depth-first order, and what came of its fetch. */
    private static final class Slot {
        final Cid cid;
        State state = State.WAITING;
        byte[] buf;
        int len;
        IOException failure;

        Slot(Cid cid) {
            this.cid = cid;
        }
    }

    private final URI gateway;
    private final Duration connect;
    private final Duration header;
    private final Duration idle;
    private final AtomicLong bytes;
    /** The walk as far as it is known: children are inserted after their parent once it arrived. */
    private final LinkedList<Slot> order = new LinkedList<>();
    /** Arrays the reader is done with, for the next blocks. */
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private final List<GatewayConnection> connections = new ArrayList<>();
    /** Slots fetched or in flight and not yet handed out. */
    private int ahead;
    private boolean stopped;
    private boolean closed;
    /** The reader's side: the failure handed out, given again to every later call. */
    private IOException ended;

    /**
     * Starts fetching the DAG of {@code root} on {@link #CONNECTIONS} threads of {@code threads}.
     *
     * @param bytes counts the block bytes received
     */
    public GatewayBlocks(URI gateway, Cid root, Duration connect, Duration header, Duration idle, AtomicLong bytes,
            Executor threads) {
        this.gateway = gateway;
        this.connect = connect;
        this.header = header;
        this.idle = idle;
        this.bytes = bytes;
        if (root.multihash().code() != Multihash.IDENTITY) {
            order.add(new Slot(root));
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            threads.execute(this::fetchLoop);
        }
    }

    private void fetchLoop() {
        GatewayConnection conn = new GatewayConnection(gateway, connect, header, idle);
        synchronized (this) {
            if (closed) {
                return;
            }
            connections.add(conn);
        }
        try {
            while (true) {
                Slot s;
                byte[] reuse;
                synchronized (this) {
                    while ((s = nextToFetch()) == null) {
                        if (stopped || closed || order.isEmpty()) {
                            return;
                        }
                        wait();
                    }
                    s.state = State.FETCHING;
                    ahead++;
                    reuse = spare.poll();
                }
                try {
                    byte[] b = conn.get(s.cid, reuse, MAX_BLOCK);
                    int len = conn.lastLength();
                    bytes.addAndGet(len);
                    List<Cid> children = children(s.cid, b, len);
                    synchronized (this) {
                        s.buf = b;
                        s.len = len;
                        s.state = State.DONE;
                        insertAfter(s, children);
                        notifyAll();
                    }
                } catch (IOException | RuntimeException e) {
                    synchronized (this) {
                        s.failure = e instanceof IOException io ? io
                                : new KuboException("gateway", -1, -1, s.cid + ": " + e, false, e);
                        s.state = State.FAILED;
                        stopped = true; // nothing after a failure is ever handed out
                        notifyAll();
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            conn.close();
            synchronized (this) {
                connections.remove(conn);
            }
        }
    }

    /** The first block of the walk not yet asked for, when the reader is not too far behind. */
    private Slot nextToFetch() {
        if (stopped || closed || ahead >= AHEAD) {
            return null;
        }
        int seen = 0;
        for (Slot s : order) {
            if (s.state == State.WAITING) {
                return s;
            }
            if (++seen >= AHEAD) {
                return null;
            }
        }
        return null;
    }

    /** A dag-pb block's links, as it claims them (unchecked: only to know what to fetch next). */
    private static List<Cid> children(Cid cid, byte[] b, int len) {
        if (cid.codec() != Cid.DAG_PB) {
            return List.of();
        }
        try {
            List<DagPb.Link> links = DagPb.node(b, 0, len).links();
            List<Cid> out = new ArrayList<>(links.size());
            for (DagPb.Link l : links) {
                out.add(l.cid());
            }
            return out;
        } catch (IllegalArgumentException e) {
            return List.of(); // the reader reports the block as malformed
        }
    }

    private void insertAfter(Slot parent, List<Cid> children) {
        if (children.isEmpty()) {
            return;
        }
        ListIterator<Slot> it = order.listIterator();
        while (it.hasNext()) {
            if (it.next() == parent) {
                for (Cid c : children) {
                    if (c.multihash().code() != Multihash.IDENTITY) {
                        it.add(new Slot(c));
                    }
                }
                return;
            }
        }
    }

    @Override
    public CarReader.Block next(byte[] reuse) throws IOException {
        synchronized (this) {
            if (reuse != null && spare.size() < AHEAD) {
                spare.add(reuse);
            }
            if (ended != null) {
                throw ended;
            }
            while (true) {
                if (closed) {
                    throw new IOException("gateway block stream closed");
                }
                Slot head = order.peekFirst();
                if (head == null) {
                    return null;
                }
                if (head.state == State.DONE) {
                    order.removeFirst();
                    ahead--;
                    notifyAll();
                    return new CarReader.Block(head.cid, head.buf, 0, head.len);
                }
                if (head.state == State.FAILED) {
                    ended = head.failure;
                    throw ended;
                }
                if (stopped && head.state == State.WAITING) {
                    // Another block failed and took the fetchers with it; this one is never fetched.
                    ended = firstFailure();
                    throw ended;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for a block from the gateway");
                }
            }
        }
    }

    private IOException firstFailure() {
        for (Slot s : order) {
            if (s.state == State.FAILED) {
                return s.failure;
            }
        }
        return new IOException("gateway block stream stopped");
    }

    @Override
    public void close() {
        List<GatewayConnection> open;
        synchronized (this) {
            closed = true;
            open = List.copyOf(connections);
            notifyAll();
        }
        for (GatewayConnection c : open) {
            c.close();
        }
    }
}

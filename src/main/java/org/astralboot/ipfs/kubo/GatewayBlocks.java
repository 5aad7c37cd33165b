package org.astralboot.ipfs.kubo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.ipfs.verify.BlockStream;
import org.astralboot.ipfs.verify.CarReader;
import org.astralboot.ipfs.verify.Cid;
import org.astralboot.ipfs.verify.DagPb;
import org.astralboot.ipfs.verify.Multihash;
import org.astralboot.ipfs.verify.Varint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocks of a whole UnixFS file from a trustless gateway, handed out in depth-first order, each
 * repeated block each time it is linked: the order {@link org.astralboot.ipfs.verify.VerifiedFileReader}
 * walks and checks.
 *
 * <p>How they come: the root and every inner node with one {@code GET /ipfs/<cid>?format=raw} each
 * (specs.ipfs.tech/http-gateways/trustless-gateway §"Block Responses") on up to
 * {@link #CONNECTIONS} kept-alive connections; the leaves, once an inner node announces them, from
 * one plain answer for the whole file ({@code GET /ipfs/<root>}, read in file order), each leaf's
 * block rebuilt around its bytes: a raw leaf is its bytes, a dag-pb leaf is Kubo's encoding of a
 * UnixFS File node holding them ({@link #leafLength}), predicted only where the link's Tsize is
 * exactly that encoding's length. Why: Kubo 0.43 spends about 0.3 s of CPU per 100 MiB on the
 * plain answer, 0.4 s on the same blocks asked one by one and 0.6-0.7 s on one CAR
 * ({@code ?format=car}) (bench/ipfs/README.md, "Run 2026-12-07"); and one stream needs no round
 * trip per block, which a distant gateway would make the bound.
 *
 * <p>Trust: nothing here is believed. A dag-pb block is decoded only to learn which blocks to fetch
 * next, before anyone checked it; the reader checks every block against the CID its own walk
 * expects, so a forged block (or a forged list of children) fails there, naming its CID. A rebuilt
 * leaf that does not hash to its CID (plain bytes altered, or leaves encoded another way) is asked
 * again as a block ({@link #again}), and from then on every leaf is: only a block from the
 * gateway that fails its check ends the file. A gateway that refuses plain answers (a trustless-only
 * one), stalls or ends one early costs its leaves a block request each, nothing more. Blocks
 * whose CID is an identity multihash are not fetched (their bytes are in the CID; the reader takes
 * them from there), and a file linking one is fetched block by block.
 *
 * <p>Limits: at most {@link #AHEAD} blocks are held or in flight ahead of the reader (the first one
 * of the walk always may be), each at most {@link #MAX_BLOCK} bytes; a request must be answered
 * within the header timeout and every later read within the idle timeout ({@link GatewayConnection}).
 * The first failure of a block request stops the fetching; the reader gets the blocks before it,
 * then the failure. {@link #close} from any thread closes the connections (ending reads in
 * progress) and makes a waiting {@link #next} fail.
 */
public final class GatewayBlocks implements BlockStream {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayBlocks.class);
    /**
     * Block requests in flight at once: each a kept-alive connection and a thread. Several hide the
     * round trip per block; more than a few only spread a local node over more cores than the
     * machine has (2 vCPUs, local Kubo, all blocks asked one by one, cold 100 MiB / the node's cat,
     * median per file: 1 connection 1.08-1.20, 2: 0.96-1.22, 3: 1.03-1.09, 4: 1.02-1.11, 8: 1.18-1.33;
     * bench/ipfs/README.md).
     */
    static final int CONNECTIONS = 3;
    /** Blocks fetched (or being fetched) ahead of the reader: 4 MiB of Kubo's 256 KiB chunks. */
    static final int AHEAD = 16;
    /** Largest block accepted (Bitswap's limit is 2 MiB). */
    static final int MAX_BLOCK = 4 << 20;

    private enum State {
        WAITING, FETCHING, DONE, FAILED
    }

    /** Where leaves come from: the plain answer (not yet asked, being read) or block requests. */
    private enum Plain {
        NOT_YET, READING, OFF
    }

    /** One block of the walk: where it is in the depth-first order, and what came of its fetch. */
    private static final class Slot {
        final Cid cid;
        /** The file bytes its parent announced for it (-1: the root, not known here). */
        final long size;
        /** Predicted a leaf whose block can be rebuilt from {@code size} plain bytes. */
        final boolean leaf;
        State state = State.WAITING;
        byte[] buf;
        int len;
        /** Built from the plain answer rather than fetched. */
        boolean rebuilt;
        /** An inner node's own file bytes (before its children's in the file), once it arrived. */
        long dataLen;
        IOException failure;
        /** The next slot of the walk as far as it is known (an inner node's changes when its children arrive). */
        Slot next;

        Slot(Cid cid, long size, boolean leaf) {
            this.cid = cid;
            this.size = size;
            this.leaf = leaf;
        }
    }

    /** A dag-pb node's children as it claims them, and its own data's length (unchecked). */
    private record Children(List<Slot> slots, long dataLen, boolean identity) {
    }

    private final URI gateway;
    private final Cid root;
    private final Duration connect;
    private final Duration header;
    private final Duration idle;
    private final AtomicLong bytes;
    private final Executor threads;
    /** The first slot not yet handed out; the rest follow by {@link Slot#next}. */
    private Slot first;
    /** Where the plain answer's reader starts (the root), until it starts. */
    private Slot plainStart;
    private Plain plain = Plain.NOT_YET;
    private GatewayConnection plainConnection;
    /** Arrays the reader is done with, for the next blocks. */
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private final List<GatewayConnection> connections = new ArrayList<>();
    /** Slots fetched or in flight and not yet handed out. */
    private int ahead;
    private boolean stopped;
    private boolean closed;
    /** The slot handed out last (what {@link #again} may be asked about). */
    private Slot given;
    /** The reader's side: the failure handed out, given again to every later call. */
    private IOException ended;

    /**
     * Starts fetching the DAG of {@code root} on {@link #CONNECTIONS} threads of {@code threads},
     * and one more for the plain answer: at once when {@code size} says the file cannot be one
     * block (its request then overlaps the root's and the first inner node's), else once a leaf is
     * known.
     *
     * @param size  the file's size as the caller knows it (a hint: the reader checks the real one)
     * @param bytes counts the block and plain bytes received
     */
    public GatewayBlocks(URI gateway, Cid root, long size, Duration connect, Duration header, Duration idle,
            AtomicLong bytes, Executor threads) {
        this.gateway = gateway;
        this.root = root;
        this.connect = connect;
        this.header = header;
        this.idle = idle;
        this.bytes = bytes;
        this.threads = threads;
        boolean plainAtOnce;
        synchronized (this) { // the fetching threads see all of this
            if (root.multihash().code() != Multihash.IDENTITY) {
                first = new Slot(root, -1, false);
                plainStart = first;
            }
            plainAtOnce = first != null && size > MAX_BLOCK;
            if (plainAtOnce) {
                plain = Plain.READING;
            }
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            threads.execute(this::fetchLoop);
        }
        if (plainAtOnce) {
            startPlain();
        }
    }

    /**
     * Length of Kubo's dag-pb leaf holding {@code n} file bytes: {@code PBNode{Data: UnixFS{Type:
     * File, Data: bytes, filesize: n}}} (dag-pb spec; UnixFS spec, fields 1, 2 and 3).
     */
    static long leafLength(long n) {
        long u = unixfsLength(n);
        return 1 + Varint.length(u) + u;
    }

    /** Length of that leaf's UnixFS message: Type, Data and filesize. */
    private static long unixfsLength(long n) {
        return 2 + 1 + Varint.length(n) + n + 1 + Varint.length(n);
    }

    /** Writes the bytes of that leaf before its data into {@code b}; returns how many. */
    private static int leafHead(byte[] b, int n) {
        int p = 0;
        b[p++] = 0x0a; // PBNode.Data, length-delimited
        p = Varint.write(unixfsLength(n), b, p);
        b[p++] = 0x08; // Data.Type
        b[p++] = DagPb.FILE;
        b[p++] = 0x12; // Data.Data, length-delimited
        return Varint.write(n, b, p);
    }

    /** Writes the bytes of that leaf after its data at {@code p}; returns the end. */
    private static int leafTail(byte[] b, int p, int n) {
        b[p++] = 0x18; // Data.filesize
        return Varint.write(n, b, p);
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
                        if (stopped || closed || first == null) {
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
                    Children children = children(s.cid, b, len);
                    boolean startPlain;
                    synchronized (this) {
                        s.buf = b;
                        s.len = len;
                        s.dataLen = children.dataLen();
                        s.state = State.DONE;
                        insertAfter(s, children.slots());
                        if (children.identity()) {
                            plain = Plain.OFF;
                        }
                        startPlain = plain == Plain.NOT_YET && children.slots().stream().anyMatch(c -> c.leaf);
                        if (startPlain) {
                            plain = Plain.READING;
                        }
                        notifyAll();
                    }
                    if (startPlain) {
                        startPlain();
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

    private void startPlain() {
        try {
            threads.execute(this::plainLoop);
        } catch (RuntimeException e) {
            plainFailed(null, "no thread for it: " + e);
        }
    }

    /**
     * The first block of the walk not yet asked for and not left to the plain answer, when the
     * reader is not too far behind (the first one of the walk always).
     */
    private Slot nextToFetch() {
        if (stopped || closed) {
            return null;
        }
        int seen = 0;
        for (Slot s = first; s != null && seen < AHEAD; s = s.next, seen++) {
            if (s.state == State.WAITING && !(s.leaf && plain != Plain.OFF)) {
                return ahead < AHEAD || s == first ? s : null;
            }
        }
        return null;
    }

    /**
     * A dag-pb block's links as it claims them (unchecked: only to know what to fetch next), each
     * predicted a leaf or not from its codec, its Tsize and the size the block announces for it.
     */
    private static Children children(Cid cid, byte[] b, int len) {
        if (cid.codec() != Cid.DAG_PB) {
            return new Children(List.of(), 0, false);
        }
        try {
            DagPb.Node node = DagPb.node(b, 0, len);
            List<DagPb.Link> links = node.links();
            long[] sizes = null;
            long dataLen = 0;
            if (node.dataOff() >= 0) {
                DagPb.UnixFs u = DagPb.unixfs(b, node.dataOff(), node.dataLen());
                dataLen = u.dataLen();
                if (u.blocksizes().length == links.size()) {
                    sizes = u.blocksizes();
                }
            }
            List<Slot> out = new ArrayList<>(links.size());
            boolean identity = false;
            for (int i = 0; i < links.size(); i++) {
                Cid c = links.get(i).cid();
                if (c.multihash().code() == Multihash.IDENTITY) {
                    identity = true;
                    continue;
                }
                long size = sizes == null ? -1 : sizes[i];
                boolean leaf = size > 0 && size <= MAX_BLOCK - 32 && (c.codec() == Cid.RAW
                        || c.codec() == Cid.DAG_PB && links.get(i).tsize() == leafLength(size));
                out.add(new Slot(c, size, leaf));
            }
            return new Children(out, dataLen, identity);
        } catch (IllegalArgumentException e) {
            return new Children(List.of(), 0, false); // the reader reports the block as malformed
        }
    }

    private void insertAfter(Slot parent, List<Slot> children) {
        Slot after = parent;
        for (Slot c : children) {
            c.next = after.next;
            after.next = c;
            after = c;
        }
    }

    /**
     * Reads the plain answer in file order: skips each inner node's own bytes once it arrived, and
     * rebuilds each predicted leaf's block from the next {@code size} bytes. Any trouble with the
     * answer turns the plain answer off; the leaves not yet read are then asked as blocks.
     */
    private void plainLoop() {
        GatewayConnection conn = new GatewayConnection(gateway, connect, header, idle);
        Slot s;
        synchronized (this) {
            if (closed || plain != Plain.READING) {
                return;
            }
            connections.add(conn);
            plainConnection = conn;
            s = plainStart;
            plainStart = null;
        }
        Slot filling = null;
        try {
            conn.openFile(root);
            while (s != null) {
                long skip;
                byte[] buf;
                synchronized (this) {
                    while (true) {
                        if (closed || stopped || plain != Plain.READING) {
                            return;
                        }
                        if (!s.leaf && s.state == State.DONE) {
                            skip = s.dataLen;
                            buf = null;
                            break;
                        }
                        if (s.leaf && s.state == State.WAITING && (ahead < AHEAD || s == first)) {
                            s.state = State.FETCHING;
                            ahead++;
                            filling = s;
                            skip = 0;
                            buf = spare.poll();
                            break;
                        }
                        if (s.state == State.FAILED || s.leaf && s.state != State.WAITING) {
                            return; // the fetching stopped, or the block was asked by itself
                        }
                        wait();
                    }
                }
                if (filling == null) {
                    conn.skipBody(skip);
                    bytes.addAndGet(skip);
                } else {
                    int n = (int) s.size;
                    int need = s.cid.codec() == Cid.RAW ? n : (int) leafLength(n);
                    if (buf == null || buf.length < need) {
                        buf = new byte[Math.max(need, 256 * 1024 + 64)];
                    }
                    int end;
                    if (s.cid.codec() == Cid.RAW) {
                        conn.readBody(buf, 0, n);
                        end = n;
                    } else {
                        int head = leafHead(buf, n);
                        conn.readBody(buf, head, n);
                        end = leafTail(buf, head + n, n);
                    }
                    bytes.addAndGet(n);
                    synchronized (this) {
                        if (s.state == State.FETCHING && plain == Plain.READING) {
                            s.buf = buf;
                            s.len = end;
                            s.rebuilt = true;
                            s.state = State.DONE;
                            filling = null;
                            notifyAll();
                        }
                    }
                }
                synchronized (this) {
                    s = s.next;
                }
            }
        } catch (IOException | RuntimeException e) {
            plainFailed(filling, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            plainFailed(filling, "interrupted");
        } finally {
            conn.close();
            synchronized (this) {
                connections.remove(conn);
                if (plainConnection == conn) {
                    plainConnection = null;
                }
            }
        }
    }

    /** The plain answer cannot be used: {@code filling}, when not null, and every leaf after it go as blocks. */
    private void plainFailed(Slot filling, String why) {
        synchronized (this) {
            if (plain != Plain.READING || closed) {
                return; // already off (again() closed it), or closing
            }
            plain = Plain.OFF;
            if (filling != null && filling.state == State.FETCHING) {
                filling.state = State.WAITING;
                ahead--;
            }
            notifyAll();
        }
        LOG.info("gateway {}: the plain answer for {} is not usable ({}); its remaining leaves are asked one by one",
                gateway, root, why);
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
                Slot head = first;
                if (head == null) {
                    return null;
                }
                if (head.state == State.DONE) {
                    first = head.next;
                    ahead--;
                    given = head;
                    byte[] b = head.buf;
                    head.buf = null; // the reader owns it now
                    notifyAll();
                    return new CarReader.Block(head.cid, b, 0, head.len);
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

    /**
     * The block {@code cid} asked by itself, when the one just handed out for it was rebuilt from
     * the plain answer (which then stops: every later leaf is asked as a block); null otherwise.
     */
    @Override
    public CarReader.Block again(Cid cid) throws IOException {
        GatewayConnection stale;
        GatewayConnection conn;
        synchronized (this) {
            if (closed || given == null || !given.rebuilt || !given.cid.equals(cid)) {
                return null;
            }
            conn = new GatewayConnection(gateway, connect, header, idle);
            given = null;
            stale = plainConnection;
            if (plain == Plain.READING) {
                plain = Plain.OFF;
                for (Slot s = first; s != null; s = s.next) {
                    if (s.leaf && s.state == State.FETCHING) { // being read from the plain answer
                        s.state = State.WAITING;
                        ahead--;
                    } else if (s.rebuilt && s.state == State.DONE) {
                        s.state = State.WAITING;
                        s.rebuilt = false;
                        if (spare.size() < AHEAD) {
                            spare.add(s.buf);
                        }
                        s.buf = null;
                        ahead--;
                    }
                }
            }
            connections.add(conn);
            notifyAll();
        }
        if (stale != null) {
            stale.close();
        }
        LOG.warn("gateway {}: block {} rebuilt from the plain answer for {} does not hash to its CID (altered, or"
                + " leaves encoded another way); it and every later leaf are asked as blocks", gateway, cid, root);
        try {
            byte[] b = conn.get(cid, null, MAX_BLOCK);
            bytes.addAndGet(conn.lastLength());
            return new CarReader.Block(cid, b, 0, conn.lastLength());
        } finally {
            conn.close();
            synchronized (this) {
                connections.remove(conn);
            }
        }
    }

    private IOException firstFailure() {
        for (Slot s = first; s != null; s = s.next) {
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

package org.astralboot.dhcp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.db.Database;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseSink;
import org.astralboot.dhcp.lease.LeaseStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for lease changes. The engine thread only queues: lease changes, then the reply that
 * depends on them. This thread takes everything queued so far, writes the leases to MapDB, commits
 * once (one fsync for the whole batch) and only then sends the replies. While one commit runs the
 * next batch collects, so the fsync rate does not cap the lease rate, and no ACK or OFFER leaves
 * before its lease is on disk. (MapDB blocks writers during a commit, which is why the engine thread
 * never writes to it itself.) The commit runs on this thread; a small batch of replies is sent from
 * here too, a large one is handed to the {@link Pacer}.
 */
final class LeaseWriter implements LeaseSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseWriter.class);

    /** Makes the lease writes so far durable: the database's commit on the calling thread. */
    interface Committer {
        void commit() throws IOException;
    }

    /** Sends one reply through a direct buffer owned by the calling thread. */
    interface Sender {
        void send(Outgoing o, java.nio.ByteBuffer buf);
    }

    private final Committer committer;
    private final LeaseSink store;
    private final Sender sender;
    private final org.astralboot.db.StoreFailure fatal;
    private final Thread thread;
    private final Object lock = new Object();
    private List<Object> pending = new ArrayList<>();
    /** Lease changes and replies queued or being committed, for load shedding by the receiver. */
    private volatile int backlog;
    private boolean closed;
    private final Pacer pacer;
    /**
     * Replies of one commit up to this many are sent at once from the writer thread; more are handed
     * to the {@link Pacer}. A burst this size fits a relay's or client's default receive buffer.
     */
    static final int INLINE_SENDS = 64;
    private final java.nio.ByteBuffer sendBuf = java.nio.ByteBuffer.allocateDirect(Pacer.MAX_REPLY);
    /** Told each commit's duration (the commit latency histogram). */
    private volatile org.astralboot.events.Events events = org.astralboot.events.Events.NONE;
    private long statSince = System.nanoTime();
    private long statCommits;
    private long statLeases;
    private long statCommitNanos;
    private long statMaxCommitNanos;

    /**
     * The production writer, which commits on the receiving thread: see {@link #flush()}. (Its own
     * thread, started by the other constructor, is for callers that cannot say when a burst ends.)
     *
     * @param fatal told once, on a thread of its own, when {@code db} cannot commit; deciding to stop
     *              the process is the wiring's ({@code astralboot serve} exits with 1), not this writer's
     */
    LeaseWriter(Database db, LeaseStore store, java.util.function.Consumer<String> fatal) {
        this(store, db::commitHere, Pacer::send, fatal, true);
    }

    /**
     * @param fatal called once, on this writer's thread, when the store cannot commit, with the message
     *              saying why; the writer then drops everything queued and sends nothing more
     */
    LeaseWriter(LeaseSink store, Committer committer, Sender sender, java.util.function.Consumer<String> fatal) {
        this(store, committer, sender, fatal, false);
    }

    /**
     * @param inline {@code true}: no thread of its own; whoever queues calls {@link #flush()} at the end
     *               of each burst of requests, and the commit runs there
     */
    LeaseWriter(LeaseSink store, Committer committer, Sender sender, java.util.function.Consumer<String> fatal,
            boolean inline) {
        this.committer = committer;
        this.store = store;
        this.sender = sender;
        this.fatal = new org.astralboot.db.StoreFailure("dhcp", fatal);
        this.inline = inline;
        this.pacer = new Pacer(sender);
        if (inline) {
            this.thread = null;
        } else {
            this.thread = new Thread(this::run, "dhcp-leases");
            this.thread.setDaemon(true);
            this.thread.start();
        }
    }

    private final boolean inline;

    /** Where each commit's duration is reported ({@link org.astralboot.events.Events#dhcpCommit}). */
    LeaseWriter events(org.astralboot.events.Events e) {
        this.events = java.util.Objects.requireNonNull(e, "events");
        return this;
    }

    /** The last lease queued could not be stored: the reply queued after it must not be sent. */
    private boolean dropNextReply;
    /** Serializes commits: {@link #flush()} on the receiving thread and {@link #close()}. */
    private final Object commitLock = new Object();

    /**
     * Inline mode: writes and commits everything queued so far on the calling thread, then sends the
     * replies; the receiving thread calls it when it has read every request waiting in its socket.
     * Group commit without a hand-off: the requests that arrive during one commit wait in the
     * socket's receive buffer and form the next batch. One thread instead of two also leaves the
     * other cores to everything else on the machine (on two cores, a client or relay flooding the
     * server needs one of them to receive its replies, or they overflow its socket), and a
     * thread wake-up and two context switches per batch are gone.
     */
    void flush() {
        synchronized (commitLock) {
            List<Object> batch;
            synchronized (lock) {
                if (pending.isEmpty()) {
                    return;
                }
                batch = pending;
                pending = new ArrayList<>(Math.max(16, batch.size()));
            }
            drain(batch);
        }
    }

    @Override
    public void put(Lease lease) {
        enqueue(lease);
    }

    /** A reply datagram written straight to the service's socket (thread-safe at the kernel level). */
    record Outgoing(io.netty.channel.unix.Socket socket, byte[] data, java.net.InetAddress address, int port) {
    }

    /** Sends {@code out} after every lease change queued before it is committed; dropped if the commit fails. */
    void afterCommit(Outgoing out) {
        enqueue(out);
    }

    private void enqueue(Object o) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending.add(o);
            backlog++;
            if (pending.size() == 1 && !inline) {
                lock.notifyAll();
            }
        }
    }

    private void run() {
        List<Object> batch = new ArrayList<>();
        while (true) {
            synchronized (lock) {
                while (pending.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pending.isEmpty()) {
                    return;
                }
                List<Object> t = pending;
                pending = batch;
                batch = t;
            }
            if (!drain(batch)) {
                return;
            }
            batch.clear();
        }
    }

    /** One batch: {@link #writeAndCommit}, then the backlog. {@code false} once the store is broken. */
    private boolean drain(List<Object> batch) {
        try {
            if (!writeAndCommit(batch)) {
                return false;
            }
        } catch (RuntimeException | Error e) {
            // Whatever else goes wrong with one batch (a send, a bug) costs that batch's replies,
            // never the writer: the next batch is served as usual.
            log.error("dhcp lease writer: batch of {} changes and replies failed, its replies dropped", batch.size(), e);
        }
        synchronized (lock) {
            backlog -= batch.size();
        }
        return true;
    }

    /**
     * Writes one batch's leases, commits once, sends the replies. A lease that cannot be written (its
     * record cannot be serialized) is logged and skipped, and the reply that follows it, which the
     * engine queued for the same request, is not sent: no OFFER or ACK without its lease on disk.
     * Returns {@code false} when the commit failed: the store is broken, {@link #fatal} has been told.
     */
    private boolean writeAndCommit(List<Object> batch) {
        // dropNextReply is a field: the writer thread may take a batch that ends between a lease and
        // its reply, which then opens the next batch.
        int leases = 0;
        boolean[] dropped = null;
        for (int i = 0; i < batch.size(); i++) {
            Object o = batch.get(i);
            if (o instanceof Lease l) {
                try {
                    store.put(l);
                    leases++;
                } catch (RuntimeException e) {
                    log.error("dhcp lease for {} ({}, host name of {} characters) cannot be stored, skipped and its"
                            + " reply not sent: {}", l.inet().getHostAddress(), l.mac(), l.hostname().length(), e.toString());
                    dropNextReply = true;
                }
            } else if (dropNextReply) {
                if (dropped == null) {
                    dropped = new boolean[batch.size()];
                }
                dropped[i] = true;
                dropNextReply = false;
            }
        }
        long t1 = System.nanoTime();
        if (leases > 0) {
            try {
                committer.commit();
            } catch (IOException | RuntimeException e) {
                String msg = "dhcp lease commit failed, the database cannot be written (" + e.getMessage()
                        + "): stopping, since no further OFFER or ACK could be made durable";
                log.error(msg, e);
                if (inline) {
                    fatal.report(msg); // on a thread of its own, not the receiving thread
                } else {
                    fatal.reportHere(msg);
                }
                synchronized (lock) {
                    closed = true;
                    backlog = 0;
                    pending.clear();
                }
                return false;
            }
            long t2 = System.nanoTime();
            events.dhcpCommit(t2 - t1, leases);
            statCommits++;
            statLeases += leases;
            statCommitNanos += t2 - t1;
            statMaxCommitNanos = Math.max(statMaxCommitNanos, t2 - t1);
            if (t2 - statSince > 5_000_000_000L) {
                if (log.isDebugEnabled()) {
                    log.debug("dhcp leases: {} commits, {} lease writes, avg commit {} ms, max {} ms", statCommits,
                            statLeases, statCommitNanos / statCommits / 1_000_000, statMaxCommitNanos / 1_000_000);
                }
                statSince = t2;
                statCommits = 0;
                statLeases = 0;
                statCommitNanos = 0;
                statMaxCommitNanos = 0;
            }
        }
        List<Outgoing> sends = new ArrayList<>(batch.size() - leases);
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i) instanceof Outgoing r && (dropped == null || !dropped[i])) {
                sends.add(r);
            }
        }
        if (sends.size() <= INLINE_SENDS) {
            // A small batch goes out at once from this thread: no hand-off, nothing to spread.
            for (Outgoing r : sends) {
                sender.send(r, sendBuf);
            }
        } else {
            pacer.submit(sends, System.nanoTime() - t1);
        }
        return true;
    }

    /** Queued or committing lease changes and replies: how far durability lags the arrivals. */
    int backlog() {
        return backlog;
    }

    /** Writes and commits what is queued, then stops. */
    @Override
    public void close() {
        if (inline) {
            flush();
            synchronized (lock) {
                closed = true;
            }
        } else {
            synchronized (lock) {
                closed = true;
                lock.notifyAll();
            }
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pacer.close();
    }

    /**
     * Sends the replies of one commit spread over half the time that commit took, in slices of
     * {@value #SLICE}, instead of all at once. A commit releases hundreds of replies together; sent
     * back to back they overflow the receive buffer of a relay (or a load generator standing in for
     * thousands of clients) and are lost, although each one was committed. Spreading keeps the send
     * rate at about twice the arrival rate, so the queue still drains before the next commit ends.
     */
    private static final class Pacer implements AutoCloseable {
        static final int SLICE = 8;
        private final java.util.concurrent.LinkedBlockingQueue<Object[]> queue = new java.util.concurrent.LinkedBlockingQueue<>();
        private final Thread thread;
        private volatile boolean closed;

        private final Sender sender;

        Pacer(Sender sender) {
            this.sender = sender;
            thread = new Thread(this::run, "dhcp-send");
            thread.setDaemon(true);
            thread.start();
        }

        static final int MAX_REPLY = 1500;
        private final java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(MAX_REPLY);

        void submit(List<Outgoing> sends, long commitNanos) {
            if (!sends.isEmpty()) {
                queue.add(new Object[] {sends, commitNanos});
            }
        }

        @SuppressWarnings("unchecked")
        private void run() {
            while (!closed || !queue.isEmpty()) {
                Object[] item;
                try {
                    item = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (item == null) {
                    continue;
                }
                List<Outgoing> sends = (List<Outgoing>) item[0];
                long slices = (sends.size() + SLICE - 1) / SLICE;
                // Spread over half the commit time, but never slower than 1 ms between slices, and not at all
                // when more batches are already waiting (then sending is the bottleneck).
                long gap = slices <= 1 || !queue.isEmpty() ? 0 : Math.min(1_000_000L, (Long) item[1] * 9 / 10 / slices);
                for (int i = 0; i < sends.size(); i++) {
                    try {
                        sender.send(sends.get(i), buf);
                    } catch (RuntimeException e) {
                        log.error("dhcp reply to {} failed", sends.get(i).address(), e);
                    }
                    if ((i + 1) % SLICE == 0 && i + 1 < sends.size() && gap > 0 && queue.isEmpty()) {
                        java.util.concurrent.locks.LockSupport.parkNanos(gap);
                    }
                }
            }
        }

        /** Sends one reply through {@code buf} (a direct buffer owned by the calling thread). */
        static void send(Outgoing o, java.nio.ByteBuffer buf) {
            if (o.data().length > buf.capacity()) {
                log.warn("dhcp reply of {} bytes not sent: larger than {}", o.data().length, buf.capacity());
                return;
            }
            buf.clear();
            buf.put(o.data()).flip();
            for (int attempt = 0; attempt < 200; attempt++) {
                try {
                    if (o.socket().sendTo(buf, 0, buf.limit(), o.address(), o.port()) > 0) {
                        return;
                    }
                } catch (java.io.IOException e) {
                    if (!o.socket().isOpen()) {
                        return;
                    }
                    log.debug("dhcp send to {}:{} failed: {}", o.address().getHostAddress(), o.port(), e.getMessage());
                    return;
                }
                // Send buffer full (EAGAIN on the non-blocking socket): let it drain.
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
            }
            log.warn("dhcp reply to {}:{} dropped: socket send buffer stayed full", o.address().getHostAddress(), o.port());
        }

        @Override
        public void close() {
            closed = true;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

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

    private final Database db;
    private final LeaseStore store;
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
    private long statSince = System.nanoTime();
    private long statCommits;
    private long statLeases;
    private long statCommitNanos;
    private long statMaxCommitNanos;

    LeaseWriter(Database db, LeaseStore store) {
        this.db = db;
        this.store = store;
        this.pacer = new Pacer();
        this.thread = new Thread(this::run, "dhcp-leases");
        this.thread.setDaemon(true);
        this.thread.start();
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
            if (pending.size() == 1) {
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
            int leases = 0;
            for (Object o : batch) {
                if (o instanceof Lease l) {
                    store.put(l);
                    leases++;
                }
            }
            boolean ok = true;
            long t1 = System.nanoTime();
            if (leases > 0) {
                try {
                    db.commitHere();
                    long t2 = System.nanoTime();
                    statCommits++;
                    statLeases += leases;
                    statCommitNanos += t2 - t1;
                    statMaxCommitNanos = Math.max(statMaxCommitNanos, t2 - t1);
                    if (t2 - statSince > 5_000_000_000L) {
                        if (log.isDebugEnabled()) {
                            log.debug("dhcp leases: {} commits, {} lease writes, avg commit {} ms, max {} ms",
                                    statCommits, statLeases, statCommitNanos / statCommits / 1_000_000,
                                    statMaxCommitNanos / 1_000_000);
                        }
                        statSince = t2;
                        statCommits = 0;
                        statLeases = 0;
                        statCommitNanos = 0;
                        statMaxCommitNanos = 0;
                    }
                } catch (IOException | RuntimeException e) {
                    ok = false;
                    log.error("dhcp lease commit failed, {} replies dropped: {}", batch.size() - leases, e.getMessage());
                }
            }
            if (ok) {
                List<Outgoing> sends = new ArrayList<>(batch.size() - leases);
                for (Object o : batch) {
                    if (o instanceof Outgoing r) {
                        sends.add(r);
                    }
                }
                if (sends.size() <= INLINE_SENDS) {
                    // A small batch goes out at once from this thread: no hand-off, nothing to spread.
                    for (Outgoing r : sends) {
                        Pacer.send(r, sendBuf);
                    }
                } else {
                    pacer.submit(sends, System.nanoTime() - t1);
                }
            }
            synchronized (lock) {
                backlog -= batch.size();
            }
            batch.clear();
        }
    }

    /** Queued or committing lease changes and replies: how far durability lags the arrivals. */
    int backlog() {
        return backlog;
    }

    /** Writes and commits what is queued, then stops. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

        Pacer() {
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
                    send(sends.get(i), buf);
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

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
 * never writes to it itself.)
 */
final class LeaseWriter implements LeaseSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseWriter.class);

    private final Database db;
    private final LeaseStore store;
    private final Thread thread;
    private final Object lock = new Object();
    private List<Object> pending = new ArrayList<>();
    private boolean closed;

    LeaseWriter(Database db, LeaseStore store) {
        this.db = db;
        this.store = store;
        this.thread = new Thread(this::run, "dhcp-leases");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void put(Lease lease) {
        enqueue(lease);
    }

    /** Runs {@code send} after every lease change queued before it is committed; dropped if the commit fails. */
    void afterCommit(Runnable send) {
        enqueue(send);
    }

    private void enqueue(Object o) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending.add(o);
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
            if (leases > 0) {
                try {
                    db.commit();
                } catch (IOException | RuntimeException e) {
                    ok = false;
                    log.error("dhcp lease commit failed, {} replies dropped: {}", batch.size() - leases, e.getMessage());
                }
            }
            if (ok) {
                for (Object o : batch) {
                    if (o instanceof Runnable r) {
                        try {
                            r.run();
                        } catch (RuntimeException e) {
                            log.warn("dhcp send failed: {}", e.toString());
                        }
                    }
                }
            }
            batch.clear();
        }
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
    }
}

package org.astralboot.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseStore;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.Serializer;

/**
 * What a commit costs in {@code fdatasync}s (issue 11 §1: "keep group commit so a commit still costs
 * about one fdatasync"). The database runs on the real disks of {@link Database#open(Path)} (the
 * mapped store file and the redo log's channel, on files in a temporary directory), each wrapped in a
 * {@link Counted} disk that counts {@link Disk#force()} calls: every {@code fdatasync} the database
 * makes goes through {@code Disk.force()} ({@code FileChannel.force(false)} in {@link MappedDisk} and
 * {@link ChannelDisk}), apart from the one of the directory when the file is created.
 */
class CommitForceTest {
    @TempDir
    Path dir;

    /** A disk that passes everything to the real one under it and counts its forces. */
    static final class Counted implements Disk {
        final Disk inner;
        final AtomicInteger forces = new AtomicInteger();
        /** Microseconds each force takes at least: a device's flush, so that commits overlap writers. */
        volatile long forceMicros;

        Counted(Disk inner) {
            this.inner = inner;
        }

        @Override
        public void read(long offset, byte[] dst, int pos, int len) throws IOException {
            inner.read(offset, dst, pos, len);
        }

        @Override
        public long readLong(long offset) throws IOException {
            return inner.readLong(offset);
        }

        @Override
        public void write(long offset, byte[] src, int pos, int len) throws IOException {
            inner.write(offset, src, pos, len);
        }

        @Override
        public void force() throws IOException {
            long t = System.nanoTime();
            inner.force();
            forces.incrementAndGet();
            long left = forceMicros * 1000 - (System.nanoTime() - t);
            if (left > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            inner.truncate(size);
        }

        @Override
        public long size() throws IOException {
            return inner.size();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    private Counted store;
    private Counted log;

    /** The database at {@code db.db} as {@link Database#open(Path)} builds it, with counted disks. */
    private Database open(long checkpointBytes) throws IOException {
        Path file = dir.resolve("db.db");
        store = new Counted(new MappedDisk(file));
        log = new Counted(new ChannelDisk(Database.redoFile(file)));
        return Database.open(file, store, log, checkpointBytes);
    }

    private static Lease lease(int batch, int i) {
        return new Lease(0xC6120000 + i, new MacAddress(0x5254_0000_0000L + i), "host-" + batch + "-" + i,
                LeaseState.BOUND, 3_600_000L + batch, batch);
    }

    /**
     * The lease writer's commit (a batch of lease changes, then {@link Database#commitHere()}): one
     * force of the redo log whatever the batch's size, and no force of the store file, which waits
     * for a checkpoint. The same through {@link Database#commitAsync()}. What was committed is there
     * after a reopen, so the force did cover the batch.
     */
    @Test
    void aCommitOfABatchOfLeasesCostsOneForceOfTheLogAndNoneOfTheStore() throws Exception {
        Map<Integer, Lease> want = new HashMap<>();
        try (Database db = open(StoreVolume.CHECKPOINT)) {
            LeaseStore leases = new LeaseStore(db);
            int batch = 0;
            for (int size : new int[] {1, 2, 20, 64, 300, 1000, 20, 1}) {
                for (boolean async : new boolean[] {false, true}) {
                    batch++;
                    for (int i = 0; i < size; i++) {
                        Lease l = lease(batch, i);
                        leases.put(l);
                        want.put(l.address(), l);
                    }
                    int logBefore = log.forces.get();
                    int storeBefore = store.forces.get();
                    if (async) {
                        db.commitAsync().join();
                    } else {
                        db.commitHere();
                    }
                    assertEquals(1, log.forces.get() - logBefore, "forces of the redo log for a commit of " + size
                            + " leases" + (async ? " (commitAsync)" : ""));
                    assertEquals(0, store.forces.get() - storeBefore, "forces of the store file for a commit of "
                            + size + " leases" + (async ? " (commitAsync)" : ""));
                }
            }
            // Nothing changed: nothing to make durable, no force at all.
            int logBefore = log.forces.get();
            db.commitHere();
            db.commitAsync().join();
            assertEquals(logBefore, log.forces.get(), "forces for commits without a change");
        }
        try (Database db = open(StoreVolume.CHECKPOINT)) {
            Map<Integer, Lease> found = new HashMap<>();
            for (Lease l : new LeaseStore(db).load()) {
                found.put(l.address(), l);
            }
            assertEquals(want, found);
        }
    }

    /**
     * Over a long run the store file is forced only at checkpoints (the log has passed its size
     * limit), each costing one more force of the log (its reset): a commit costs exactly one force,
     * or three when it ends in a checkpoint, and on average about one with the production limit.
     */
    @Test
    void theStoreIsForcedOnlyAtCheckpointsSoACommitCostsAboutOneForce() throws Exception {
        for (long limit : new long[] {64 << 10, StoreVolume.CHECKPOINT}) {
            java.nio.file.Files.deleteIfExists(dir.resolve("db.db"));
            java.nio.file.Files.deleteIfExists(Database.redoFile(dir.resolve("db.db")));
            int commits = 0;
            int checkpoints = 0;
            int forces = 0;
            try (Database db = open(limit)) {
                LeaseStore leases = new LeaseStore(db);
                // With the production limit a checkpoint comes after about 2,000 such commits (2 KB of log each).
                int wantCheckpoints = limit == StoreVolume.CHECKPOINT ? 2 : 10;
                for (int batch = 1; checkpoints < wantCheckpoints && batch <= 8000; batch++) {
                    for (int i = 0; i < 64; i++) {
                        // Spread over 4,096 addresses, so that records are updated as well as created.
                        leases.put(lease(batch, (batch * 64 + i) % 4096));
                    }
                    int logBefore = log.forces.get();
                    int storeBefore = store.forces.get();
                    db.commitHere();
                    int logForces = log.forces.get() - logBefore;
                    int storeForces = store.forces.get() - storeBefore;
                    assertTrue(storeForces == 0 && logForces == 1 || storeForces == 1 && logForces == 2,
                            "commit " + batch + " with a limit of " + limit + ": " + logForces + " forces of the log, "
                                    + storeForces + " of the store");
                    commits++;
                    checkpoints += storeForces;
                    forces += logForces + storeForces;
                }
            }
            assertTrue(checkpoints >= 2, "only " + checkpoints + " checkpoints in " + commits
                    + " commits with a limit of " + limit);
            if (limit == StoreVolume.CHECKPOINT) {
                double perCommit = (double) forces / commits;
                assertTrue(perCommit < 1.01, perCommit + " forces per commit with the production checkpoint limit ("
                        + checkpoints + " checkpoints in " + commits + " commits)");
                System.out.printf("production checkpoint limit: %d commits of 64 leases, %d checkpoints, %.4f forces"
                        + " per commit%n", commits, checkpoints, perCommit);
            }
        }
    }

    /**
     * Group commit: eight writers change the database at once, then each asks for a commit at the
     * same moment ({@link Database#commitAsync()}). Their changes are committed together at the cost
     * of one force of the log: the first commit carries all of them, and the commits that the other
     * requests may start find nothing left to write and force nothing. Repeated 50 times.
     */
    @Test
    void changesOfSeveralWritersCommittedTogetherCostOneForce() throws Exception {
        int writers = 8;
        int waves = 50;
        try (Database db = open(StoreVolume.CHECKPOINT)) {
            ConcurrentMap<Integer, String> m = db.db().hashMap("group", Serializer.INTEGER, Serializer.STRING).createOrOpen();
            db.commitHere();
            CyclicBarrier go = new CyclicBarrier(writers + 1);
            CyclicBarrier changed = new CyclicBarrier(writers);
            CyclicBarrier done = new CyclicBarrier(writers + 1);
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int wave = 0; wave < waves; wave++) {
                            go.await();
                            m.put(wave * writers + id, "wave " + wave + " writer " + id);
                            changed.await();
                            db.commitAsync().join();
                            done.await();
                        }
                    } catch (Throwable t) {
                        errors.add(t);
                        go.reset();
                        changed.reset();
                        done.reset();
                    }
                }));
            }
            for (int wave = 0; wave < waves; wave++) {
                int before = log.forces.get();
                go.await();
                done.await(); // every writer's commit of this wave has returned
                assertTrue(errors.isEmpty(), errors.toString());
                assertEquals(1, log.forces.get() - before, "forces of the log for wave " + wave + " of " + writers
                        + " writers");
                assertEquals(0, store.forces.get(), "forces of the store file");
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        try (Database db = open(StoreVolume.CHECKPOINT)) {
            Map<Integer, String> m = db.db().hashMap("group", Serializer.INTEGER, Serializer.STRING).createOrOpen();
            assertEquals(writers * waves, m.size());
            assertEquals("wave 49 writer 7", m.get(49 * writers + 7));
        }
    }

    /**
     * Writers that each change and commit in a loop, while a commit's force takes a millisecond (a
     * device flush): requests that arrive during a commit share the next one, so no group of
     * requests costs more than one force, and there are far fewer forces than requests.
     */
    @Test
    void concurrentCommitRequestsShareOneForcePerGroup() throws Exception {
        int writers = 8;
        int each = 100;
        Map<CompletableFuture<Void>, Boolean> groups = java.util.Collections.synchronizedMap(new IdentityHashMap<>());
        int before;
        try (Database db = open(StoreVolume.CHECKPOINT)) {
            ConcurrentMap<Integer, String> m = db.db().hashMap("loop", Serializer.INTEGER, Serializer.STRING).createOrOpen();
            db.commitHere();
            log.forceMicros = 1000;
            before = log.forces.get();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            m.put(id * each + i, "writer " + id + " change " + i);
                            CompletableFuture<Void> f = db.commitAsync();
                            groups.put(f, Boolean.TRUE);
                            f.join();
                        }
                    } catch (Throwable t) {
                        errors.add(t);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(errors.isEmpty(), errors.toString());
            // A checkpoint (a store force) costs the log one force more: not the commit's.
            int forces = log.forces.get() - before - store.forces.get();
            assertTrue(forces <= groups.size(), forces + " forces of the log for " + groups.size() + " groups");
            assertTrue(forces <= writers * each / 2, forces + " forces of the log for " + writers * each
                    + " commit requests in " + groups.size() + " groups: commits are not shared");
            assertTrue(store.forces.get() <= 1, store.forces.get() + " forces of the store file (checkpoints)");
            System.out.println(writers * each + " commit requests of " + writers + " writers: " + groups.size()
                    + " groups, " + forces + " forces of the log");
        }
    }
}

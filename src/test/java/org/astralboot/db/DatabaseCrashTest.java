package org.astralboot.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;
import org.mapdb.Serializer;

/**
 * Power cuts at every kind of moment of a commit: a workload of commits runs on {@link FaultDisk}s
 * until a chosen disk operation, the disks are then reduced to what a power cut could leave (every
 * unforced write kept or lost, sector by sector, in any order), and the database reopened from them
 * must hold exactly the last committed state, or the whole commit that was running.
 */
class DatabaseCrashTest {
    private static final Path FILE = Path.of("crash-test.db");
    private static final int SEEDS = 400;
    private static final int COMMITS = 24;
    /** Small, so that checkpoints (store forced, log emptied) fall inside the runs too. */
    private static final long CHECKPOINT = 48 * 1024;

    /** What the workload had committed, and what the commit in flight would have made. */
    private static final class Run {
        Map<Integer, String> committed = new HashMap<>();
        Map<Integer, String> inFlight;
        FaultDisk store;
        FaultDisk log;
    }

    private static Run run(long workloadSeed, FaultDisk.Crash crash) {
        Run r = new Run();
        r.store = new FaultDisk(crash, new byte[0]);
        r.log = new FaultDisk(crash, new byte[0]);
        Random rnd = new Random(workloadSeed);
        Database db = null;
        try {
            r.inFlight = new HashMap<>();
            db = Database.open(FILE, r.store, r.log, CHECKPOINT);
            ConcurrentMap<Integer, String> m = map(db);
            db.commitHere();
            r.inFlight = null;
            for (int c = 0; c < COMMITS; c++) {
                Map<Integer, String> next = new HashMap<>(r.committed);
                int changes = 1 + rnd.nextInt(40);
                for (int i = 0; i < changes; i++) {
                    int key = rnd.nextInt(300);
                    if (rnd.nextInt(5) == 0) {
                        m.remove(key);
                        next.remove(key);
                    } else {
                        // Mostly lease-sized values, some that span several pages.
                        String v = "v" + c + "-" + i + "-" + "x".repeat(rnd.nextInt(8) == 0 ? rnd.nextInt(9000) : rnd.nextInt(120));
                        m.put(key, v);
                        next.put(key, v);
                    }
                }
                r.inFlight = next;
                db.commitHere();
                r.committed = next;
                r.inFlight = null;
            }
        } catch (IOException | RuntimeException e) {
            if (!crash.fired()) {
                throw new AssertionError("failed without a crash", e);
            }
        }
        // No close: the process is gone.
        return r;
    }

    private static ConcurrentMap<Integer, String> map(Database db) {
        return db.db().hashMap("m", Serializer.INTEGER, Serializer.STRING).createOrOpen();
    }

    @Test
    void aPowerCutAtAnyPointOfACommitLeavesTheLastCommittedState() throws Exception {
        int inFlightSurvived = 0;
        int crashesInCommit = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            FaultDisk.Crash never = new FaultDisk.Crash(Long.MAX_VALUE);
            run(seed, never);
            Random rnd = new Random(1_000_003L * seed);
            long at = 1 + (long) (rnd.nextDouble() * never.ops);
            FaultDisk.Crash crash = new FaultDisk.Crash(at);
            Run r = run(seed, crash);
            assertTrue(crash.fired(), "seed " + seed + ": crash at op " + at + " of " + never.ops);
            if (r.inFlight != null) {
                crashesInCommit++;
            }
            FaultDisk store = new FaultDisk(new FaultDisk.Crash(Long.MAX_VALUE), r.store.afterPowerLoss(rnd));
            FaultDisk log = new FaultDisk(new FaultDisk.Crash(Long.MAX_VALUE), r.log.afterPowerLoss(rnd));
            Map<Integer, String> found;
            try (Database db = Database.open(FILE, store, log, CHECKPOINT)) {
                found = new HashMap<>(map(db));
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": crash at op " + at + " of " + never.ops
                        + " left a database that does not open", e);
            }
            if (found.equals(r.committed)) {
                continue;
            }
            if (r.inFlight != null && found.equals(r.inFlight)) {
                inFlightSurvived++;
                continue;
            }
            fail("seed " + seed + ": crash at op " + at + " of " + never.ops + ": found " + found.size()
                    + " entries, committed " + r.committed.size()
                    + (r.inFlight == null ? "" : ", in flight " + r.inFlight.size()) + ", differing keys "
                    + diff(found, r.committed));
        }
        // The seeds must really cut commits half-way, and both outcomes of a cut commit must occur.
        assertTrue(crashesInCommit > SEEDS / 2, "crashes inside a commit: " + crashesInCommit);
        assertTrue(inFlightSurvived > 0, "no commit in flight ever survived whole");
        assertEquals(SEEDS, SEEDS);
    }

    private static String diff(Map<Integer, String> a, Map<Integer, String> b) {
        java.util.TreeSet<Integer> keys = new java.util.TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        keys.removeIf(k -> java.util.Objects.equals(a.get(k), b.get(k)));
        return keys.size() > 10 ? keys.headSet(keys.stream().skip(10).findFirst().get()) + "..." : keys.toString();
    }
}

package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.astralboot.db.Database;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineRegistryTest {
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    static final MacAddress C = MacAddress.parse("52:54:00:00:00:0c");
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

    @Test
    void transitionsArePure() {
        Instant t = CLOCK.instant();
        Machine m = Machine.fresh(A, "192.0.2.10", t);
        assertEquals(MachineState.NEW, m.state());
        assertThrows(IllegalStateException.class, () -> m.installed(t));
        Machine chosen = m.choose("debian", null, t);
        assertEquals(MachineState.CHOSEN, chosen.state());
        assertEquals("", chosen.osClass());
        assertSame(chosen, chosen.choose("debian", "", t.plusSeconds(5))); // the same choice again: no change
        Machine inst = chosen.installed(t);
        assertEquals(MachineState.INSTALLED, inst.state());
        assertSame(inst, inst.installed(t)); // the hook retried: no change
        Machine again = inst.choose("flatcar", "worker", t);
        assertEquals(MachineState.CHOSEN, again.state());
        assertEquals("worker", again.osClass());
        assertEquals(MachineState.NEW, again.reset(t).state());
        assertEquals("", again.reset(t).os());
    }

    /**
     * Issue 16 §3: a sighting (a new machine asking for its menu) does not wait for the commit, a
     * choice does. The test holds the database's commit (its monitor, which every MapDB commit takes)
     * while it calls them: {@code seen} must return, {@code choose} must wait until the commit can run.
     * Both are on disk afterwards.
     */
    @Test
    void aSightingDoesNotWaitForTheCommitAChoiceDoes(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("a.db");
        try (Database db = Database.open(file)) {
            MachineRegistry r = new MachineRegistry(db, CLOCK);
            java.util.concurrent.CompletableFuture<Machine> chosen;
            synchronized (db) {
                java.util.concurrent.CompletableFuture<Machine> seen = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return r.seen(A, "192.0.2.10");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertEquals(MachineState.NEW, seen.get(10, java.util.concurrent.TimeUnit.SECONDS).state());
                assertTrue(r.get(A).isPresent(), "the record is visible before its commit");
                chosen = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return r.choose(B, "192.0.2.11", "debian", "");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Thread.sleep(300);
                assertTrue(!chosen.isDone(), "a choice returns only once it is committed");
            }
            assertEquals(MachineState.CHOSEN, chosen.get(10, java.util.concurrent.TimeUnit.SECONDS).state());
        }
        try (Database db = Database.open(file)) {
            MachineRegistry r = new MachineRegistry(db, CLOCK);
            assertEquals(MachineState.NEW, r.get(A).orElseThrow().state());
            assertEquals("debian", r.get(B).orElseThrow().os());
        }
    }

    @Test
    void choicesAreStickyAcrossRestarts(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("a.db");
        try (Database db = Database.open(file)) {
            MachineRegistry r = new MachineRegistry(db, CLOCK);
            assertEquals(MachineState.NEW, r.seen(A, "192.0.2.10").state());
            r.choose(A, "192.0.2.10", "debian", "");
            r.choose(B, "192.0.2.11", "flatcar", "control");
            r.choose(C, "192.0.2.12", "flatcar", "worker");
            assertThrows(IllegalStateException.class, () -> r.markInstalled(MacAddress.parse("52:54:00:00:00:ff"), "x"));
            r.markInstalled(A, "192.0.2.10");
        }
        try (Database db = Database.open(file)) {
            MachineRegistry r = new MachineRegistry(db, CLOCK);
            Machine a = r.get(A).orElseThrow();
            assertEquals(MachineState.INSTALLED, a.state());
            assertEquals("debian", a.os());
            assertEquals("192.0.2.10", a.lastIp());
            assertEquals(List.of(B), r.cluster("flatcar", "control").stream().map(Machine::mac).toList());
            assertEquals(3, r.all().size()); // a refused end hook leaves no record behind
        }
    }

    /** The in-memory indexes follow every change: a machine leaves its old cluster and address. */
    @Test
    void indexesFollowChangesAndAreRebuiltAtOpen(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("i.db");
        try (Database db = Database.open(file)) {
            MachineRegistry r = new MachineRegistry(db, CLOCK);
            r.choose(A, "192.0.2.10", "flatcar", "control");
            r.choose(B, "192.0.2.10", "flatcar", "control");
            r.seen(C, "192.0.2.12");
            assertEquals(List.of(A, B), macs(r.cluster("flatcar", "control")));
            assertEquals(List.of(A, B), macs(r.byLastIp("192.0.2.10")));
            r.choose(B, "192.0.2.11", "flatcar", "worker"); // new class, new address
            assertEquals(List.of(A), macs(r.cluster("flatcar", "control")));
            assertEquals(List.of(B), macs(r.cluster("flatcar", "worker")));
            assertEquals(List.of(A), macs(r.byLastIp("192.0.2.10")));
            assertEquals(List.of(B), macs(r.byLastIp("192.0.2.11")));
            r.reset(A);
            assertEquals(List.of(), r.cluster("flatcar", "control"), "a NEW machine is in no cluster");
            assertEquals(List.of(), r.cluster("flatcar", ""), "class is part of the cluster");
            assertEquals(List.of(), r.cluster("flatcarcontrol", ""));
            assertEquals(3, r.size());
        }
        try (Database db = Database.open(file)) {
            MachineRegistry r = new MachineRegistry(db, CLOCK);
            assertEquals(List.of(B), macs(r.cluster("flatcar", "worker")));
            assertEquals(List.of(C), macs(r.byLastIp("192.0.2.12")));
            assertEquals(List.of(), r.cluster("flatcar", "control"));
            assertEquals(List.of(A, B, C), macs(r.all()));
        }
    }

    private static List<MacAddress> macs(List<Machine> ms) {
        return ms.stream().map(Machine::mac).toList();
    }
}

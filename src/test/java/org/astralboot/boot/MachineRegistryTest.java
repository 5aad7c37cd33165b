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
        Machine inst = chosen.installed(t);
        assertEquals(MachineState.INSTALLED, inst.state());
        assertSame(inst, inst.installed(t)); // the hook retried: no change
        Machine again = inst.choose("flatcar", "worker", t);
        assertEquals(MachineState.CHOSEN, again.state());
        assertEquals("worker", again.osClass());
        assertEquals(MachineState.NEW, again.reset(t).state());
        assertEquals("", again.reset(t).os());
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
}

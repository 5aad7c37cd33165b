package org.astralboot.dhcp.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseLockedException;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseStoreTest {
    @TempDir
    Path dir;

    @Test
    void leasesSurviveReopenAndUpdatesReplaceInPlace() throws Exception {
        Path f = dir.resolve("a.db");
        MacAddress m = MacAddress.parse("52:54:00:00:00:01");
        try (Database db = Database.open(f)) {
            LeaseStore s = new LeaseStore(db);
            s.put(new Lease(0xC0000201, null, "", LeaseState.FREE, 0, 0));
            s.put(new Lease(0xC0000202, null, "", LeaseState.FREE, 0, 0));
            db.commit();
            s.put(new Lease(0xC0000202, m, "node2", LeaseState.BOUND, 5000, 1000));
            db.commit();
            assertThrows(DatabaseLockedException.class, () -> Database.open(f));
        }
        try (Database db = Database.open(f)) {
            List<Lease> all = new LeaseStore(db).load();
            all = all.stream().sorted(Comparator.comparingInt(Lease::address)).toList();
            assertEquals(List.of(new Lease(0xC0000201, null, "", LeaseState.FREE, 0, 0),
                    new Lease(0xC0000202, m, "node2", LeaseState.BOUND, 5000, 1000)), all);
            // a later update of a reloaded store hits the same record
            LeaseStore s = new LeaseStore(db);
            s.load();
            s.put(new Lease(0xC0000202, m, "node2", LeaseState.RELEASED, 0, 2000));
            db.commit();
            assertEquals(2, new LeaseStore(db).load().size());
        }
    }
}

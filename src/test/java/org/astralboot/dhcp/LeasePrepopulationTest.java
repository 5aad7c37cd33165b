package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseStore;
import org.astralboot.dhcp.lease.LeaseTable;
import org.astralboot.net.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first start with a large pool: every address pre-populated, committed, and found at the next start. */
class LeasePrepopulationTest {
    @TempDir
    Path dir;

    static Config slash16() {
        Config c = Config.defaults("abd0", Ipv4.parse("198.18.0.1"), 16, Path.of("/nonexistent"));
        Config.Dhcp d = c.dhcp();
        return c.withDhcp(new Config.Dhcp(d.mode(), d.port(), d.proxyPort(), Ipv4.parse("198.18.0.0"),
                Ipv4.parse("198.18.255.255"), d.leaseTime(), d.gateway(), d.dns(), "node{n}", d.biosBinary(),
                d.efiBinary(), d.efiIa32Binary(), d.arm64Binary(), List.of(), d.declineProbation(), List.of()));
    }

    @Test
    void aSlash16PoolIsPrepopulatedAndReadBack() throws Exception {
        Config cfg = slash16();
        Path file = dir.resolve("big.db");
        List<Lease> later = new ArrayList<>();
        int pool;
        try (Database db = Database.open(file)) {
            LeaseTable t = DhcpService.loadTable(cfg, db, new LeaseStore(db), later::add, DhcpService.PREPOPULATE_CHUNK);
            pool = t.stats(0).pool();
        }
        try (Database db = Database.open(file)) {
            assertEquals(pool, new LeaseStore(db).load().size(), "pre-populated leases after a restart");
        }
        assertEquals(true, pool > 65_000, "pool of " + pool);
        assertEquals(List.of(), later, "pre-population does not go through the writer");
    }
}

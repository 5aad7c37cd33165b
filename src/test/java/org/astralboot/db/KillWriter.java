package org.astralboot.db;

import java.nio.file.Path;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseStore;
import org.astralboot.net.MacAddress;

/**
 * The process {@link DatabaseKillIT} kills: opens the database given as argument, then as fast as it
 * can writes a batch of {@value #BATCH} leases and commits, and after each commit returns prints the
 * batch's sequence number. Batch {@code s} writes addresses {@link #address}{@code (s, i)} with
 * {@code changedAt = s}; it continues from the highest sequence found in the database.
 */
public final class KillWriter {
    static final int BATCH = 20;
    static final int ADDRESSES = 4096;
    static final int BASE = 0xC6120000; // 198.18.0.0

    static int address(long seq, int i) {
        return BASE + (int) ((seq * BATCH + i) % ADDRESSES);
    }

    static Lease lease(long seq, int i) {
        return new Lease(address(seq, i), new MacAddress(0x5254_0000_0000L + seq * BATCH + i), "host-" + seq + "-" + i,
                LeaseState.BOUND, seq + 3_600_000L, seq);
    }

    public static void main(String[] args) throws Exception {
        try (Database db = Database.open(Path.of(args[0]))) {
            LeaseStore store = new LeaseStore(db);
            long seq = store.load().stream().mapToLong(Lease::changedAt).max().orElse(0);
            System.out.println("start " + seq);
            System.out.flush();
            while (true) {
                seq++;
                for (int i = 0; i < BATCH; i++) {
                    store.put(lease(seq, i));
                }
                db.commitHere();
                System.out.println(seq);
                System.out.flush();
            }
        }
    }

    private KillWriter() {
    }
}

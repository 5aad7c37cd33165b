package org.astralboot.db;

import java.nio.file.Path;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseStore;
import org.astralboot.net.MacAddress;

/**
 * The process {@link DatabaseKillIT} kills: opens the database given as argument, then as fast as it
 * can writes a batch of leases and commits, and after each commit returns prints the batch's sequence
 * number. Batch {@code s} writes {@link #size}{@code (s)} leases (1 to {@value #STRIDE}, so that some
 * commits are long) at addresses {@link #address}{@code (s, i)}, with {@code changedAt = s} and host
 * names whose length changes from batch to batch (records move in the store). It continues from the
 * highest sequence found in the database.
 */
public final class KillWriter {
    static final int STRIDE = 1000;
    static final int ADDRESSES = 4096;
    static final int BASE = 0xC6120000; // 198.18.0.0

    static int size(long seq) {
        return seq % 3 == 0 ? 20 : 1 + (int) ((seq * 7919) % STRIDE);
    }

    static int address(long seq, int i) {
        return BASE + (int) ((seq * STRIDE + i) % ADDRESSES);
    }

    static Lease lease(long seq, int i) {
        return new Lease(address(seq, i), new MacAddress(0x5254_0000_0000L + seq * STRIDE + i),
                "host-" + seq + "-" + i + "-" + "x".repeat((int) (seq % 40)), LeaseState.BOUND, seq + 3_600_000L, seq);
    }

    /** The index within its batch of a lease that batch {@code l.changedAt()} wrote, or -1 if none could be. */
    static int indexOf(Lease l) {
        long seq = l.changedAt();
        int i = (int) Math.floorMod((long) (l.address() - BASE) - seq * STRIDE, (long) ADDRESSES);
        return i < size(seq) ? i : -1;
    }

    public static void main(String[] args) throws Exception {
        try (Database db = Database.open(Path.of(args[0]))) {
            LeaseStore store = new LeaseStore(db);
            long seq = store.load().stream().mapToLong(Lease::changedAt).max().orElse(0);
            System.out.println("start " + seq);
            System.out.flush();
            while (true) {
                seq++;
                for (int i = 0; i < size(seq); i++) {
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

package org.astralboot.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.astralboot.dhcp.lease.LeaseStore;

/**
 * Cost of one lease commit: {@code java -cp ... org.astralboot.db.CommitBench <dir> [commits] [leases]}.
 * Commits of {@code leases} lease changes (default 1,000 of 20) on a database of 4,096 leases, after
 * 200 to warm up; prints the median and 90th percentile time of {@code commitHere()} and the bytes the
 * process dirtied for the storage device per commit ({@code write_bytes} of {@code /proc/self/io}, which
 * counts pages dirtied through a mapping as well as written ones).
 */
public final class CommitBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int commits = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int per = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Files.createDirectories(dir);
        Path file = Files.createTempFile(dir, "bench", ".db");
        Files.delete(file);
        long[] nanos = new long[commits];
        long bytes = 0;
        try (Database db = Database.open(file)) {
            LeaseStore store = new LeaseStore(db);
            for (int i = 0; i < KillWriter.ADDRESSES; i++) {
                store.put(KillWriter.lease(0, i));
            }
            db.commitHere();
            long seq = 0;
            for (int c = -200; c < commits; c++) {
                seq++;
                for (int i = 0; i < per; i++) {
                    store.put(KillWriter.lease(seq, i));
                }
                if (c == 0) {
                    bytes = writeBytes();
                }
                long t = System.nanoTime();
                db.commitHere();
                if (c >= 0) {
                    nanos[c] = System.nanoTime() - t;
                }
            }
            bytes = writeBytes() - bytes;
        }
        Arrays.sort(nanos);
        System.out.printf("%d commits of %d leases: median %d us, p90 %d us, %d bytes written per commit%n", commits,
                per, nanos[commits / 2] / 1000, nanos[commits * 9 / 10] / 1000, bytes / commits);
        try (var s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith(file.getFileName().toString())).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (Exception e) {
                    // left for the caller
                }
            });
        }
    }

    static long writeBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring(12).trim());
            }
        }
        return -1;
    }

    private CommitBench() {
    }
}

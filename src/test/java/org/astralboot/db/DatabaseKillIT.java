package org.astralboot.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a process committing leases as fast as it can (batches of 1 to 1,000), at random
 * moments, 200 times.
 * After each kill the database must open and read in full, and hold every lease of the last batch
 * whose commit had returned (the writer printed its number), as that batch wrote it.
 */
class DatabaseKillIT {
    private static final int KILLS = 200;

    @TempDir
    Path dir;

    @Test
    void twoHundredKillsLoseNoCommittedLeaseAndNeverDamageTheFile() throws Exception {
        Path db = dir.resolve("kill.db");
        Random rnd = new Random(Long.getLong("kill.seed", System.nanoTime()));
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString());
        List<String> failures = new ArrayList<>();
        long total = 0;
        for (int k = 0; k < KILLS; k++) {
            Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx256m", "-cp",
                    System.getProperty("java.class.path"), KillWriter.class.getName(), db.toString())
                    .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("writer.err").toFile())).start();
            AtomicLong last = new AtomicLong(-1);
            Object started = new Object();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null;) {
                        long v = Long.parseLong(line.startsWith("start ") ? line.substring(6) : line);
                        last.set(v);
                        synchronized (started) {
                            started.notifyAll();
                        }
                    }
                } catch (Exception e) {
                    // the process died mid-line: the last complete line counts
                }
            });
            synchronized (started) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (last.get() < 0 && p.isAlive() && System.nanoTime() < deadline) {
                    started.wait(100);
                }
            }
            if (last.get() < 0) {
                p.destroyForcibly().waitFor();
                failures.add("kill " + k + ": the writer did not start (database did not open), see writer.err");
                break;
            }
            long startSeq = last.get();
            Thread.sleep(rnd.nextInt(250));
            // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the pipe and
            // lose the numbers the writer printed that were not read yet.
            p.toHandle().destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
            long committed = last.get();
            total += committed - startSeq;
            String problem = check(db, committed);
            if (problem != null) {
                failures.add("kill " + k + " (batches " + startSeq + " to " + committed + " committed): " + problem);
                break; // a damaged file stays damaged; the rest of the runs would only repeat it
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(total > KILLS, "the writer committed only " + total + " batches in " + KILLS + " runs");
    }

    /** Opens the database, reads every lease, checks batch {@code committed}; null when all holds. */
    private static String check(Path db, long committed) {
        try (Database d = Database.open(db)) {
            List<Lease> all = new LeaseStore(d).load();
            Map<Integer, Lease> byAddress = new HashMap<>();
            long max = 0;
            for (Lease l : all) {
                byAddress.put(l.address(), l);
                max = Math.max(max, l.changedAt());
            }
            if (max < committed || max > committed + 1) {
                return "newest batch in the database is " + max;
            }
            for (int i = 0; i < KillWriter.size(committed) && committed > 0; i++) {
                Lease want = KillWriter.lease(committed, i);
                Lease got = byAddress.get(want.address());
                if (!want.equals(got)) {
                    return "lease " + i + " of the batch: want " + want + ", found " + got;
                }
            }
            for (Lease l : all) {
                int i = KillWriter.indexOf(l);
                if (i < 0 || !l.equals(KillWriter.lease(l.changedAt(), i))) {
                    return "lease " + l + " is none that a batch wrote";
                }
            }
            return null;
        } catch (Exception | AssertionError e) {
            return e.toString();
        }
    }
}

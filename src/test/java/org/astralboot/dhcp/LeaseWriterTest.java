package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.astralboot.db.Database;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseStore;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease writer survives a lease it cannot store, and stops the process loudly when the store breaks. */
class LeaseWriterTest {
    @TempDir
    Path dir;

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> fatal = new CopyOnWriteArrayList<>();

    private static Lease lease(int n, String host) {
        return new Lease(Ipv4.toInt(Ipv4.parse("192.0.2." + n)), new MacAddress(0x525400000000L + n), host,
                LeaseState.BOUND, 3_600_000, 1);
    }

    private static LeaseWriter.Outgoing reply(String name) throws IOException {
        return new LeaseWriter.Outgoing(null, name.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                InetAddress.getLoopbackAddress(), 68);
    }

    private void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
    }

    @Test
    void aLeaseThatCannotBeStoredIsSkippedWithoutItsReplyAndTheWriterKeepsServing() throws Exception {
        Path file = dir.resolve("w.db");
        try (Database db = Database.open(file)) {
            LeaseStore store = new LeaseStore(db);
            LeaseWriter w = new LeaseWriter(store, db::commitHere, (o, buf) -> sent.add(new String(o.data())), fatal::add);
            ch.qos.logback.classic.Logger logger =
                    (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LeaseWriter.class);
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                    new ch.qos.logback.core.read.ListAppender<>();
            logged.start();
            logger.addAppender(logged);
            try {
                w.put(lease(10, "ten"));
                w.afterCommit(reply("offer-10"));
                w.put(lease(11, "x".repeat(64 * 1024))); // more than DataOutput.writeUTF can encode
                w.afterCommit(reply("offer-11"));
                w.put(lease(12, "twelve"));
                w.afterCommit(reply("offer-12"));
                await(() -> sent.size() >= 2);
                w.put(lease(13, "thirteen"));
                w.afterCommit(reply("ack-13"));
                await(() -> sent.size() >= 3);
                Thread.sleep(50);
                assertEquals(List.of("offer-10", "offer-12", "ack-13"), sent);
                assertEquals(List.of(), fatal);
                assertEquals(0, w.backlog());
                // The operator learns which lease was skipped, and why, from one error line.
                List<String> errors = logged.list.stream()
                        .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
                        .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
                assertEquals(1, errors.size(), errors.toString());
                assertTrue(errors.get(0).contains("192.0.2.11") && errors.get(0).contains("52:54:00:00:00:0b")
                        && errors.get(0).contains("65536 characters") && errors.get(0).contains("skipped"), errors.get(0));
            } finally {
                logger.detachAppender(logged);
                w.close();
            }
        }
        try (Database db = Database.open(file)) {
            Map<String, String> stored = new LeaseStore(db).load().stream()
                    .collect(Collectors.toMap(l -> l.inet().getHostAddress(), Lease::hostname));
            assertEquals(Map.of("192.0.2.10", "ten", "192.0.2.12", "twelve", "192.0.2.13", "thirteen"), stored);
        }
    }

    @Test
    void aFailingCommitStopsTheServiceLoudlyAndSendsNothing() throws Exception {
        try (Database db = Database.open(dir.resolve("f.db"))) {
            LeaseStore store = new LeaseStore(db);
            LeaseWriter w = new LeaseWriter(store, () -> {
                throw new IOException("database commit failed: No space left on device");
            }, (o, buf) -> sent.add(new String(o.data())), fatal::add);
            try {
                w.put(lease(20, "twenty"));
                w.afterCommit(reply("ack-20"));
                await(() -> !fatal.isEmpty());
                assertEquals(1, fatal.size(), "the process is told to stop: " + fatal);
                assertTrue(fatal.get(0).contains("No space left on device") && fatal.get(0).contains("stopping"),
                        fatal.get(0));
                w.put(lease(21, "later"));
                w.afterCommit(reply("ack-21"));
                Thread.sleep(100);
                assertEquals(List.of(), sent, "no reply without its lease on disk");
                assertEquals(1, fatal.size());
            } finally {
                w.close();
            }
        }
    }

    /**
     * The writer as production runs it (inline: commits on the receiving thread) on a database that
     * cannot commit: it tells the handler the wiring injected, once, on a thread of its own, and never
     * stops the JVM itself (deciding to exit is serve's). No reply leaves, later batches are dropped
     * without telling the handler again, and nothing stays queued.
     */
    @Test
    void aBrokenDatabaseIsReportedToTheInjectedHandlerOnceAndNothingIsSent() throws Exception {
        Database db = Database.open(dir.resolve("broken.db"));
        List<String> threads = new CopyOnWriteArrayList<>();
        LeaseWriter w = new LeaseWriter(l -> { }, db::commitHere, (o, buf) -> sent.add(new String(o.data())), msg -> {
            threads.add(Thread.currentThread().getName());
            fatal.add(msg);
        }, true);
        try {
            db.close(); // every commit now fails, as on a disk that broke under the server
            w.put(lease(30, "thirty"));
            w.afterCommit(reply("ack-30"));
            w.flush();
            await(() -> !fatal.isEmpty());
            assertEquals(1, fatal.size(), fatal.toString());
            assertTrue(fatal.get(0).contains("database closed") && fatal.get(0).contains("stopping"), fatal.get(0));
            assertEquals(List.of("dhcp-fatal"), threads, "not on the receiving thread");
            w.put(lease(31, "later"));
            w.afterCommit(reply("ack-31"));
            w.flush();
            Thread.sleep(100);
            assertEquals(List.of(), sent, "no reply without its lease on disk");
            assertEquals(1, fatal.size(), "told once");
            assertEquals(0, w.backlog(), "nothing left queued");
        } finally {
            w.close();
        }
    }

    /** A batch whose send fails (a bug, a closed socket) costs its replies only: the next batch goes out. */
    @Test
    void aFailingBatchCostsItsRepliesOnlyAndNeverTheWriter() throws Exception {
        try (Database db = Database.open(dir.resolve("b.db"))) {
            LeaseWriter w = new LeaseWriter(new LeaseStore(db), db::commitHere, (o, buf) -> {
                String s = new String(o.data());
                if (s.equals("boom")) {
                    throw new IllegalStateException("send failed");
                }
                sent.add(s);
            }, fatal::add, true);
            try {
                w.put(lease(40, "forty"));
                w.afterCommit(reply("boom"));
                w.flush();
                w.put(lease(41, "forty-one"));
                w.afterCommit(reply("ack-41"));
                w.flush();
                assertEquals(List.of("ack-41"), sent);
                assertEquals(List.of(), fatal, "a failed batch is not a broken store");
                assertEquals(0, w.backlog());
            } finally {
                w.close();
            }
        }
    }

    /** Each group commit is one observation of the commit latency histogram, with its duration. */
    @Test
    void eachCommitIsObservedInTheLatencyHistogram() throws Exception {
        org.astralboot.admin.BootMetrics metrics = new org.astralboot.admin.BootMetrics();
        // A commit that takes at least 30 ms (as a slow disk's fdatasync would).
        LeaseWriter w = new LeaseWriter(l -> { }, () -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }, (o, buf) -> sent.add(new String(o.data())), fatal::add, true).events(metrics);
        try {
            w.put(lease(10, "ten"));
            w.put(lease(11, "eleven"));
            w.afterCommit(reply("offer-10"));
            w.flush(); // one commit for the batch
            w.afterCommit(reply("nak")); // a reply without a lease change: no commit
            w.flush();
            w.put(lease(12, "twelve"));
            w.flush();
        } finally {
            w.close();
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        metrics.write(b);
        String text = b.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("astralboot_dhcp_commit_seconds_count 2\n"), text);
        assertTrue(text.contains("astralboot_dhcp_commit_seconds_bucket{le=\"0.025\"} 0\n"), text);
        assertTrue(text.contains("astralboot_dhcp_commit_seconds_bucket{le=\"0.05\"} 2\n")
                || text.contains("astralboot_dhcp_commit_seconds_bucket{le=\"0.1\"} 2\n"), text);
        assertEquals(List.of("offer-10", "nak"), sent);
    }
}

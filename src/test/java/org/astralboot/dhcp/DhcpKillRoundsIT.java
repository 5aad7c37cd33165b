package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.astralboot.db.Database;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOp;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseStore;
import org.astralboot.net.MacAddress;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 §1 (a) against the real DHCP server: "every lease whose OFFER/ACK was sent is there" after
 * a {@code kill -9} at a random moment under load, round after round on one database.
 *
 * <p>Each round starts the server ({@code astralboot serve}, full DHCP mode, in a test namespace) on the
 * database the previous round's kill left, so the server's own recovery runs every time; puts it
 * under DHCP load from perfdhcp (relay mode, new client MACs every round, DISCOVER-OFFER-REQUEST-ACK);
 * waits until replies flow, waits a random time up to a second, and kills the server JVM with SIGKILL.
 * A capture on the client's side of the link (tcpdump in immediate mode, read once it stops growing)
 * records every OFFER and ACK that left the server. The round asserts that replies were still flowing when the kill came (the last one within
 * {@value #FLOWING_MS} ms before it), then opens a copy of the database files as the kill left them
 * (a copy, so that the next round's server still finds and recovers the crashed original), reads
 * every lease and checks each (address, MAC) ever OFFERed or ACKed on the wire: the lease is there
 * for that MAC, BOUND if it was ACKed, OFFERED or BOUND if it was only OFFERed. No address may be
 * OFFERed or ACKed to two MACs: leases last an hour and offers are held 60 s, and the pool (about
 * 32,500 addresses) is larger than all the MACs of all rounds together, so the server never needs to
 * give an address to a second MAC here, and doing so would mean it lost the first one. After the last
 * round the server is started once more, stopped cleanly, and {@code astralboot leases --all} must
 * list every lease the same way.
 *
 * <p>Rounds: as many as fit in {@value #SECONDS} s, at least {@value #MIN_ROUNDS}. Not the 200 of the
 * issue: a round here restarts a JVM server (start, database open and recovery, bind; two to three
 * seconds) and runs it under load, so 200 rounds would hold the machine-wide test lock for over ten
 * minutes. The 200 kills are {@code DatabaseKillIT}'s (a lease writer, half a second a round); this
 * test adds what that one cannot see: the server's order of commit and reply.
 */
class DhcpKillRoundsIT {
    private static final int SECONDS = 180;
    private static final int MIN_ROUNDS = 20;
    /** Bounded so that the MACs of all rounds ({@value #CLIENTS} each) stay below the pool size. */
    private static final int MAX_ROUNDS = 60;
    /** Distinct client MACs per round (perfdhcp {@code -R}); the rounds' MACs differ in their third octet. */
    private static final int CLIENTS = 500;
    /** OFFERs and ACKs of a round on the wire before its kill may come. */
    private static final int REPLIES_BEFORE_KILL = 100;
    /** The round's last reply came at most this long before the kill. */
    private static final long FLOWING_MS = 500;

    @TempDir
    Path dir;

    /** What the wire says a lease must be: its MAC, and whether it was ACKed (else only OFFERed). */
    private record Sent(MacAddress mac, boolean acked) {
    }

    /** The capture, read as it grows: every OFFER and ACK so far, per address in the order sent. */
    private static final class Wire {
        final Path pcap;
        long offset;
        final Map<Integer, Sent> sent = new LinkedHashMap<>();
        final List<String> twoMacs = new ArrayList<>();
        int replies;
        int offers;
        int acks;
        long lastReplyMicros;

        Wire(Path pcap) {
            this.pcap = pcap;
        }

        /** Reads what the capture added; returns the number of OFFERs and ACKs so far. */
        int poll() throws IOException {
            List<Pcap.Timed> frames = new ArrayList<>();
            offset = Pcap.dhcpFrom(pcap, offset, frames);
            for (Pcap.Timed t : frames) {
                DhcpPacket p = t.packet();
                if (p.op() != DhcpOp.BOOTREPLY) {
                    continue;
                }
                boolean ack = p.messageType() == DhcpMessageType.ACK;
                if (!ack && p.messageType() != DhcpMessageType.OFFER) {
                    continue;
                }
                replies++;
                if (ack) {
                    acks++;
                } else {
                    offers++;
                }
                lastReplyMicros = Math.max(lastReplyMicros, t.micros());
                Sent before = sent.get(p.yiaddr());
                if (before != null && !before.mac().equals(p.mac())) {
                    twoMacs.add(DhcpPacket.addr(p.yiaddr()) + " " + (before.acked() ? "ACKed" : "OFFERed") + " to "
                            + before.mac() + ", then " + p.messageType() + " to " + p.mac());
                    continue;
                }
                sent.put(p.yiaddr(), new Sent(p.mac(), ack || before != null && before.acked()));
            }
            return replies;
        }
    }

    @Test
    void killDashNineAtRandomMomentsUnderLoadLosesNoOfferedOrAckedLease() throws Exception {
        long seed = Long.getLong("kill.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String sfx = DhcpItSupport.suffix();
        String sif = "durs" + sfx;
        String cif = "durc" + sfx;
        try (Netns srv = Netns.create("durk"); Netns cli = Netns.create("durk")) {
            Netns.veth(srv, sif, "198.19.0.1/17", cli, cif, "198.19.0.2/17");
            Path config = DhcpItSupport.config(dir, sif, """
                    range_start = "198.19.0.10"
                    range_end = "198.19.127.250"
                    lease_time = "1h"
                    """);
            Path db = dir.resolve("astralboot.db");
            Path pcap = dir.resolve("wire.pcap");
            Path dumpLog = dir.resolve("tcpdump.log");
            Process dump = cli.start(dumpLog, "tcpdump", "-i", cif, "--immediate-mode", "-U", "-B", "16384", "-w", pcap.toString(), "udp",
                    "port", "67");
            Netns.awaitLog(dumpLog, "listening on", Duration.ofSeconds(10));
            Wire wire = new Wire(pcap);
            long began = System.nanoTime();
            int round = 0;
            List<String> rounds = new ArrayList<>();
            while (round < MAX_ROUNDS
                    && (round < MIN_ROUNDS || System.nanoTime() - began < TimeUnit.SECONDS.toNanos(SECONDS))) {
                round++;
                String at = "round " + round + " (seed " + seed + ")";
                Path log = dir.resolve("server-" + round + ".log");
                Process server = DhcpItSupport.startServer(srv, dir, log);
                String started = DhcpItSupport.read(log);
                assertFalse(started.contains("damaged"), at + ": the server found the database damaged:\n" + started);
                int before = wire.poll();
                long roundStartMicros = System.currentTimeMillis() * 1000;
                Process perf = cli.start(dir.resolve("perf-" + round + ".log"), "perfdhcp", "-4", "-l", cif, "-r", "500",
                        "-R", String.valueOf(CLIENTS), "-b", String.format("mac=52:54:%02x:00:00:00", round), "-p", "60",
                        "198.19.0.1");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (wire.poll() - before < REPLIES_BEFORE_KILL) {
                    if (System.nanoTime() > deadline) {
                        fail(at + ": only " + (wire.replies - before) + " OFFERs and ACKs in 20 s\n"
                                + DhcpItSupport.read(log));
                    }
                    Thread.sleep(20);
                }
                long delay = rnd.nextInt(1000);
                Thread.sleep(delay);
                long killedAt = System.currentTimeMillis();
                // SIGKILL to the server JVM itself (`ip netns exec` execs java).
                server.toHandle().destroyForcibly();
                assertTrue(server.waitFor(10, TimeUnit.SECONDS), at + ": the server did not die");
                stop(perf);
                // The capture's last frames: nothing is sent any more, so it is complete once it stops growing.
                int seen;
                do {
                    seen = wire.poll();
                    Thread.sleep(300);
                } while (wire.poll() != seen);
                int inRound = wire.replies - before;
                long lastBeforeKill = killedAt - wire.lastReplyMicros / 1000;
                assertTrue(wire.lastReplyMicros > roundStartMicros && lastBeforeKill <= FLOWING_MS, at
                        + ": the last reply came " + lastBeforeKill + " ms before the kill: the kill did not hit a server"
                        + " under load");
                assertTrue(wire.twoMacs.isEmpty(), at + ": addresses given to two MACs: " + wire.twoMacs);
                String problem = check(db, wire.sent);
                if (problem != null) {
                    fail(at + ", kill " + delay + " ms after " + REPLIES_BEFORE_KILL + " replies (" + inRound
                            + " OFFERs and ACKs in the round): " + problem);
                }
                rounds.add(round + ":" + inRound);
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began);

            // The database the last kill left: the server recovers it, then a clean stop, then the CLI reads it.
            Path log = dir.resolve("server-final.log");
            Process server = DhcpItSupport.startServer(srv, dir, log);
            server.destroy(); // SIGTERM: a clean stop
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "server did not stop on SIGTERM");
            stop(dump);
            Netns.Result leases = srv.run(Duration.ofSeconds(60), Netns.javaBinary(), "-cp",
                    System.getProperty("java.class.path"), "org.astralboot.cli.Main", "leases", "-c", config.toString(),
                    "--all").check();
            Map<Integer, String[]> listed = new HashMap<>();
            for (String line : leases.out().split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
                    listed.put(org.astralboot.net.Ipv4.toInt(org.astralboot.net.Ipv4.parse(f[0])), f);
                }
            }
            int checked = 0;
            for (Map.Entry<Integer, Sent> e : wire.sent.entrySet()) {
                String[] f = listed.get(e.getKey());
                String where = DhcpPacket.addr(e.getKey()) + " " + (e.getValue().acked() ? "ACKed" : "OFFERed") + " to "
                        + e.getValue().mac() + ": `astralboot leases` lists " + (f == null ? "nothing" : String.join(" ", f));
                assertTrue(f != null && f[1].equals(e.getValue().mac().toString()), where);
                assertTrue(e.getValue().acked() ? f[3].equals("bound")
                        : f[3].equals("bound") || f[3].equals("offered") || f[3].equals("expired"), where);
                checked++;
            }
            assertTrue(round >= MIN_ROUNDS, round + " rounds");
            assertTrue(wire.offers > 1000 && wire.acks > 1000, wire.offers + " OFFERs and " + wire.acks + " ACKs");
            assertEquals(wire.sent.size(), checked);
            System.out.printf("DhcpKillRoundsIT: %d kill rounds in %d s (seed %d), %d OFFERs and %d ACKs on the wire, "
                    + "%d addresses checked after every kill; OFFERs and ACKs per round: %s%n", round, seconds, seed,
                    wire.offers, wire.acks, wire.sent.size(), rounds);
        }
    }

    /**
     * Opens a copy of the database and its redo log as they are now, reads every lease and checks
     * each address {@code sent}; returns the first problems found, or {@code null}.
     */
    private String check(Path db, Map<Integer, Sent> sent) throws IOException {
        Path copyDir = dir.resolve("check");
        if (Files.exists(copyDir)) {
            try (var s = Files.list(copyDir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(copyDir);
        Path copy = copyDir.resolve(db.getFileName());
        Files.copy(db, copy, StandardCopyOption.COPY_ATTRIBUTES);
        if (Files.exists(Database.redoFile(db))) {
            Files.copy(Database.redoFile(db), Database.redoFile(copy), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Map<Integer, Lease> found = new HashMap<>();
        try (Database d = Database.open(copy)) {
            for (Lease l : new LeaseStore(d).load()) {
                found.put(l.address(), l);
            }
        } catch (IOException | RuntimeException e) {
            return "the database does not open or read: " + e;
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Integer, Sent> e : sent.entrySet()) {
            Sent s = e.getValue();
            Lease l = found.get(e.getKey());
            boolean ok = l != null && s.mac().equals(l.mac())
                    && (l.state() == LeaseState.BOUND || !s.acked() && l.state() == LeaseState.OFFERED);
            if (!ok) {
                problems.add(DhcpPacket.addr(e.getKey()) + " " + (s.acked() ? "ACKed" : "OFFERed") + " to " + s.mac()
                        + " but the database has " + (l == null ? "no lease" : l.state() + " for " + l.mac()));
            }
        }
        if (problems.isEmpty()) {
            return null;
        }
        return problems.size() + " of " + sent.size() + " leases sent are missing or wrong, e.g. "
                + problems.subList(0, Math.min(5, problems.size()));
    }

    private static void stop(Process p) throws InterruptedException {
        p.toHandle().descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}

package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Crash safety under load: perfdhcp (relay mode) runs DORA against the server, the server is killed
 * with SIGKILL mid-run and restarted, perfdhcp runs again. Every ACK seen on the wire (tcpdump) must
 * be in the database afterwards, bound to its MAC, and no address may have been ACKed to two MACs.
 */
class DhcpDurabilityIT {
    @TempDir
    Path dir;

    @Test
    void killDashNineLosesNoAckedLease() throws Exception {
        String sfx = DhcpItSupport.suffix();
        String sif = "abds" + sfx;
        String cif = "abdc" + sfx;
        try (Netns srv = Netns.create("abd"); Netns cli = Netns.create("abd")) {
            Netns.veth(srv, sif, "198.18.24.1/22", cli, cif, "198.18.24.2/22");
            DhcpItSupport.config(dir, sif, """
                    range_start = "198.18.24.10"
                    range_end = "198.18.27.250"
                    lease_time = "1h"
                    """);
            Path log = dir.resolve("server.log");
            Process server = DhcpItSupport.startServer(srv, dir, log);

            Path pcap1 = dir.resolve("run1.pcap");
            Process dump1 = cli.start(dir.resolve("tcpdump1.log"), "tcpdump", "-i", cif, "-U", "-w", pcap1.toString(),
                    "udp", "port", "67");
            Netns.awaitLog(dir.resolve("tcpdump1.log"), "listening on", Duration.ofSeconds(10));
            Process perf1 = cli.start(dir.resolve("perf1.log"), "perfdhcp", "-4", "-l", cif, "-r", "400", "-R", "1500",
                    "-p", "4", "198.18.24.1");
            Thread.sleep(2500);
            // SIGKILL the server JVM (`ip netns exec` execs java, so this is the JVM itself).
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
            perf1.waitFor(30, TimeUnit.SECONDS);
            Thread.sleep(300);
            stop(dump1);
            List<DhcpPacket> acks1 = acks(pcap1);
            assertTrue(acks1.size() > 50, "perfdhcp got only " + acks1.size() + " ACKs before the kill");

            Path log2 = dir.resolve("server2.log");
            Process server2 = DhcpItSupport.startServer(srv, dir, log2);
            Path pcap2 = dir.resolve("run2.pcap");
            Process dump2 = cli.start(dir.resolve("tcpdump2.log"), "tcpdump", "-i", cif, "-U", "-w", pcap2.toString(),
                    "udp", "port", "67");
            Netns.awaitLog(dir.resolve("tcpdump2.log"), "listening on", Duration.ofSeconds(10));
            Process perf2 = cli.start(dir.resolve("perf2.log"), "perfdhcp", "-4", "-l", cif, "-r", "400", "-R", "1500",
                    "-p", "2", "198.18.24.1");
            perf2.waitFor(30, TimeUnit.SECONDS);
            Thread.sleep(300);
            stop(dump2);
            List<DhcpPacket> acks2 = acks(pcap2);
            assertTrue(acks2.size() > 50, "second run got " + acks2.size() + " ACKs");
            // Clean stop (SIGTERM) so the test can open the database.
            server2.destroy(); // `ip netns exec` execs java: this is the server JVM itself
            assertTrue(server2.waitFor(20, TimeUnit.SECONDS), "server did not stop on SIGTERM");

            Map<Integer, MacAddress> ackedTo = new HashMap<>();
            for (List<DhcpPacket> run : List.of(acks1, acks2)) {
                for (DhcpPacket a : run) {
                    MacAddress prev = ackedTo.put(a.yiaddr(), a.mac());
                    assertTrue(prev == null || prev.equals(a.mac()),
                            DhcpPacket.addr(a.yiaddr()) + " ACKed to " + prev + " and " + a.mac());
                }
            }
            Map<Integer, Lease> db = new HashMap<>();
            try (Database d = Database.open(dir.resolve("astralboot.db"))) {
                for (Lease l : new LeaseStore(d).load()) {
                    db.put(l.address(), l);
                }
            }
            int checked = 0;
            for (DhcpPacket a : acks1) {
                Lease l = db.get(a.yiaddr());
                assertTrue(l != null && l.state() == LeaseState.BOUND && a.mac().equals(l.mac()),
                        "ACKed " + DhcpPacket.addr(a.yiaddr()) + " to " + a.mac() + " but the database has " + l);
                checked++;
            }
            assertEquals(acks1.size(), checked);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.toHandle().descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    private static List<DhcpPacket> acks(Path pcap) throws Exception {
        return Pcap.dhcp(pcap).stream()
                .filter(p -> p.op() == DhcpOp.BOOTREPLY && p.messageType() == DhcpMessageType.ACK)
                .toList();
    }
}

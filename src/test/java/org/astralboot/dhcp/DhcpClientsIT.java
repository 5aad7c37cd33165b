package org.astralboot.dhcp;

import static org.astralboot.dhcp.DhcpItSupport.awaitCount;
import static org.astralboot.dhcp.DhcpItSupport.probe;
import static org.astralboot.dhcp.DhcpItSupport.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients against the server in full mode: dhclient and busybox udhcpc obtain, renew and
 * release; crafted PXE DISCOVERs get the file for their firmware. 198.18.16.0/24 in namespaces.
 */
class DhcpClientsIT {
    @TempDir
    static Path dir;
    static Netns srv;
    static Netns cli;
    static String cif;
    static Path log;

    @BeforeAll
    static void start() throws Exception {
        srv = Netns.create("abd");
        cli = Netns.create("abd");
        String sfx = DhcpItSupport.suffix();
        String sif = "abds" + sfx;
        cif = "abdc" + sfx;
        Netns.veth(srv, sif, "198.18.16.1/24", cli, cif, null);
        DhcpItSupport.config(dir, sif, """
                range_start = "198.18.16.10"
                range_end = "198.18.16.60"
                lease_time = "1h"
                """);
        log = dir.resolve("server.log");
        DhcpItSupport.startServer(srv, dir, log);
    }

    @AfterAll
    static void stop() {
        if (cli != null) {
            cli.close();
        }
        if (srv != null) {
            srv.close();
        }
    }

    @Test
    void dhclientObtainsWithRightOptionsAndReleases() throws Exception {
        Path events = dir.resolve("dhclient.events");
        Path script = DhcpItSupport.dhclientScript(dir, events);
        String[] common = {"-sf", script.toString(), "-lf", dir.resolve("dhclient.leases").toString(), "-pf",
                dir.resolve("dhclient.pid").toString()};
        cli.run(Duration.ofSeconds(10), "ip", "link", "set", cif, "address", "52:54:00:16:00:01").check();
        List<String> obtain = new java.util.ArrayList<>(List.of("timeout", "30", "dhclient", "-1"));
        obtain.addAll(List.of(common));
        obtain.add(cif);
        cli.run(Duration.ofSeconds(40), obtain.toArray(String[]::new)).check();
        String ev = read(events);
        assertTrue(ev.contains("BOUND ip=198.18.16."), ev);
        String bound = ev.lines().filter(l -> l.startsWith("BOUND")).findFirst().orElseThrow();
        String ip = bound.split(" ")[1].substring(3);
        int last = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
        assertTrue(last >= 10 && last <= 60, bound);
        assertTrue(bound.contains("mask=255.255.255.0"), bound);
        assertTrue(bound.contains("routers=198.18.16.1"), bound);
        assertTrue(bound.contains("dns=198.18.16.1"), bound);
        assertTrue(bound.contains("host=node" + last), bound);
        assertTrue(bound.contains("domain=local"), bound);
        assertTrue(bound.contains("lease=3600"), bound);
        assertTrue(cli.run(Duration.ofSeconds(5), "ip", "addr", "show", cif).out().contains(ip + "/24"));
        // `astralboot leases` while the server holds the database: the server answers it over HTTP.
        Path leasesOut = dir.resolve("leases.out");
        Process lp = srv.startAstralboot(dir, leasesOut, "leases", "-c", dir.resolve("config.toml").toString());
        assertTrue(lp.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "leases did not finish");
        String table = read(leasesOut);
        assertEquals(0, lp.exitValue(), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith(ip + " ") && l.contains("52:54:00:16:00:01")
                && l.contains("node" + last) && l.contains("bound")), table);
        // ... and only to this host: from the client's namespace the route is refused.
        String remote = cli.run(Duration.ofSeconds(20), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "http://198.18.16.1:" + DhcpItSupport.HTTP_PORT + "/leases").out();
        assertEquals("403", remote.strip());
        List<String> release = new java.util.ArrayList<>(List.of("timeout", "30", "dhclient", "-r"));
        release.addAll(List.of(common));
        release.add(cif);
        cli.run(Duration.ofSeconds(40), release.toArray(String[]::new)).check();
        Netns.awaitLog(log, "dhcp RELEASE " + ip + " from 52:54:00:16:00:01", Duration.ofSeconds(10));
        // A released address stays this MAC's: the next lease is the same one.
        cli.run(Duration.ofSeconds(40), obtain.toArray(String[]::new)).check();
        awaitCount(events, "BOUND ip=" + ip + " ", 2, Duration.ofSeconds(10));
        cli.run(Duration.ofSeconds(40), release.toArray(String[]::new)).check();
    }

    @Test
    void udhcpcObtainsRenewsAndReleases() throws Exception {
        Path events = dir.resolve("udhcpc.events");
        Path script = DhcpItSupport.udhcpcScript(dir, events);
        String ifc = "abdu" + DhcpItSupport.suffix();
        // a second client interface on the same link: a macvlan on the client's veth
        cli.run(Duration.ofSeconds(10), "ip", "link", "add", ifc, "link", cif, "address", "52:54:00:16:00:02", "type",
                "macvlan", "mode", "bridge").check();
        cli.run(Duration.ofSeconds(10), "ip", "link", "set", ifc, "up").check();
        Process p = cli.start(dir.resolve("udhcpc.log"), "busybox", "udhcpc", "-f", "-i", ifc, "-s", script.toString(),
                "-t", "5", "-T", "2", "-R");
        awaitCount(events, "bound ip=198.18.16.", 1, Duration.ofSeconds(30));
        String bound = read(events).lines().filter(l -> l.startsWith("bound")).findFirst().orElseThrow();
        String ip = bound.split(" ")[1].substring(3);
        assertTrue(bound.contains("mask=255.255.255.0") && bound.contains("router=198.18.16.1")
                && bound.contains("dns=198.18.16.1") && bound.contains("domain=local") && bound.contains("lease=3600"), bound);
        assertTrue(bound.contains("host=node" + ip.substring(ip.lastIndexOf('.') + 1)), bound);
        int acks = DhcpItSupport.count(read(log), "dhcp ACK " + ip + " to 52:54:00:16:00:02");
        // SIGUSR1: renew (unicast REQUEST with ciaddr, RFC 2131 RENEWING)
        // `ip netns exec` execs udhcpc, so p's pid is udhcpc's own.
        Netns.sh(Duration.ofSeconds(10), "kill", "-USR1", Long.toString(p.pid())).check();
        awaitCount(events, "renew ip=" + ip, 1, Duration.ofSeconds(20));
        awaitCount(log, "dhcp ACK " + ip + " to 52:54:00:16:00:02", acks + 1, Duration.ofSeconds(10));
        // -R: release on exit
        Netns.sh(Duration.ofSeconds(10), "kill", "-TERM", Long.toString(p.pid())).check();
        Netns.awaitLog(log, "dhcp RELEASE " + ip + " from 52:54:00:16:00:02", Duration.ofSeconds(10));
        p.waitFor();
    }

    @Test
    void pxeDiscoversGetTheFileForTheirFirmware() throws Exception {
        String pif = "abdp" + DhcpItSupport.suffix();
        cli.run(Duration.ofSeconds(10), "ip", "link", "add", pif, "link", cif, "type", "macvlan", "mode", "bridge").check();
        cli.run(Duration.ofSeconds(10), "ip", "addr", "add", "198.18.16.250/24", "dev", pif).check();
        cli.run(Duration.ofSeconds(10), "ip", "link", "set", pif, "up").check();
        cli.run(Duration.ofSeconds(10), "ip", "route", "add", "255.255.255.255", "dev", pif).check();
        record Case(String mac, String[] args, String file, String siaddr, String vc) {
        }
        List<Case> cases = List.of(
                new Case("52:54:00:16:01:00", new String[] {"arch=0", "vendor=PXEClient:Arch:00000:UNDI:002001"},
                        "undionly.kpxe", "198.18.16.1", "PXEClient"),
                new Case("52:54:00:16:01:07", new String[] {"arch=7", "vendor=PXEClient:Arch:00007:UNDI:003016"},
                        "ipxe.efi", "198.18.16.1", "PXEClient"),
                new Case("52:54:00:16:01:11", new String[] {"arch=11", "vendor=PXEClient:Arch:00011:UNDI:003000"},
                        "ipxe-arm64.efi", "198.18.16.1", "PXEClient"),
                new Case("52:54:00:16:01:16", new String[] {"arch=16", "vendor=HTTPClient:Arch:00016:UNDI:003001"},
                        "http://198.18.16.1:8080/tftp/ipxe.efi", "0.0.0.0", "HTTPClient"),
                new Case("52:54:00:16:01:99", new String[] {"arch=0", "vendor=PXEClient:Arch:00000:UNDI:002001",
                        "userclass=iPXE"}, "http://198.18.16.1:8080/boot.ipxe", "0.0.0.0", ""));
        for (Case c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of("mac=" + c.mac(), "type=discover", "wait=2000"));
            args.addAll(List.of(c.args()));
            List<String> r = probe(cli, args.toArray(String[]::new));
            assertEquals(1, r.size(), c + " -> " + r);
            String line = r.get(0);
            assertTrue(line.startsWith("REPLY OFFER from=198.18.16.1 port=67 yiaddr=198.18.16."), line);
            assertTrue(line.contains(" file=" + c.file() + " "), c.file() + " in " + line);
            assertTrue(line.contains(" siaddr=" + c.siaddr() + " "), line);
            assertTrue(line.contains(" vc=" + c.vc() + " "), line);
        }
        // A plain client (no PXE options) gets a lease and no boot file.
        List<String> plain = probe(cli, "mac=52:54:00:16:01:aa", "type=discover", "wait=2000");
        assertTrue(plain.get(0).contains(" file= ") && plain.get(0).contains(" vc= "), plain.toString());
    }
}

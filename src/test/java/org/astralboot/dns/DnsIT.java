package org.astralboot.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded DNS with real clients: a machine takes a lease with busybox udhcpc, then BIND's
 * {@code dig} and the C library's resolver ({@code getent}, through the namespace's own
 * resolv.conf) find it by name and address; a dnsmasq upstream answers other names; a truncated
 * UDP answer makes dig retry over TCP. Three namespaces: server, client (198.18.40.0/24) and a
 * host on a second interface of the server (198.18.41.0/24) that must get no answer.
 */
class DnsIT {
    @TempDir
    static Path dir;
    static Netns srv;
    static Netns cli;
    static Netns other;
    static String cif;
    static Path log;
    static String leased;
    static String host;

    @BeforeAll
    static void start() throws Exception {
        srv = Netns.create("abdns");
        cli = Netns.create("abdns");
        other = Netns.create("abdns");
        String sfx = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
        String sif = "dnss" + sfx;
        cif = "dnsc" + sfx;
        Netns.veth(srv, sif, "198.18.40.1/24", cli, cif, null);
        Netns.veth(srv, "dnso" + sfx, "198.18.41.1/24", other, "dnsp" + sfx, "198.18.41.2/24");
        // The upstream: dnsmasq on the server's loopback with one name and one name too big for UDP.
        List<String> up = new ArrayList<>(List.of("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv",
                "--no-hosts", "--port=53", "--listen-address=127.0.0.1", "--bind-interfaces",
                "--address=/upstream.example/198.18.99.7"));
        for (int i = 1; i <= 60; i++) {
            up.add("--host-record=big.upstream.example,198.18.98." + i);
        }
        srv.start(dir.resolve("dnsmasq.log"), up.toArray(String[]::new));
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("config.toml"), """
                interface = "%s"
                domain = "lab.example"
                data = "./data"
                database = "./astralboot.db"
                ipfs = false
                [http]
                port = 8080
                [dhcp]
                range_start = "198.18.40.10"
                range_end = "198.18.40.60"
                lease_time = "1h"
                [dns]
                upstream = ["127.0.0.1"]
                """.formatted(sif));
        log = dir.resolve("server.log");
        srv.startAstralboot(dir, log, "serve", "-l", "-c", dir.resolve("config.toml").toString(), "-v");
        Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(30));
        Netns.awaitLog(dir.resolve("dnsmasq.log"), "started", Duration.ofSeconds(10));

        Path events = dir.resolve("udhcpc.events");
        Path script = dir.resolve("udhcpc-script");
        Files.writeString(script, """
                #!/bin/sh
                echo "$1 ip=$ip host=$hostname" >> %s
                case "$1" in bound|renew) ip addr add "$ip/$subnet" dev "$interface" ;; esac
                exit 0
                """.formatted(events));
        script.toFile().setExecutable(true);
        cli.run(Duration.ofSeconds(40), "busybox", "udhcpc", "-q", "-n", "-i", cif, "-s", script.toString(),
                "-t", "5", "-T", "2").check();
        String bound = Files.readString(events).lines().filter(l -> l.startsWith("bound")).findFirst().orElseThrow();
        leased = bound.split(" ")[1].substring(3);
        host = bound.split(" ")[2].substring(5);
        assertTrue(host.startsWith("node"), bound);
    }

    @AfterAll
    static void stop() {
        for (Netns n : new Netns[] {cli, other, srv}) {
            if (n != null) {
                n.close();
            }
        }
    }

    private static String dig(Netns ns, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dig", "@198.18.40.1", "+time=2", "+tries=1"));
        cmd.addAll(List.of(args));
        return ns.run(Duration.ofSeconds(20), cmd.toArray(String[]::new)).out();
    }

    @Test
    void aLeaseResolvesByNameAndAddress() throws Exception {
        assertEquals(leased, dig(cli, "+short", host + ".lab.example", "A").strip());
        assertEquals(leased, dig(cli, "+short", host.toUpperCase() + ".LAB.example", "A").strip());
        assertEquals(host + ".lab.example.", dig(cli, "+short", "-x", leased).strip());
        assertEquals("198.18.40.1", dig(cli, "+short", "astralboot.lab.example").strip());
        assertEquals("astralboot.lab.example.", dig(cli, "+short", "-x", "198.18.40.1").strip());
        String full = dig(cli, host + ".lab.example", "A");
        assertTrue(full.contains("status: NOERROR") && full.contains(" aa"), full);
    }

    @Test
    void theCLibraryResolverFindsTheMachine() throws Exception {
        Files.writeString(Path.of("/etc/netns", cli.name(), "resolv.conf"),
                "nameserver 198.18.40.1\nsearch lab.example\noptions timeout:2 attempts:1\n");
        String out = cli.run(Duration.ofSeconds(20), "getent", "hosts", host).check().out();
        assertTrue(out.startsWith(leased + " ") && out.contains(host + ".lab.example"), out);
        out = cli.run(Duration.ofSeconds(20), "getent", "hosts", leased).check().out();
        assertTrue(out.contains(host + ".lab.example"), out);
    }

    @Test
    void theZoneHasSoaAndNxdomainForUnknownNames() throws Exception {
        String soa = dig(cli, "+short", "lab.example", "SOA").strip();
        assertTrue(soa.startsWith("ns.lab.example. hostmaster.lab.example. "), soa);
        String nx = dig(cli, "nobody.lab.example", "A");
        assertTrue(nx.contains("status: NXDOMAIN") && nx.contains("SOA"), nx);
        String free = dig(cli, "-x", "198.18.40.59");
        assertTrue(free.contains("status: NXDOMAIN"), free);
    }

    @Test
    void otherNamesAreForwardedAndBigAnswersFallBackToTcp() throws Exception {
        assertEquals("198.18.99.7", dig(cli, "+short", "upstream.example").strip());
        String big = dig(cli, "+noedns", "big.upstream.example", "A");
        assertTrue(big.contains("Truncated, retrying in TCP mode"), big);
        assertEquals(60, big.lines().filter(l -> l.startsWith("big.upstream.example.") && l.contains("\tA\t")).count(), big);
        String tcp = dig(cli, "+tcp", "+short", host + ".lab.example");
        assertEquals(leased, tcp.strip());
    }

    @Test
    void malformedQueriesNeverStopTheServer() throws Exception {
        // 3,000 datagrams: random bytes, and a real query with one byte changed.
        String py = """
                import random, socket
                r = random.Random(7)
                q = bytes.fromhex("a2ae01200001000000000001066e6f64653132036c6162076578616d706c65000001000100002904d000000000000c000a00086ab6665f7c29718e")
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                for i in range(3000):
                    if i % 2:
                        b = bytearray(q); b[r.randrange(len(b))] = r.randrange(256)
                    else:
                        b = bytes(r.randrange(256) for _ in range(r.randrange(0, 600)))
                    s.sendto(bytes(b), ("198.18.40.1", 53))
                """;
        cli.run(Duration.ofSeconds(60), "python3", "-c", py).check();
        assertEquals(leased, dig(cli, "+short", host + ".lab.example").strip());
        String l = Files.readString(log);
        assertTrue(!l.contains("Exception") && !l.contains("ERROR"), l);
    }

    @Test
    void tcpClientsTricklingAQueryAreCutOffAtTheMessageDeadline() throws Exception {
        // Eight connections (the per-client cap) each send a query one byte per second: before the
        // per-message deadline, each byte reset the idle timeout and the connections held the
        // client's TCP slots for as long as it liked.
        String py = """
                import select, socket, time
                q = bytes.fromhex("a2ae01200001000000000001066e6f64653132036c6162076578616d706c65000001000100002904d000000000000c000a00086ab6665f7c29718e")
                msg = len(q).to_bytes(2, "big") + q
                conns = []
                for _ in range(8):
                    c = socket.create_connection(("198.18.40.1", 53), timeout=5)
                    c.setblocking(False)
                    conns.append(c)
                t0 = time.monotonic()
                closed = {}
                for i in range(20):
                    for k, c in enumerate(conns):
                        if k in closed:
                            continue
                        try:
                            r, _, _ = select.select([c], [], [], 0)
                            if r and c.recv(1) == b"":
                                raise ConnectionResetError()
                            c.send(msg[i:i + 1])
                        except OSError:
                            closed[k] = time.monotonic() - t0
                    if len(closed) == len(conns):
                        break
                    time.sleep(1)
                print("closed", len(closed), "max", round(max(closed.values(), default=99), 1))
                """;
        String out = cli.run(Duration.ofSeconds(60), "python3", "-c", py).check().out().strip();
        String[] f = out.split(" ");
        assertEquals("8", f[1], out);
        double worst = Double.parseDouble(f[3]);
        assertTrue(worst <= DnsService.TCP_MESSAGE_MILLIS / 1000.0 + 3, out);
        assertEquals(leased, dig(cli, "+tcp", "+short", host + ".lab.example").strip());
    }

    @Test
    void anotherInterfaceGetsNoAnswer() throws Exception {
        String out = other.run(Duration.ofSeconds(20), "dig", "@198.18.41.1", "+time=2", "+tries=1",
                "astralboot.lab.example").out();
        assertTrue(!out.contains("ANSWER SECTION") && (out.contains("timed out") || out.contains("refused")
                || out.contains("no servers could be reached")), out);
    }
}

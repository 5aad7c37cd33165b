package org.astralboot.dhcp;

import static org.astralboot.dhcp.DhcpItSupport.read;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subnet behind a real relay agent ({@code [[dhcp.relay]]}): dnsmasq in relay mode (RFC 1542)
 * forwards busybox udhcpc's broadcasts from 198.18.31.0/24 to the server on 198.18.23.0/24 with
 * giaddr 198.18.31.1; the client gets an address of that subnet's pool, its mask, and the relay as
 * router.
 */
class DhcpRelayIT {
    @TempDir
    Path dir;

    @Test
    void udhcpcBehindDnsmasqRelayGetsAnAddressOfTheRelayedSubnet() throws Exception {
        String sfx = DhcpItSupport.suffix();
        String sif = "abds" + sfx;
        String cif = "abdc" + sfx;
        try (Netns srv = Netns.create("abd"); Netns rly = Netns.create("abd"); Netns cli = Netns.create("abd")) {
            Netns.veth(srv, sif, "198.18.23.1/24", rly, "abdr" + sfx, "198.18.23.2/24");
            Netns.veth(rly, "abdq" + sfx, "198.18.31.1/24", cli, cif, null);
            srv.run(Duration.ofSeconds(10), "ip", "route", "add", "198.18.31.0/24", "via", "198.18.23.2").check();
            DhcpItSupport.config(dir, sif, """
                    range_start = "198.18.23.10"
                    range_end = "198.18.23.20"
                    lease_time = "1h"
                    [[dhcp.relay]]
                    subnet = "198.18.31.0/24"
                    range_start = "198.18.31.100"
                    range_end = "198.18.31.110"
                    """);
            Path log = dir.resolve("server.log");
            DhcpItSupport.startServer(srv, dir, log);
            rly.start(dir.resolve("dnsmasq.log"), "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                    "--log-dhcp", "--dhcp-relay=198.18.31.1,198.18.23.1",
                    "--dhcp-leasefile=" + dir.resolve("dnsmasq.leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"));
            cli.run(Duration.ofSeconds(10), "ip", "link", "set", cif, "address", "52:54:00:31:00:01").check();
            Path events = dir.resolve("udhcpc.events");
            Path script = DhcpItSupport.udhcpcScript(dir, events);
            cli.run(Duration.ofSeconds(40), "busybox", "udhcpc", "-f", "-q", "-n", "-i", cif, "-s", script.toString(),
                    "-t", "8", "-T", "2");
            String ev = read(events);
            String bound = ev.lines().filter(l -> l.startsWith("bound")).findFirst()
                    .orElseThrow(() -> new AssertionError("no lease: " + ev + "\nserver:\n" + safeRead(log)
                            + "\ndnsmasq:\n" + safeRead(dir.resolve("dnsmasq.log"))));
            String ip = bound.split(" ")[1].substring(3);
            int last = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
            assertTrue(ip.startsWith("198.18.31.") && last >= 100 && last <= 110, bound);
            assertTrue(bound.contains("mask=255.255.255.0"), bound);
            assertTrue(bound.contains("router=198.18.31.1"), bound); // no gateway: the relay (giaddr)
            assertTrue(bound.contains("dns=198.18.23.1"), bound); // [dhcp] dns default: the server
            Netns.awaitLog(log, "dhcp ACK " + ip + " to 52:54:00:31:00:01", Duration.ofSeconds(5));
        }
    }

    private static String safeRead(Path p) {
        try {
            return read(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}

package org.astralboot.dhcp6;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DHCPv6 through a real relay agent ({@code [[ipv6.relay]]}, RFC 8415 §19): dnsmasq 2.90 in relay mode
 * ({@code --dhcp-relay=<its address on the client's link>,<server>}) forwards isc-dhcp-client's
 * ({@code dhclient -6}, user class iPXE) messages from 2001:db8:31::/64 to the server on
 * 2001:db8:23::/64 in Relay-forwards with link-address 2001:db8:31::1; the client gets an address of
 * that link's pool and the iPXE boot URL on the server's own address, which it then reaches through
 * the relay's routing, its MAC (the relay's RFC 6939 option) naming its row; the binding survives a
 * restart. A client on a link with no {@code [[ipv6.relay]]} (2001:db8:99::/64, relayed
 * by the same dnsmasq) gets nothing, and the server's log says why. Namespaces {@code r6-*}: server,
 * relay (IPv6 forwarding on), two clients.
 */
class Dhcp6RelayIT {
    static final String SERVER6 = "2001:db8:23::1";
    @TempDir
    Path dir;

    @Test
    void dhclientBehindDnsmasqRelayGetsAnAddressOfItsLinkAndTheBootUrl() throws Exception {
        String sfx = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
        String sif = "r6s" + sfx;
        String rif = "r6r" + sfx;
        String qif = "r6q" + sfx;
        String uif = "r6u" + sfx;
        String cif = "r6c" + sfx;
        String dif = "r6d" + sfx;
        try (Netns srv = Netns.create("r6"); Netns rly = Netns.create("r6"); Netns cli = Netns.create("r6");
                Netns lost = Netns.create("r6")) {
            // IPv4 only because the config's interface needs an address; nothing is served over it.
            Netns.veth(srv, sif, "198.18.23.1/24", rly, rif, null);
            Netns.veth(rly, qif, null, cli, cif, null);
            Netns.veth(rly, uif, null, lost, dif, null);
            ip6(srv, "addr", "add", SERVER6 + "/64", "dev", sif, "nodad");
            ip6(rly, "addr", "add", "2001:db8:23::2/64", "dev", rif, "nodad");
            ip6(rly, "addr", "add", "2001:db8:31::1/64", "dev", qif, "nodad");
            ip6(rly, "addr", "add", "2001:db8:99::1/64", "dev", uif, "nodad");
            ip6(srv, "route", "add", "2001:db8:31::/64", "via", "2001:db8:23::2");
            ip6(srv, "route", "add", "2001:db8:99::/64", "via", "2001:db8:23::2");
            rly.run(Duration.ofSeconds(10), "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").check();
            cli.run(Duration.ofSeconds(10), "ip", "link", "set", cif, "address", "52:54:00:31:00:01").check();
            lost.run(Duration.ofSeconds(10), "ip", "link", "set", dif, "address", "52:54:00:99:00:01").check();
            for (Object[] ni : new Object[][] {{cli, cif}, {lost, dif}, {rly, qif}, {rly, uif}, {rly, rif}}) {
                awaitLinkLocal((Netns) ni[0], (String) ni[1]);
            }

            Files.createDirectories(dir.resolve("data/tftp"));
            Files.writeString(dir.resolve("config.toml"), """
                    interface = "%s"
                    data = "./data"
                    database = "./astralboot.db"
                    ipfs = false
                    [http]
                    port = 8080
                    [dhcp]
                    mode = "off"
                    [admin]
                    listen = "127.0.0.1:9080"
                    [ipv6]
                    dhcp = "full"
                    range_start = "2001:db8:23::100"
                    range_end = "2001:db8:23::1ff"
                    [[ipv6.relay]]
                    link = "2001:db8:31::/64"
                    range_start = "2001:db8:31::100"
                    range_end = "2001:db8:31::1ff"
                    """.formatted(sif));
            Path log = dir.resolve("server.log");
            Process server = start(srv, log);
            assertTrue(Files.readString(log).contains("dhcp6 pool 2001:db8:31::100 - 2001:db8:31::1ff for relayed link"
                    + " 2001:db8:31::/64"), Files.readString(log));
            rly.start(dir.resolve("dnsmasq.log"), "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                    "--log-dhcp", "--log-facility=-", "--user=root",
                    "--dhcp-relay=2001:db8:31::1," + SERVER6, "--dhcp-relay=2001:db8:99::1," + SERVER6,
                    "--dhcp-leasefile=" + dir.resolve("dnsmasq.leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"));
            Thread.sleep(1000); // dnsmasq joins ff02::1:2 on its interfaces

            Path events = dir.resolve("events");
            Netns.Result r = dhclient(cli, cif, "c", events, 30);
            String ev = Files.exists(events) ? Files.readString(events) : "";
            String bound = ev.lines().filter(l -> l.startsWith("BOUND6")).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no lease: " + r.out() + "\n" + ev + "\nserver:\n"
                            + read(log) + "\ndnsmasq:\n" + read(dir.resolve("dnsmasq.log"))));
            String addr = bound.substring("BOUND6 ip6=".length(), bound.indexOf('/'));
            BigInteger a = new BigInteger(1, InetAddress.getByName(addr).getAddress());
            assertTrue(addr.startsWith("2001:db8:31::")
                    && a.compareTo(new BigInteger(1, InetAddress.getByName("2001:db8:31::100").getAddress())) >= 0
                    && a.compareTo(new BigInteger(1, InetAddress.getByName("2001:db8:31::1ff").getAddress())) <= 0,
                    bound);
            // The boot URL names the server's own address, not the relay's or the client's link.
            assertTrue(bound.endsWith("url=http://[" + SERVER6 + "]:8080/boot.ipxe"), bound);
            String s = read(log);
            assertTrue(s.contains("dhcp6 Advertise " + addr + " to 00:03:00:01:52:54:00:31:00:01"), s);
            assertTrue(s.contains("dhcp6 Reply " + addr + " to 00:03:00:01:52:54:00:31:00:01"), s);
            // It went through the relay: dnsmasq logs each message it relays.
            assertTrue(read(dir.resolve("dnsmasq.log")).contains("DHCP relay at 2001:db8:31::1 -> " + SERVER6),
                    read(dir.resolve("dnsmasq.log")));

            // From its bound address, through the relay's routing, the client reaches the boot script.
            ip6(cli, "route", "add", "2001:db8:31::/64", "dev", cif);
            ip6(cli, "route", "add", "2001:db8:23::/64", "via", "2001:db8:31::1");
            String script = cli.run(Duration.ofSeconds(20), "curl", "-sS", "-g", "--interface", addr,
                    "http://[" + SERVER6 + "]:8080/boot.ipxe").check().out();
            assertTrue(script.startsWith("#!ipxe"), script);
            // The machine's row, keyed by its MAC (the relay's option 79): its DHCPv6 steps and, since its
            // binding names it to HTTP, the boot script it fetched from the relayed address.
            String mine = srv.run(Duration.ofSeconds(20), "curl", "-sS", "-f",
                    "http://127.0.0.1:9080/api/v1/machines/52:54:00:31:00:01/events").check().out();
            assertTrue(mine.contains("\"dhcp6_solicit\"") && mine.contains("\"dhcp6_reply\"")
                    && mine.contains("\"http_entry\""), mine);

            // The binding is durable: after a restart the client, which forgot its lease, gets it back.
            for (String p : List.of(dir.resolve("dhclient6-c.pid").toString())) {
                cli.run(Duration.ofSeconds(10), "sh", "-c", "[ -f " + p + " ] && kill $(cat " + p + ") 2>/dev/null; true");
            }
            server.destroy();
            assertTrue(server.waitFor(15, java.util.concurrent.TimeUnit.SECONDS));
            Files.delete(dir.resolve("dhclient6-c.leases"));
            Files.delete(events);
            long from = Files.size(log);
            server = start(srv, log);
            assertTrue(read(log).substring((int) from).contains("1 bindings stored"), read(log));
            dhclient(cli, cif, "c", events, 30);
            assertTrue(Files.readString(events).lines().anyMatch(l -> l.startsWith("BOUND6 ip6=" + addr + "/")),
                    Files.readString(events) + "\n" + read(log));

            // A link with no [[ipv6.relay]]: no answer, and the log says which link.
            Path lostEvents = dir.resolve("lost-events");
            dhclient(lost, dif, "d", lostEvents, 12);
            String lostEv = Files.exists(lostEvents) ? Files.readString(lostEvents) : "";
            assertTrue(lostEv.lines().noneMatch(l -> l.startsWith("BOUND6")), lostEv);
            String after = read(log);
            assertTrue(after.contains("relay link-address 2001:db8:99::1 is on no link this server serves"), after);
            assertTrue(after.lines().noneMatch(l -> l.contains("52:54:00:99:00:01") && l.contains("dhcp6 Advertise")),
                    after);
            assertTrue(read(dir.resolve("dnsmasq.log")).contains("DHCP relay at 2001:db8:99::1 -> " + SERVER6),
                    "the relay did forward it: " + read(dir.resolve("dnsmasq.log")));
            for (Netns ns : List.of(cli, lost)) {
                String p = dir.resolve("dhclient6-" + (ns == cli ? "c" : "d") + ".pid").toString();
                ns.run(Duration.ofSeconds(10), "sh", "-c", "[ -f " + p + " ] && kill $(cat " + p + ") 2>/dev/null; true");
            }
        }
    }

    private Process start(Netns srv, Path log) throws Exception {
        long from = Files.exists(log) ? Files.size(log) : 0;
        Process server = srv.startAstralboot(dir, log, "serve", "-l", "-c", dir.resolve("config.toml").toString(), "-v");
        long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!read(log).substring((int) from).contains("Astralboot ready")) {
            assertTrue(server.isAlive() && System.nanoTime() < end, "server did not start:\n" + read(log));
            Thread.sleep(50);
        }
        return server;
    }

    private static void ip6(Netns ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-6"));
        cmd.addAll(List.of(args));
        ns.run(Duration.ofSeconds(10), cmd.toArray(String[]::new)).check();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void awaitLinkLocal(Netns ns, String iface) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            String out = ns.run(Duration.ofSeconds(5), "ip", "-6", "addr", "show", "dev", iface).out();
            if (out.contains("fe80::") && !out.contains("tentative")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException(iface + " has no usable link-local address");
    }

    /** dhclient -6 (DUID-LL, user class iPXE, asking for the boot file URL), its script logging every event. */
    private Netns.Result dhclient(Netns ns, String iface, String tag, Path events, int seconds) throws IOException {
        Path conf = dir.resolve("dhclient6-" + tag + ".conf");
        Files.writeString(conf, """
                option dhcp6.bootfile-url code 59 = string;
                option dhcp6.user-class code 15 = string;
                also request dhcp6.bootfile-url;
                send dhcp6.user-class 00:04:69:50:58:45;
                """);
        Path script = dir.resolve("dhclient6-" + tag + "-script");
        Files.writeString(script, """
                #!/bin/sh
                echo "$reason ip6=$new_ip6_address/$new_ip6_prefixlen url=$new_dhcp6_bootfile_url" >> %s
                case "$reason" in
                  BOUND6|RENEW6|REBIND6|REBOOT6) ip -6 addr add "$new_ip6_address/128" dev "$interface" nodad 2>/dev/null ;;
                esac
                exit 0
                """.formatted(events));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return ns.run(Duration.ofSeconds(seconds + 10), "timeout", String.valueOf(seconds), "dhclient", "-6", "-1",
                "-v", "-D", "LL", "-cf", conf.toString(), "-sf", script.toString(),
                "-lf", dir.resolve("dhclient6-" + tag + ".leases").toString(),
                "-pf", dir.resolve("dhclient6-" + tag + ".pid").toString(), iface);
    }
}

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real DHCPv6 client (isc-dhcp-client, {@code dhclient -6}) against the server with {@code [dhcp]
 * mode = "off"}: full mode gives an address from the [ipv6] pool, durable across a restart, and the
 * iPXE boot URL to a client with user class iPXE; stateless mode answers its Information-request
 * with the boot URL; TFTP and HTTP answer on the server's IPv6 address. The admin listener (in the
 * server's namespace) shows the exchanges: {@code /metrics} counts every DHCPv6 message, the event
 * stream and the machine's row show an iPXE client's steps, keyed by its DUID-LL's MAC. Namespaces
 * {@code v6d-*} on a veth pair, 2001:db8:17::/64 (and 198.18.17.0/24, which the config still needs).
 */
class Dhcp6ClientsIT {
    static final String SERVER6 = "2001:db8:17::1";
    @TempDir
    Path dir;
    Netns srv;
    Netns cli;
    String sif;
    String cif;
    Path log;
    Process server;

    @BeforeEach
    void namespaces() throws Exception {
        srv = Netns.create("v6d");
        cli = Netns.create("v6d");
        String sfx = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
        sif = "v6ds" + sfx;
        cif = "v6dc" + sfx;
        Netns.veth(srv, sif, "198.18.17.1/24", cli, cif, null);
        srv.run(Duration.ofSeconds(10), "ip", "-6", "addr", "add", SERVER6 + "/64", "dev", sif, "nodad").check();
        cli.run(Duration.ofSeconds(10), "ip", "link", "set", cif, "address", "52:54:00:17:00:01").check();
        Files.createDirectories(dir.resolve("data/tftp"));
        Files.writeString(dir.resolve("data/tftp/ipxe.efi"), "not really iPXE, but served over IPv6\n");
        log = dir.resolve("server.log");
        // The client's link-local address must have finished DAD before dhclient can bind it.
        awaitLinkLocal(cli, cif);
    }

    @AfterEach
    void stop() throws Exception {
        if (cli != null) {
            // dhclient stays in the background after its lease: stop it before its namespace goes.
            cli.run(Duration.ofSeconds(10), "sh", "-c", "[ -f " + dir.resolve("dhclient6.pid") + " ] && kill $(cat "
                    + dir.resolve("dhclient6.pid") + ") 2>/dev/null; true");
            cli.close();
        }
        if (srv != null) {
            srv.close();
        }
    }

    private void startServer(String mode, String... extra) throws Exception {
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
                dhcp = "%s"
                range_start = "2001:db8:17::100"
                range_end = "2001:db8:17::1ff"
                """.formatted(sif, mode));
        long from = Files.exists(log) ? Files.size(log) : 0;
        List<String> args = new ArrayList<>(List.of("serve", "-l", "-c", dir.resolve("config.toml").toString(), "-v"));
        args.addAll(List.of(extra));
        server = srv.startAstralboot(dir, log, args.toArray(String[]::new));
        long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!tail(from).contains("Astralboot ready")) {
            assertTrue(server.isAlive() && System.nanoTime() < end, "server did not start:\n" + Files.readString(log));
            Thread.sleep(50);
        }
        assertTrue(tail(from).contains("dhcp6 listening on [::]:547"), tail(from));
    }

    private void stopServer() throws InterruptedException {
        server.destroy();
        server.waitFor(15, java.util.concurrent.TimeUnit.SECONDS);
    }

    private String tail(long from) throws IOException {
        byte[] b = Files.readAllBytes(log);
        return new String(b, (int) Math.min(from, b.length), b.length - (int) Math.min(from, b.length));
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

    /** dhclient's config: DUID-LL, and with {@code ipxe} the user class and ORO of an iPXE client. */
    private Path dhclientConf(boolean ipxe) throws IOException {
        Path c = dir.resolve("dhclient6.conf");
        Files.writeString(c, """
                option dhcp6.bootfile-url code 59 = string;
                option dhcp6.user-class code 15 = string;
                also request dhcp6.bootfile-url;
                """ + (ipxe ? "send dhcp6.user-class 00:04:69:50:58:45;\n" : ""));
        return c;
    }

    /** A script that logs reason and every new_ variable, configuring nothing but the address. */
    private Path script(Path events) throws IOException {
        Path s = dir.resolve("dhclient6-script");
        Files.writeString(s, """
                #!/bin/sh
                echo "$reason ip6=$new_ip6_address/$new_ip6_prefixlen url=$new_dhcp6_bootfile_url" >> %s
                case "$reason" in
                  BOUND6|RENEW6|REBIND6|REBOOT6) ip -6 addr add "$new_ip6_address/128" dev "$interface" nodad 2>/dev/null ;;
                  RELEASE6|EXPIRE6|STOP6) [ -n "$old_ip6_address" ] && ip -6 addr del "$old_ip6_address/128" dev "$interface" 2>/dev/null ;;
                esac
                exit 0
                """.formatted(events));
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }

    private Netns.Result dhclient(Path events, boolean ipxe, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("timeout", "30", "dhclient", "-6", "-1", "-v", "-D", "LL",
                "-cf", dhclientConf(ipxe).toString(), "-sf", script(events).toString(),
                "-lf", dir.resolve("dhclient6.leases").toString(), "-pf", dir.resolve("dhclient6.pid").toString()));
        cmd.addAll(List.of(extra));
        cmd.add(cif);
        return cli.run(Duration.ofSeconds(40), cmd.toArray(String[]::new));
    }

    /** A GET of the admin listener from inside the server's namespace. */
    private String admin(String path) throws IOException {
        return srv.run(Duration.ofSeconds(20), "curl", "-sS", "-f", "http://127.0.0.1:9080" + path).check().out();
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    }

    /** The kinds of a JSON list of events, in order. */
    private static List<String> kinds(String events) throws IOException {
        List<String> k = new ArrayList<>();
        json(events).forEach(e -> k.add(e.path("kind").asText()));
        return k;
    }

    /** The value of the sample {@code series} in a Prometheus text scrape; 0 when absent. */
    private static double sample(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1).trim().split(" ")[0])).findFirst().orElse(0);
    }

    private static String bound(String events) {
        return events.lines().filter(l -> l.startsWith("BOUND6")).reduce((a, b) -> b).orElse("");
    }

    @Test
    void fullModeLeasesAnAddressDurablyAndReleasesIt() throws Exception {
        startServer("full");
        Path events = dir.resolve("events");
        Netns.Result r = dhclient(events, false);
        assertEquals(0, r.code(), r.out());
        String b = bound(Files.readString(events));
        assertTrue(b.startsWith("BOUND6 ip6=2001:db8:17::"), Files.readString(events));
        String addr = b.substring("BOUND6 ip6=".length(), b.indexOf('/'));
        BigInteger a = new BigInteger(1, InetAddress.getByName(addr).getAddress());
        assertTrue(a.compareTo(new BigInteger(1, InetAddress.getByName("2001:db8:17::100").getAddress())) >= 0
                && a.compareTo(new BigInteger(1, InetAddress.getByName("2001:db8:17::1ff").getAddress())) <= 0, b);
        assertTrue(b.endsWith("url="), "dhclient is no network-boot client: no boot file URL: " + b);
        String s = Files.readString(log);
        assertTrue(s.contains("dhcp6 Advertise " + addr) && s.contains("dhcp6 Reply " + addr), s);
        // dhclient is no boot firmware: its messages are counted, but make no boot events.
        String metrics = admin("/metrics");
        assertTrue(sample(metrics, "astralboot_dhcp6_packets_total{outcome=\"received\",type=\"solicit\"}") >= 1, metrics);
        assertTrue(sample(metrics, "astralboot_dhcp6_packets_total{outcome=\"sent\",type=\"reply\"}") >= 1, metrics);
        assertTrue(sample(metrics, "astralboot_dhcp6_commit_seconds_count") >= 1, "the binding's commit: " + metrics);
        assertTrue(!admin("/api/v1/events").contains("dhcp6_"), admin("/api/v1/events"));

        // The binding is on disk: after a restart of the server, the same client (same DUID-LL), which
        // forgot its lease and so solicits anew, gets the same address back.
        assertEquals(0, dhclient(events, false, "-x").code(), "dhclient stops without releasing");
        stopServer();
        Files.delete(dir.resolve("dhclient6.leases"));
        Files.delete(events);
        long from = Files.size(log);
        startServer("full");
        assertTrue(tail(from).contains("1 bindings stored"), tail(from));
        assertEquals(0, dhclient(events, false).code());
        assertTrue(bound(Files.readString(events)).startsWith("BOUND6 ip6=" + addr + "/"), Files.readString(events));
        assertTrue(tail(from).contains("dhcp6 Reply " + addr), tail(from));

        // While the server runs, astralboot leases asks it (GET /leases): the binding is there, bound.
        Path running = dir.resolve("leases-running.out");
        Process q = srv.startAstralboot(dir, running, "leases", "-c", dir.resolve("config.toml").toString());
        assertTrue(q.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        String live = Files.readString(running);
        assertTrue(live.lines().anyMatch(l -> l.startsWith(addr + " ") && l.contains("bound")), live);

        Netns.Result rel = dhclient(events, false, "-r");
        assertEquals(0, rel.code(), rel.out());
        // dhclient -r returns once its Release is sent; the server's log line may follow it.
        for (long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                !tail(from).contains("dhcp6 Release " + addr) && System.nanoTime() < end; ) {
            Thread.sleep(50);
        }
        assertTrue(tail(from).contains("dhcp6 Release " + addr), tail(from));

        // astralboot leases lists the binding from the database.
        stopServer();
        Path out = dir.resolve("leases.out");
        Process p = srv.startAstralboot(dir, out, "leases", "-c", dir.resolve("config.toml").toString());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        String table = Files.readString(out);
        assertTrue(table.lines().anyMatch(l -> l.startsWith(addr + " ") && l.contains("released")), table);
    }

    @Test
    void fullModeGivesIpxeItsBootUrlAndTftpAndHttpAnswerOverIpv6() throws Exception {
        startServer("full");
        Path events = dir.resolve("events");
        assertEquals(0, dhclient(events, true).code());
        String b = bound(Files.readString(events));
        assertTrue(b.endsWith("url=http://[2001:db8:17::1]:8080/boot.ipxe"), Files.readString(events));
        String addr = b.substring("BOUND6 ip6=".length(), b.indexOf('/'));

        // The admin listener shows the exchange: counters, events of the MAC of its DUID-LL, its row.
        String metrics = admin("/metrics");
        for (String series : List.of("outcome=\"received\",type=\"solicit\"", "outcome=\"sent\",type=\"advertise\"",
                "outcome=\"received\",type=\"request\"", "outcome=\"sent\",type=\"reply\"")) {
            assertTrue(sample(metrics, "astralboot_dhcp6_packets_total{" + series + "}") >= 1, series + "\n" + metrics);
        }
        assertTrue(sample(metrics, "astralboot_dhcp6_commit_seconds_count") >= 1, metrics);
        assertEquals(1, sample(metrics, "astralboot_dhcp6_bindings{state=\"bound\"}"), metrics);
        assertEquals(256, sample(metrics, "astralboot_dhcp6_bindings{state=\"pool\"}"), metrics);
        assertEquals("full", json(admin("/api/v1/status")).path("dhcp6_mode").asText(), admin("/api/v1/status"));
        assertTrue(sample(metrics, "astralboot_boots_started_total{firmware=\"ipxe\",source=\"menu\"}") >= 1, metrics);
        com.fasterxml.jackson.databind.JsonNode evs = json(admin("/api/v1/machines/52:54:00:17:00:01/events"));
        List<String> kinds = kinds(evs.toString());
        int solicit = kinds.indexOf("dhcp6_solicit");
        assertTrue(solicit >= 0 && kinds.indexOf("dhcp6_advertise") > solicit
                && kinds.indexOf("dhcp6_request") > kinds.indexOf("dhcp6_advertise")
                && kinds.lastIndexOf("dhcp6_reply") > kinds.indexOf("dhcp6_request"), evs.toString());
        com.fasterxml.jackson.databind.JsonNode reply = evs.get(kinds.lastIndexOf("dhcp6_reply"));
        assertEquals(addr, reply.path("ip").asText(), reply.toString());
        assertEquals("ipxe", reply.path("firmware").asText(), reply.toString());
        assertTrue(reply.path("detail").asText().contains("boot http://[2001:db8:17::1]:8080/boot.ipxe"), reply.toString());
        assertTrue(reply.path("detail").asText().contains("binding committed in"), reply.toString());
        com.fasterxml.jackson.databind.JsonNode row = json(admin("/api/v1/machines/52:54:00:17:00:01"));
        assertEquals("dhcp", row.path("step").asText(), row.toString());
        assertEquals(addr, row.path("ip").asText(), row.toString());

        cli.run(Duration.ofSeconds(10), "ip", "-6", "route", "add", "2001:db8:17::/64", "dev", cif).check();
        String script = cli.run(Duration.ofSeconds(20), "curl", "-sS", "-g", "http://[" + SERVER6 + "]:8080/boot.ipxe")
                .check().out();
        assertTrue(script.startsWith("#!ipxe"), script);
        assertTrue(script.contains("http://[2001:db8:17::1]:8080/"), "URLs name the IPv6 address: " + script);
        assertTrue(!script.contains("198.18.17.1"), "no IPv4 URL for a machine on IPv6: " + script);
        String file = cli.run(Duration.ofSeconds(20), "curl", "-sS", "-g", "tftp://[" + SERVER6 + "]/ipxe.efi")
                .check().out();
        assertEquals("not really iPXE, but served over IPv6\n", file);
        // HTTP and TFTP know only the address: the DHCPv6 binding names the machine, whose row moves on.
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String mine = admin("/api/v1/machines/52:54:00:17:00:01/events");
        while (!kinds(mine).contains("tftp_end") && System.nanoTime() < end) {
            Thread.sleep(100);
            mine = admin("/api/v1/machines/52:54:00:17:00:01/events");
        }
        assertTrue(kinds(mine).containsAll(List.of("http_entry", "tftp_start", "tftp_end")),
                mine + "\n" + admin("/api/v1/events"));
        String after = admin("/api/v1/machines/52:54:00:17:00:01");
        assertEquals("first_stage", json(after).path("step").asText(), after + "\n" + admin("/api/v1/events"));
    }

    /**
     * API mode: the signed file URLs of the API's answer (kernel, initrd, a command-line file) name
     * the server's IPv6 address for a machine that asks over IPv6, and serve the files there.
     */
    @Test
    void apiModeHandsAMachineOnIpv6ItsFileUrlsOnIpv6() throws Exception {
        Path api = dir.resolve("api");
        Files.createDirectories(api.resolve("answers"));
        Files.createDirectories(api.resolve("files"));
        Files.writeString(api.resolve("files/vmlinuz"), "a kernel fetched over IPv6\n");
        Files.writeString(api.resolve("files/initrd.gz"), "an initrd\n");
        Files.writeString(api.resolve("answers/52-54-00-17-00-01.json"), """
                {"kernel": "/files/vmlinuz", "initrd": ["/files/initrd.gz"], "cmdline": "ks={{ URL \\"/files/initrd.gz\\" }}"}
                """);
        srv.start(dir.resolve("api.log"), Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                org.astralboot.testing.TestApiServer.class.getName(), "9000", api.toString());
        Netns.awaitLog(dir.resolve("api.log"), "api server ready", Duration.ofSeconds(20));
        startServer("full", "--api", "http://127.0.0.1:9000");
        Path events = dir.resolve("events");
        assertEquals(0, dhclient(events, true).code());
        cli.run(Duration.ofSeconds(10), "ip", "-6", "route", "add", "2001:db8:17::/64", "dev", cif).check();
        // From its bound address, so its DHCPv6 binding proves its MAC.
        String script = cli.run(Duration.ofSeconds(20), "curl", "-sS", "-f", "-g",
                "http://[" + SERVER6 + "]:8080/ipxe/52-54-00-17-00-01").check().out();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "http://\\[2001:db8:17::1\\]:8080/file/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+/[A-Za-z0-9._-]+").matcher(script);
        List<String> urls = new ArrayList<>();
        while (m.find()) {
            urls.add(m.group());
        }
        assertEquals(3, urls.size(), "kernel, the command line's file and the initrd on IPv6: " + script);
        assertTrue(!script.contains("198.18.17.1") && !script.contains("127.0.0.1"), script);
        assertEquals("a kernel fetched over IPv6\n", cli.run(Duration.ofSeconds(20), "curl", "-sS", "-f", "-g",
                urls.get(0)).check().out());
        assertEquals("an initrd\n", cli.run(Duration.ofSeconds(20), "curl", "-sS", "-f", "-g", urls.get(2)).check().out());
    }

    @Test
    void statelessModeAnswersInformationRequestWithTheBootUrl() throws Exception {
        startServer("stateless");
        Path events = dir.resolve("events");
        Netns.Result r = dhclient(events, true, "-S");
        assertEquals(0, r.code(), r.out());
        String ev = Files.readString(events);
        String line = ev.lines().filter(l -> l.contains("url=")).filter(l -> !l.startsWith("PREINIT6")).reduce((x, y) -> y)
                .orElse("");
        assertTrue(line.endsWith("url=http://[2001:db8:17::1]:8080/boot.ipxe"), ev);
        assertTrue(line.contains("ip6=/"), "no address in stateless mode: " + ev);
        assertTrue(Files.readString(log).contains("dhcp6 Reply (Information-request)"), Files.readString(log));
    }
}

package org.astralboot.ndp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router-advertisement answer with real peers on one Ethernet segment (a bridge in the
 * server's namespace, a veth to each host; 198.18.50.0/24 and link-local IPv6 only): a host that
 * made a PXE DHCP request (busybox udhcpc with vendor class PXEClient) solicits with {@code rdisc6}
 * and gets Astralboot's advertisement (lifetime 0, no prefix, unicast, hop limit 255); a host
 * that made no PXE request gets none; once radvd advertises on the segment, Astralboot stands down
 * and the booting host hears only radvd. In proxy mode (dnsmasq handing out the addresses) the
 * booting host is answered too. Without CAP_NET_RAW the server says so and serves on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterAnswerIT {
    static final String PXE_VENDOR_CLASS = "PXEClient:Arch:00000:UNDI:002001";

    @TempDir
    static Path dir;
    static Netns srv;
    static Netns boot;
    static Netns other;
    static Netns rtr;
    static String bridge;
    static String bootIf;
    static String otherIf;
    static String rtrIf;
    static Path log;
    static String serverLinkLocal;

    @BeforeAll
    static void start() throws Exception {
        srv = Netns.create("ra");
        boot = Netns.create("ra");
        other = Netns.create("ra");
        rtr = Netns.create("ra");
        String sfx = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
        bridge = "rabr" + sfx;
        bootIf = "rab" + sfx;
        otherIf = "rao" + sfx;
        rtrIf = "rar" + sfx;
        Duration t = Duration.ofSeconds(10);
        srv.run(t, "ip", "link", "add", bridge, "type", "bridge", "forward_delay", "0", "stp_state", "0").check();
        srv.run(t, "ip", "addr", "add", "198.18.50.1/24", "dev", bridge).check();
        srv.run(t, "ip", "link", "set", bridge, "up").check();
        for (Object[] h : new Object[][] {{boot, bootIf, "rasb" + sfx}, {other, otherIf, "raso" + sfx},
                {rtr, rtrIf, "rasr" + sfx}}) {
            String port = (String) h[2];
            Netns.veth(srv, port, null, (Netns) h[0], (String) h[1], null);
            srv.run(t, "ip", "link", "set", port, "master", bridge).check();
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
                range_start = "198.18.50.10"
                range_end = "198.18.50.60"
                [admin]
                listen = ""
                """.formatted(bridge));
        log = dir.resolve("server.log");
        srv.startAstralboot(dir, log, "serve", "-l", "-c", dir.resolve("config.toml").toString(), "-vv");
        Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(60));
        assertTrue(Files.readString(log).contains("ndp: answering router solicitations"), Files.readString(log));
        serverLinkLocal = linkLocal(srv, bridge, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        for (Netns n : new Netns[] {boot, other, rtr, srv}) {
            if (n != null) {
                n.close();
            }
        }
    }

    /** The usable (not tentative) link-local address of {@code iface}, waiting for duplicate address detection. */
    static String linkLocal(Netns ns, String iface, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            String out = ns.run(Duration.ofSeconds(5), "ip", "-6", "addr", "show", "dev", iface, "scope", "link").out();
            Matcher m = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64 scope link\\s*\\n").matcher(out);
            if (m.find() && !out.contains("tentative")) {
                return m.group(1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError(iface + " has no usable link-local address after " + limit);
    }

    static String mac(Netns ns, String iface) throws Exception {
        String out = ns.run(Duration.ofSeconds(5), "cat", "/sys/class/net/" + iface + "/address").check().out();
        return out.strip();
    }

    /** A PXE DHCP exchange from {@code ns} (vendor class PXEClient, as PXE firmware sends), or a plain one. */
    static void dhcp(Netns ns, String iface, boolean pxe) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("busybox", "udhcpc", "-q", "-n", "-i", iface, "-s",
                "/bin/true", "-t", "5", "-T", "2"));
        if (pxe) {
            cmd.addAll(List.of("-V", PXE_VENDOR_CLASS));
        }
        ns.run(Duration.ofSeconds(30), cmd.toArray(String[]::new)).check();
    }

    /** Starts tcpdump in {@code ns} writing router advertisements received on {@code iface} to {@code out}. */
    static void captureAdvertisements(Netns ns, String iface, Path out) throws Exception {
        ns.start(out, "tcpdump", "-i", iface, "-n", "-l", "-v", "icmp6 and ip6[40] == 134");
        Thread.sleep(1500); // tcpdump needs a moment before it sees packets
    }

    @Test
    @Order(1)
    void aBootingHostGetsAnAdvertisementThatConfiguresNothing() throws Exception {
        dhcp(boot, bootIf, true);
        Path cap = dir.resolve("boot-ra-1.txt");
        captureAdvertisements(boot, bootIf, cap);
        String hostLinkLocal = linkLocal(boot, bootIf, Duration.ofSeconds(10));
        Netns.Result r = boot.run(Duration.ofSeconds(20), "rdisc6", "-n", "-1", "-r", "5", bootIf);
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("from " + serverLinkLocal), r.out());
        assertTrue(r.out().matches("(?s).*Router lifetime\\s*:\\s*0 .*"), r.out());
        assertTrue(r.out().matches("(?s).*Stateful address conf\\.\\s*:\\s*No.*"), r.out());
        assertTrue(r.out().matches("(?s).*Stateful other conf\\.\\s*:\\s*No.*"), r.out());
        assertFalse(r.out().contains("Prefix"), r.out());
        Netns.awaitLog(cap, serverLinkLocal + " > ", Duration.ofSeconds(5));
        String seen = Files.readString(cap);
        // Unicast to the soliciting link-local address with hop limit 255 (RFC 4861 §6.2.6, §6.1.2).
        assertTrue(seen.contains("hlim 255") && seen.contains(serverLinkLocal + " > " + hostLinkLocal + ":"), seen);
        assertFalse(seen.contains(serverLinkLocal + " > ff02::1"), seen);
        Netns.awaitLog(log, "ndp: router advertisement (lifetime 0, no prefix) to " + mac(boot, bootIf),
                Duration.ofSeconds(5));
    }

    @Test
    @Order(2)
    void aHostThatIsNotNetworkBootingGetsNone() throws Exception {
        dhcp(other, otherIf, false); // a lease, but no PXE or iPXE request
        Netns.Result r = other.run(Duration.ofSeconds(20), "rdisc6", "-n", "-r", "3", otherIf);
        assertEquals(2, r.code(), "rdisc6 hears no router: " + r.out());
        assertTrue(r.out().contains("No response"), r.out());
        String text = Files.readString(log);
        assertTrue(text.contains("(" + mac(other, otherIf) + ") not answered: NOT_BOOTING"), text);
        assertFalse(text.contains("router advertisement (lifetime 0, no prefix) to " + mac(other, otherIf)), text);
    }

    /**
     * A machine's first solicitation leaves together with its first PXE request and may be handled
     * first: it is looked at again and answered once the request has made the machine "booting".
     */
    @Test
    @Order(3)
    void aSolicitationJustBeforeTheFirstPxeRequestIsAnsweredOnASecondLook() throws Exception {
        String otherMac = mac(other, otherIf);
        Path out = dir.resolve("rdisc6-early.txt");
        Process rd = other.start(out, "rdisc6", "-n", "-1", "-r", "1", "-w", "4000", otherIf);
        // The server has seen the solicitation and found the machine not booting (yet).
        Netns.awaitLog(log, "(" + otherMac + "), not booting yet: looking again", Duration.ofSeconds(3));
        dhcp(other, otherIf, true); // its PXE DISCOVER, within the second look's second
        assertTrue(rd.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "rdisc6 ended");
        String heard = Files.readString(out);
        assertEquals(0, rd.exitValue(), heard);
        assertTrue(heard.contains("from " + serverLinkLocal), "the one solicitation was answered: " + heard);
        Netns.awaitLog(log, "ndp: router advertisement (lifetime 0, no prefix) to " + otherMac, Duration.ofSeconds(2));
        String text = Files.readString(log);
        assertTrue(text.matches("(?s).*router advertisement \\(lifetime 0, no prefix\\) to " + otherMac
                + " \\([^)]*\\): its IPv6 configuration is done \\(second look\\).*"), text);
    }

    @Test
    @Order(4)
    void anotherRouterOnTheSegmentSilencesAstralboot() throws Exception {
        Path conf = dir.resolve("radvd.conf");
        Files.writeString(conf, "interface " + rtrIf + " { AdvSendAdvert on; MinRtrAdvInterval 3; MaxRtrAdvInterval 4;"
                + " AdvDefaultLifetime 30; prefix 2001:db8:51::/64 { }; };\n");
        rtr.run(Duration.ofSeconds(5), "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1").check();
        String rtrLinkLocal = linkLocal(rtr, rtrIf, Duration.ofSeconds(10));
        rtr.start(dir.resolve("radvd.log"), "radvd", "-n", "-C", conf.toString(), "-p", dir.resolve("radvd.pid").toString(),
                "-m", "stderr", "-d", "1");
        Netns.awaitLog(log, "ndp: another IPv6 router advertises on " + bridge + " (" + rtrLinkLocal, Duration.ofSeconds(15));
        dhcp(boot, bootIf, true); // booting now, and answered more than a second ago
        Path cap = dir.resolve("boot-ra-2.txt");
        captureAdvertisements(boot, bootIf, cap);
        long before = Files.readString(log).split("router advertisement \\(lifetime 0").length;
        Netns.Result r = boot.run(Duration.ofSeconds(20), "rdisc6", "-n", "-m", "-r", "2", "-w", "2000", bootIf);
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("from " + rtrLinkLocal), "radvd answers: " + r.out());
        assertFalse(r.out().contains("from " + serverLinkLocal), "Astralboot does not: " + r.out());
        Thread.sleep(1000); // an answer would have left within MAX_RA_DELAY_TIME
        String seen = Files.readString(cap);
        assertTrue(seen.contains(rtrLinkLocal + " > "), seen);
        assertFalse(seen.contains(serverLinkLocal + " > "), seen);
        String text = Files.readString(log);
        assertEquals(before, text.split("router advertisement \\(lifetime 0").length, text);
        assertTrue(text.contains("(" + mac(boot, bootIf) + ") not answered: FOREIGN_ROUTER"), text);
    }

    @Test
    @Order(5)
    void withoutCapNetRawTheServerSaysWhyAndServesOn() throws Exception {
        try (Netns n = Netns.create("ra")) {
            Duration t = Duration.ofSeconds(10);
            n.run(t, "ip", "link", "add", "rabr", "type", "bridge").check();
            n.run(t, "ip", "addr", "add", "198.18.50.1/24", "dev", "rabr").check();
            n.run(t, "ip", "link", "set", "rabr", "up").check();
            Path work = dir.resolve("noraw");
            Files.createDirectories(work.resolve("data/tftp"));
            Files.writeString(work.resolve("config.toml"), Files.readString(dir.resolve("config.toml"))
                    .replace("interface = \"" + bridge + "\"", "interface = \"rabr\""));
            Path noraw = work.resolve("server.log");
            String java = String.join(" ", Netns.javaBinary(), "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "org.astralboot.cli.Main", "serve", "-l", "-c",
                    work.resolve("config.toml").toString());
            Process p = n.start(noraw, "sh", "-c", "cd " + work + " && exec capsh --drop=cap_net_raw -- -c '" + java + "'");
            Netns.awaitLog(noraw, "Astralboot ready", Duration.ofSeconds(60));
            String text = Files.readString(noraw);
            assertTrue(text.contains("ndp: cannot answer IPv6 router solicitations on rabr: socket(AF_INET6, SOCK_RAW,"
                    + " IPPROTO_ICMPV6) failed: EPERM"), text);
            assertTrue(p.isAlive(), "the server runs on");
            assertTrue(text.matches("(?s).*services \\[dhcp, dns, tftp, http\\].*"), "ndp is not listed as running: " + text);
            // DHCP still answers.
            n.run(t, "ip", "link", "add", "raq0", "type", "veth", "peer", "name", "raq1").check();
            n.run(t, "ip", "link", "set", "raq0", "master", "rabr").check();
            n.run(t, "ip", "link", "set", "raq0", "up").check();
            n.run(t, "ip", "link", "set", "raq1", "up").check();
            dhcp(n, "raq1", true);
        }
    }

    @Test
    @Order(6)
    void proxyModeAnswersTheBootingHostToo() throws Exception {
        String sfx = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
        String br = "rapb" + sfx;
        try (Netns s = Netns.create("ra"); Netns site = Netns.create("ra"); Netns host = Netns.create("ra")) {
            Duration t = Duration.ofSeconds(10);
            s.run(t, "ip", "link", "add", br, "type", "bridge", "forward_delay", "0", "stp_state", "0").check();
            s.run(t, "ip", "addr", "add", "198.18.52.1/24", "dev", br).check();
            s.run(t, "ip", "link", "set", br, "up").check();
            Netns.veth(s, "raps" + sfx, null, site, "rapd" + sfx, "198.18.52.2/24");
            Netns.veth(s, "rapv" + sfx, null, host, "raph" + sfx, null);
            s.run(t, "ip", "link", "set", "raps" + sfx, "master", br).check();
            s.run(t, "ip", "link", "set", "rapv" + sfx, "master", br).check();
            Path work = dir.resolve("proxy");
            Files.createDirectories(work.resolve("data/tftp"));
            site.start(work.resolve("dnsmasq.log"), "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                    "--no-ping", "--log-dhcp", "--interface=rapd" + sfx, "--bind-interfaces",
                    "--dhcp-range=198.18.52.100,198.18.52.150,1h", "--dhcp-leasefile=" + work.resolve("dnsmasq.leases"),
                    "--pid-file=" + work.resolve("dnsmasq.pid"));
            Netns.awaitLog(work.resolve("dnsmasq.log"), "DHCP, IP range", Duration.ofSeconds(10));
            Files.writeString(work.resolve("config.toml"), """
                    interface = "%s"
                    data = "./data"
                    database = "./astralboot.db"
                    ipfs = false
                    [http]
                    port = 8080
                    [dhcp]
                    mode = "proxy"
                    [admin]
                    listen = ""
                    """.formatted(br));
            Path plog = work.resolve("server.log");
            s.startAstralboot(work, plog, "serve", "-l", "-c", work.resolve("config.toml").toString(), "-vv");
            Netns.awaitLog(plog, "Astralboot ready", Duration.ofSeconds(60));
            String serverLl = linkLocal(s, br, Duration.ofSeconds(10));
            // The PXE DISCOVER is what counts; which offer udhcpc then takes does not matter here.
            host.run(Duration.ofSeconds(30), "busybox", "udhcpc", "-q", "-n", "-i", "raph" + sfx, "-s", "/bin/true",
                    "-t", "2", "-T", "2", "-V", PXE_VENDOR_CLASS);
            Netns.Result r = host.run(Duration.ofSeconds(20), "rdisc6", "-n", "-1", "-r", "5", "raph" + sfx);
            assertEquals(0, r.code(), r.out() + "\n" + Files.readString(plog));
            assertTrue(r.out().contains("from " + serverLl), r.out());
            assertTrue(r.out().matches("(?s).*Router lifetime\\s*:\\s*0 .*"), r.out());
        }
    }
}

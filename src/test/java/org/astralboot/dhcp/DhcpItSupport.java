package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.astralboot.testing.Netns;

/**
 * Shared set-up for the DHCP ITs: a server namespace and a client namespace joined by a veth pair,
 * addresses from 198.18.16.0/20 only, the server started as a subprocess. Client scripts never run
 * the distribution's dhclient-script/udhcpc script (those rewrite the host's /etc/resolv.conf, which
 * network namespaces share with the host): they only log the variables and set the address inside
 * the namespace.
 */
final class DhcpItSupport {
    private DhcpItSupport() {
    }

    /** HTTP port of the servers these ITs start. */
    static final int HTTP_PORT = 8080;

    static String suffix() {
        return Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
    }

    /** Writes a config for interface {@code iface} with the given [dhcp] body. */
    static Path config(Path dir, String iface, String dhcpBody) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Path c = dir.resolve("config.toml");
        Files.writeString(c, """
                interface = "%s"
                data = "./data"
                database = "./astralboot.db"
                ipfs = false
                [http]
                port = %d
                [dhcp]
                %s
                """.formatted(iface, HTTP_PORT, dhcpBody));
        return c;
    }

    static Process startServer(Netns ns, Path dir, Path log) throws IOException, InterruptedException {
        Process p = ns.startAstralboot(dir, log, "serve", "-l", "-c", dir.resolve("config.toml").toString(), "-v");
        Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(30));
        return p;
    }

    /**
     * Runs {@link DhcpProbe} in {@code ns}; returns its distinct output lines (a broadcast reply is
     * received once per interface of the client namespace on the link).
     */
    static List<String> probe(Netns ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                DhcpProbe.class.getName()));
        cmd.addAll(List.of(args));
        Netns.Result r = ns.run(Duration.ofSeconds(30), cmd.toArray(String[]::new)).check();
        List<String> lines = new ArrayList<>();
        for (String l : r.out().split("\n")) {
            if ((l.startsWith("REPLY") || l.equals("NONE")) && !lines.contains(l)) {
                lines.add(l);
            }
        }
        return lines;
    }

    /** A client script that appends its variables to {@code events} and configures the address in the namespace. */
    static Path dhclientScript(Path dir, Path events) throws IOException {
        Path s = dir.resolve("dhclient-script");
        Files.writeString(s, """
                #!/bin/sh
                echo "$reason ip=$new_ip_address mask=$new_subnet_mask routers=$new_routers dns=$new_domain_name_servers host=$new_host_name domain=$new_domain_name lease=$new_dhcp_lease_time" >> %s
                case "$reason" in
                  BOUND|RENEW|REBIND|REBOOT) ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface" 2>/dev/null ;;
                  RELEASE|EXPIRE|STOP) [ -n "$old_ip_address" ] && ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null ;;
                esac
                exit 0
                """.formatted(events));
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }

    static Path udhcpcScript(Path dir, Path events) throws IOException {
        Path s = dir.resolve("udhcpc-script");
        Files.writeString(s, """
                #!/bin/sh
                echo "$1 ip=$ip mask=$subnet router=$router dns=$dns host=$hostname domain=$domain lease=$lease" >> %s
                case "$1" in
                  bound|renew) ip addr add "$ip/$subnet" dev "$interface" 2>/dev/null ;;
                  deconfig) ip addr flush dev "$interface" 2>/dev/null ;;
                esac
                exit 0
                """.formatted(events));
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }

    static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /** Waits until {@code file} contains {@code text} {@code times} times. */
    static void awaitCount(Path file, String text, int times, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (count(read(file), text) >= times) {
                return;
            }
            Thread.sleep(50);
        }
        assertTrue(false, "'" + text + "' x" + times + " not in " + file + " within " + timeout + ":\n" + read(file));
    }

    static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }
}

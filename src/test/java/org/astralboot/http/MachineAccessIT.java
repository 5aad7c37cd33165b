package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, "A machine's boot state belongs to that machine": the real server ({@code astralboot
 * serve}, full DHCP on a bridge) with two hosts on its link, each in its own namespace. The victim
 * gets its address from the server (busybox udhcpc) and chooses an OS; the second host, with a
 * static address, then tries every route that changes or reveals the victim's record. Each is
 * refused with 403 and a log line, and the victim's record is unchanged. The second host still
 * uses its own MAC's routes (the neighbour table proves it), the victim its own (its lease), and
 * the victim's key, which only its own scripts carry, works from an address that proves nothing.
 */
class MachineAccessIT {
    static final String VICTIM = "52:54:00:a1:00:01";
    static final String V = "52-54-00-a1-00-01";
    static final String OTHER = "52:54:00:a1:00:02";
    static final String O = "52-54-00-a1-00-02";
    static final String BASE = "http://192.0.2.1";
    static final Pattern KEY = Pattern.compile("\\?key=([0-9a-f]{32})");

    record Reply(int status, String body) {
    }

    @Test
    void onlyTheMachineItselfChangesOrReadsItsRecord(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("tftp"));
        for (String os : List.of("probe", "flat")) {
            Path images = Files.createDirectories(data.resolve("boot/" + os + "/images"));
            Files.write(images.resolve("linux"), new byte[4096]);
            Files.write(images.resolve("initrd.gz"), new byte[4096]);
        }
        Files.writeString(data.resolve("boot/probe/os.toml"), """
                kernel = "linux"
                initrd = ["initrd.gz"]
                cmdline = "preseed={{templates.preseed}} hook={{installed_url}}"
                """);
        Files.writeString(data.resolve("boot/flat/os.toml"), """
                kernel = "linux"
                initrd = ["initrd.gz"]
                cmdline = "cc={{templates.cloud-config}}"
                classes = ["control", "worker"]
                """);
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                interface = "br0"
                address = "192.0.2.1"
                data = "./data"
                database = "./astralboot.db"
                ipfs = false
                [http]
                port = 80
                [dhcp]
                mode = "full"
                range_start = "192.0.2.10"
                range_end = "192.0.2.60"
                [menu]
                default = ""
                """);
        Path events = dir.resolve("udhcpc.events");
        Path script = dir.resolve("udhcpc-script");
        Files.writeString(script, """
                #!/bin/sh
                echo "$1 ip=$ip" >> %s
                case "$1" in
                  bound|renew) ip addr add "$ip/24" dev "$interface" ;;
                esac
                exit 0
                """.formatted(events));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = dir.resolve("astralboot.log");

        Duration t = Duration.ofSeconds(10);
        try (Netns srv = Netns.create("machines-s"); Netns victim = Netns.create("machines-v");
                Netns other = Netns.create("machines-o")) {
            srv.run(t, "ip", "link", "add", "br0", "type", "bridge", "forward_delay", "0", "stp_state", "0").check();
            srv.run(t, "ip", "addr", "add", "192.0.2.1/24", "dev", "br0").check();
            srv.run(t, "ip", "link", "set", "br0", "up").check();
            String sfx = Integer.toHexString((int) (ProcessHandle.current().pid() & 0xFFFF));
            join(srv, "mav" + sfx, victim, VICTIM, null);
            join(srv, "mao" + sfx, other, OTHER, "192.0.2.200/24");

            srv.startAstralboot(dir, log, "serve", "-l", "-c", config.toString(), "-v");
            Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(60));
            victim.run(Duration.ofSeconds(40), "busybox", "udhcpc", "-q", "-n", "-i", "eth0", "-s", script.toString(),
                    "-t", "5", "-T", "2").check();
            String bound = Files.readString(events).lines().filter(l -> l.startsWith("bound")).findFirst().orElseThrow();
            String victimIp = bound.substring(bound.indexOf("ip=") + 3).trim();

            // The victim, known by its lease, gets its key in its own menu and chooses.
            Reply menu = curl(victim, "GET", BASE + "/ipxe/" + V);
            assertEquals(200, menu.status(), menu.body());
            Matcher k = KEY.matcher(menu.body());
            assertTrue(k.find(), "the machine's own menu carries its key: " + menu.body());
            String key = k.group(1);
            assertEquals(200, curl(victim, "GET", BASE + "/ipxe/" + V + "/choose/probe").status());
            Reply before = curl(other, "GET", BASE + "/machine/" + V);
            assertTrue(before.body().contains("\"state\":\"chosen\"") && before.body().contains("\"ip\":\"" + victimIp + "\""),
                    before.body());

            // The other host: every route that changes the victim's record or reads its templates.
            List<String[]> refused = List.of(
                    new String[] {"GET", "/ipxe/" + V + "/choose/probe"},
                    new String[] {"GET", "/ipxe/" + V + "/choose/flat/worker"},
                    new String[] {"HEAD", "/ipxe/" + V + "/choose/flat/control"},
                    new String[] {"GET", "/ipxe/" + V + "/choose/probe?key=00000000000000000000000000000000"},
                    new String[] {"GET", "/ipxe/" + V + "/choose/probe?key=" + key.substring(0, 31) + (key.endsWith("0") ? "1" : "0")},
                    new String[] {"GET", "/machine/" + V + "/installed"},
                    new String[] {"POST", "/machine/" + V + "/installed"},
                    new String[] {"PUT", "/machine/" + V + "/installed"},
                    new String[] {"GET", "/machine/" + V + "/template/preseed"},
                    new String[] {"GET", "/machine/" + V + "/template/cloud-config"},
                    new String[] {"GET", "/machine/" + VICTIM + "/template/preseed"});
            List<String> wrong = new ArrayList<>();
            for (String[] r : refused) {
                Reply reply = curl(other, r[0], BASE + r[1]);
                if (reply.status() != 403 || reply.body().contains("d-i ") || reply.body().contains("kernel ")) {
                    wrong.add(r[0] + " " + r[1] + " -> " + reply.status() + " " + reply.body());
                }
            }
            assertEquals(List.of(), wrong, "routes of another machine answered the second host");
            // Scripts it may fetch for the victim's MAC carry no key, and do not move its address.
            for (String p : List.of("/ipxe/" + V, "/ipxe/" + V + "/menu", "/ipxe/" + V + "/boot",
                    "/ipxe/" + V + "/classes/flat")) {
                Reply r = curl(other, "GET", BASE + p);
                assertFalse(KEY.matcher(r.body()).find(), p + " handed the victim's key to another host: " + r.body());
            }
            assertEquals(before, curl(other, "GET", BASE + "/machine/" + V), "the victim's record changed");
            String serverLog = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(serverLog.contains("refused: 192.0.2.200 may not choose its OS for " + VICTIM), serverLog);
            assertTrue(serverLog.contains("403 GET /machine/" + V + "/template/preseed from 192.0.2.200"), serverLog);

            // The second host is a machine too: its own MAC's routes work (neighbour table).
            assertEquals(200, curl(other, "GET", BASE + "/ipxe/" + O + "/choose/flat/worker").status());
            assertEquals(200, curl(other, "GET", BASE + "/machine/" + O + "/template/cloud-config").status());
            // The victim's key works from an address that proves nothing (the server's own) ...
            assertEquals(403, curl(srv, "GET", BASE + "/machine/" + V + "/template/preseed").status());
            Reply withKey = curl(srv, "GET", BASE + "/machine/" + V + "/template/preseed?key=" + key);
            assertEquals(200, withKey.status(), withKey.body());
            assertTrue(withKey.body().contains("/machine/" + V + "/installed?key=" + key), withKey.body());
            // ... and the victim itself reports its install by its lease.
            assertEquals(200, curl(victim, "GET", BASE + "/machine/" + V + "/installed").status());
            assertTrue(curl(other, "GET", BASE + "/machine/" + V).body().contains("\"state\":\"installed\""));

            // Unknown MACs from one address: a burst, then 429 with Retry-After (no record, no commit).
            int created = 0;
            String limited = null;
            for (int i = 0; i < org.astralboot.boot.NewMachineLimit.BURST + 4; i++) {
                Reply r = curl(other, "GET", BASE + "/ipxe/" + String.format("02-00-00-00-00-%02x", i), "-i");
                if (r.status() == 200) {
                    created++;
                } else if (r.status() == 429) {
                    limited = r.body();
                }
            }
            assertTrue(limited != null && limited.toLowerCase(java.util.Locale.ROOT).contains("\nretry-after: "),
                    "429 with Retry-After: " + limited);
            assertTrue(created <= org.astralboot.boot.NewMachineLimit.BURST + 1, created + " new machines from one address");
        } catch (AssertionError | Exception e) {
            if (Files.exists(log)) {
                System.err.println(Files.readString(log, StandardCharsets.UTF_8));
            }
            throw e;
        }
    }

    /** A veth from the server's bridge to {@code host}'s eth0 with {@code mac}, address {@code cidr} or none. */
    private static void join(Netns srv, String ifSrv, Netns host, String mac, String cidr) throws Exception {
        Duration t = Duration.ofSeconds(10);
        Netns.veth(srv, ifSrv, null, host, "eth0", cidr);
        srv.run(t, "ip", "link", "set", ifSrv, "master", "br0").check();
        host.run(t, "ip", "link", "set", "eth0", "down").check();
        host.run(t, "ip", "link", "set", "eth0", "address", mac).check();
        host.run(t, "ip", "link", "set", "eth0", "up").check();
    }


    /** curl in {@code ns}: status and body ({@code extra} curl options before the URL). */
    private static Reply curl(Netns ns, String method, String url, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(extra));
        cmd.addAll(method.equals("HEAD") ? List.of("-I") : List.of("-X", method));
        cmd.add(url);
        String out = ns.run(Duration.ofSeconds(15), cmd.toArray(String[]::new)).check().out();
        int nl = out.lastIndexOf('\n');
        return new Reply(Integer.parseInt(out.substring(nl + 1).trim()), out.substring(0, nl));
    }
}

package org.astralboot.boot.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.astralboot.testing.Netns;
import org.astralboot.testing.TestApiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API mode end to end without VMs: {@code astralboot serve --api} in proxy DHCP mode, a boot API
 * ({@link TestApiServer}, README.api.md) on the server's loopback, and a client namespace that
 * plays the machines' DHCP and HTTP steps (DhcpProbe, curl). One MAC gets kernel+initrd, one an
 * {@code ipxe-script}, one a 404, one a malformed body and one an answer later than {@code timeout}, and
 * these three no PXE answer; the API is asked once per MAC for the whole
 * boot (every DHCP packet and the script); the machine only ever sees Astralboot's signed URLs,
 * whose content is the API's files, fetched once; an altered or unsigned file URL gets 403.
 */
class ApiModeIT {
    static final String KERNEL_MAC = "52:54:00:22:00:01";
    static final String SCRIPT_MAC = "52:54:00:22:00:02";
    static final String NO_MAC = "52:54:00:22:00:03";
    static final String MALFORMED_MAC = "52:54:00:22:00:04";
    static final String LATE_MAC = "52:54:00:22:00:05";
    static final String BASE = "http://198.18.22.1:8080";
    static final String BIOS = "PXEClient:Arch:00000:UNDI:002001";
    static final Pattern SIGNED = Pattern.compile(Pattern.quote(BASE) + "/file/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)/([A-Za-z0-9._-]+)");

    @TempDir
    Path dir;

    record Reply(int status, String body) {
    }

    @Test
    void apiModeBootsWhatTheApiSaysOncePerBoot() throws Exception {
        Path api = Files.createDirectories(dir.resolve("api"));
        Files.createDirectories(api.resolve("answers"));
        Path files = Files.createDirectories(api.resolve("files"));
        byte[] kernel = new byte[300_000];
        byte[] initrd = new byte[70_000];
        new java.util.Random(1).nextBytes(kernel);
        new java.util.Random(2).nextBytes(initrd);
        Files.write(files.resolve("vmlinuz"), kernel);
        Files.write(files.resolve("initrd.gz"), initrd);
        Files.writeString(files.resolve("cc.yml"), "#cloud-config\nhostname: api-test\n");
        Files.writeString(api.resolve("answers/52-54-00-22-00-01.json"), """
                {"kernel": "/files/vmlinuz", "initrd": ["files/initrd.gz"],
                 "cmdline": "console=ttyS0 cc={{ URL \\"/files/cc.yml\\" }}", "message": "Booting from the API"}""");
        Files.writeString(api.resolve("answers/52-54-00-22-00-02.json"),
                "{\"ipxe-script\": \"#!ipxe\\necho api script for 02\\nshell\\n\"}");
        Files.writeString(api.resolve("answers/52-54-00-22-00-04.json"), "{\"kernel\": [\"not\", \"a string\"]}");
        Files.writeString(api.resolve("answers/52-54-00-22-00-05.json"), "{\"kernel\": \"/files/vmlinuz\"}");
        Files.writeString(api.resolve("answers/52-54-00-22-00-05.delay"), "2500");
        Files.createDirectories(dir.resolve("data/tftp"));
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                data = "./data"
                database = "./astralboot.db"
                cache = "./cache"
                ipfs = false
                [http]
                port = 8080
                [dhcp]
                mode = "proxy"
                [api]
                timeout = "1500ms"
                """);

        String sfx = Integer.toHexString((int) (ProcessHandle.current().pid() & 0xFFFF));
        String sif = "apis" + sfx;
        String cif = "apic" + sfx;
        Path log = dir.resolve("server.log");
        try (Netns srv = Netns.create("api-s"); Netns cli = Netns.create("api-c")) {
            Netns.veth(srv, sif, "198.18.22.1/24", cli, cif, "198.18.22.250/24");
            cli.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", cif).check();
            Files.writeString(config, "interface = \"" + sif + "\"\n" + Files.readString(config));
            srv.start(dir.resolve("api.log"), Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                    TestApiServer.class.getName(), "9000", api.toString());
            Netns.awaitLog(dir.resolve("api.log"), "api server ready", Duration.ofSeconds(20));
            srv.startAstralboot(dir, log, "serve", "-l", "-c", config.toString(), "-v", "--api", "http://127.0.0.1:9000");
            Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(60));

            // The machine the API boots: PXE firmware's DHCP (retransmitted while the API is asked), iPXE's DHCP, the script.
            assertTrue(pxe(cli, KERNEL_MAC, BIOS, null).contains(" file=undionly.kpxe "));
            assertTrue(pxe(cli, KERNEL_MAC, BIOS, "iPXE").contains(" file=" + BASE + "/boot.ipxe "));
            Reply script = curl(cli, BASE + "/ipxe/" + KERNEL_MAC.replace(':', '-'));
            assertEquals(200, script.status(), script.body());
            assertTrue(script.body().contains("echo Booting from the API"), script.body());
            assertTrue(!script.body().contains("127.0.0.1"), "the machine never sees the API's URLs: " + script.body());
            List<String> urls = new ArrayList<>();
            Matcher m = SIGNED.matcher(script.body());
            while (m.find()) {
                urls.add(m.group());
            }
            assertEquals(3, urls.size(), "kernel, initrd and the cmdline's file: " + script.body());
            assertTrue(script.body().contains("kernel " + urls.get(0) + " initrd=initrd0 console=ttyS0 cc=" + urls.get(1)),
                    script.body());
            assertTrue(script.body().contains("initrd --name initrd0 " + urls.get(2)), script.body());
            assertArrayEquals(kernel, fetch(cli, dir.resolve("k1"), urls.get(0)));
            assertArrayEquals(kernel, fetch(cli, dir.resolve("k2"), urls.get(0)));
            assertArrayEquals(initrd, fetch(cli, dir.resolve("i1"), urls.get(2)));
            assertEquals("#cloud-config\nhostname: api-test\n", curl(cli, urls.get(1)).body());

            // The ipxe-script, verbatim.
            assertTrue(pxe(cli, SCRIPT_MAC, BIOS, null).contains(" file=undionly.kpxe "));
            Reply verbatim = curl(cli, BASE + "/ipxe/" + SCRIPT_MAC);
            assertEquals(new Reply(200, "#!ipxe\necho api script for 02\nshell\n"), verbatim);

            // The 404: no PXE answer at all (several tries, as firmware retransmits), no script.
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of("NONE"), probe(cli, NO_MAC, BIOS, null));
            }
            Reply refused = curl(cli, BASE + "/ipxe/" + NO_MAC);
            assertEquals(404, refused.status(), refused.body());
            // A malformed body, and an answer later than the timeout: not booted either.
            for (String notBooted : List.of(MALFORMED_MAC, LATE_MAC)) {
                for (int i = 0; i < 2; i++) {
                    assertEquals(List.of("NONE"), probe(cli, notBooted, BIOS, null), notBooted);
                }
                assertEquals(404, curl(cli, BASE + "/ipxe/" + notBooted).status(), notBooted);
            }

            // Once per boot: one call per MAC for all of the above, with the firmware's architecture.
            List<String> calls = Files.readAllLines(api.resolve("calls.log"));
            assertEquals(List.of(KERNEL_MAC + " arch=bios", SCRIPT_MAC + " arch=bios", NO_MAC + " arch=bios",
                    MALFORMED_MAC + " arch=bios", LATE_MAC + " arch=bios"), calls.stream().sorted().toList(), "API calls");
            // Each file fetched once by Astralboot, however often the machine asks.
            List<String> fetched = Files.readAllLines(api.resolve("files.log"));
            assertEquals(List.of("/files/cc.yml", "/files/initrd.gz", "/files/vmlinuz"), fetched.stream().sorted().toList());

            // Signed URLs only: altered or made-up tokens are refused before anything is fetched.
            Matcher k = SIGNED.matcher(urls.get(0));
            assertTrue(k.matches());
            String token = k.group(1);
            int dot = token.indexOf('.');
            String flippedSource = token.substring(0, 2) + (token.charAt(2) == 'A' ? 'B' : 'A') + token.substring(3);
            String flippedMac = token.substring(0, dot + 2) + (token.charAt(dot + 2) == 'A' ? 'B' : 'A') + token.substring(dot + 3);
            String madeUp = java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("http://127.0.0.1:9000/files/cc.yml".getBytes(StandardCharsets.UTF_8)) + "."
                    + token.substring(dot + 1);
            for (String t : List.of(flippedSource, flippedMac, madeUp, token.substring(0, dot), "x")) {
                Reply r = curl(cli, BASE + "/file/" + t + "/vmlinuz");
                assertEquals(403, r.status(), t + ": " + r.body());
            }
            assertEquals(3, Files.readAllLines(api.resolve("files.log")).size(), "nothing fetched for a refused URL");
            String serverLog = Files.readString(log);
            assertTrue(serverLog.contains("api: " + NO_MAC + ": http://127.0.0.1:9000/v1/boot/" + NO_MAC
                    + "?arch=bios answered HTTP 404: not booted"), serverLog);
            assertTrue(serverLog.contains("api: " + MALFORMED_MAC + ": malformed answer from"), serverLog);
            assertTrue(serverLog.contains("api: " + LATE_MAC + ": no answer from http://127.0.0.1:9000/v1/boot/" + LATE_MAC
                    + "?arch=bios within 1.5 s: not booted"), serverLog);
        }
    }

    /**
     * {@code [api] fallback = "menu"} with the API down (nothing listens at its URL): the machine
     * still gets a PXE answer and the boot tree's menu, and the log says why.
     */
    @Test
    void apiDownWithFallbackServesTheMenu() throws Exception {
        Path images = Files.createDirectories(dir.resolve("data/boot/probe/images"));
        Files.write(images.resolve("linux"), new byte[4096]);
        Files.writeString(dir.resolve("data/boot/probe/os.toml"), "kernel = \"linux\"\ncmdline = \"quiet\"\n");
        Files.createDirectories(dir.resolve("data/tftp"));
        String sfx = Integer.toHexString((int) (ProcessHandle.current().pid() & 0xFFFF));
        String sif = "apfs" + sfx;
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                interface = "%s"
                data = "./data"
                database = "./astralboot.db"
                cache = "./cache"
                ipfs = false
                [http]
                port = 8080
                [dhcp]
                mode = "proxy"
                [api]
                url = "http://127.0.0.1:9/"
                timeout = "1s"
                fallback = "menu"
                """.formatted(sif));
        Path log = dir.resolve("server.log");
        try (Netns srv = Netns.create("api-fs"); Netns cli = Netns.create("api-fc")) {
            Netns.veth(srv, sif, "198.18.22.1/24", cli, "apfc" + sfx, "198.18.22.250/24");
            cli.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", "apfc" + sfx).check();
            srv.startAstralboot(dir, log, "serve", "-l", "-c", config.toString(), "-v");
            Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(60));
            assertTrue(Files.readString(log).contains("API mode: http://127.0.0.1:9/v1/boot/<mac> (timeout 1.0 s, answers"
                    + " kept 60 s, fallback menu)"), Files.readString(log));

            assertTrue(pxe(cli, KERNEL_MAC, BIOS, null).contains(" file=undionly.kpxe "));
            Reply menu = curl(cli, BASE + "/ipxe/" + KERNEL_MAC);
            assertEquals(200, menu.status(), menu.body());
            assertTrue(menu.body().startsWith("#!ipxe") && menu.body().contains("probe")
                    && menu.body().contains("/ipxe/" + KERNEL_MAC.replace(':', '-') + "/choose/probe"), menu.body());
            assertTrue(Files.readString(log).contains("api: " + KERNEL_MAC + ": "), Files.readString(log));
            assertTrue(Files.readString(log).contains("serving the boot tree's menu (fallback = \"menu\")"),
                    Files.readString(log));
        }
    }

    /**
     * The DHCP thread never waits for the API: the API takes 2 s to answer for one MAC, and a
     * second MAC's DISCOVER, sent while that call is under way, is answered at once (measured
     * from its send); the slow MAC's one DISCOVER is answered when the API's answer arrives, with
     * no retransmission needed.
     */
    @Test
    void aSlowApiDelaysNoOtherMachine() throws Exception {
        String slow = "52:54:00:22:00:11";
        String fast = "52:54:00:22:00:12";
        Path api = Files.createDirectories(dir.resolve("api"));
        Files.createDirectories(api.resolve("answers"));
        for (String m : List.of(slow, fast)) {
            Files.writeString(api.resolve("answers/" + m.replace(':', '-') + ".json"), "{\"kernel\": \"/files/vmlinuz\"}");
        }
        Files.writeString(api.resolve("answers/" + slow.replace(':', '-') + ".delay"), "2000");
        Files.createDirectories(dir.resolve("data/tftp"));
        String sfx = Integer.toHexString((int) (ProcessHandle.current().pid() & 0xFFFF));
        String sif = "apls" + sfx;
        String cif = "aplc" + sfx;
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                interface = "%s"
                data = "./data"
                database = "./astralboot.db"
                cache = "./cache"
                ipfs = false
                [http]
                port = 8080
                [dhcp]
                mode = "proxy"
                """.formatted(sif));
        Path log = dir.resolve("server.log");
        try (Netns srv = Netns.create("api-ls"); Netns cli = Netns.create("api-lc")) {
            Netns.veth(srv, sif, "198.18.22.1/24", cli, cif, "198.18.22.250/24");
            cli.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", cif).check();
            srv.start(dir.resolve("api.log"), Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                    TestApiServer.class.getName(), "9000", api.toString());
            Netns.awaitLog(dir.resolve("api.log"), "api server ready", Duration.ofSeconds(20));
            srv.startAstralboot(dir, log, "serve", "-l", "-c", config.toString(), "-v", "--api", "http://127.0.0.1:9000");
            Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(60));

            Path slowOut = dir.resolve("slow.out");
            Process slowProbe = cli.start(slowOut, Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                    "org.astralboot.dhcp.DhcpProbe", "mac=" + slow, "arch=0", "vendor=" + BIOS, "wait=3500", "timed=1");
            // The slow MAC's DISCOVER has reached the server once the API is being asked about it.
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.exists(api.resolve("calls.log")) || !Files.readString(api.resolve("calls.log")).contains(slow)) {
                assertTrue(System.nanoTime() < deadline, "the API was never asked about " + slow);
                Thread.sleep(20);
            }
            List<String> fastReply = cli.run(Duration.ofSeconds(30), Netns.javaBinary(), "-cp",
                    System.getProperty("java.class.path"), "org.astralboot.dhcp.DhcpProbe", "mac=" + fast, "arch=0",
                    "vendor=" + BIOS, "wait=1500", "timed=1").check().out().lines().filter(l -> l.startsWith("REPLY")).toList();
            assertTrue(slowProbe.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the slow MAC's probe ended");
            List<String> slowReply = Files.readAllLines(slowOut).stream().filter(l -> l.startsWith("REPLY")).toList();
            assertEquals(1, fastReply.size(), fastReply.toString());
            assertEquals(1, slowReply.size(), "one DISCOVER, one answer, no retransmission: " + Files.readString(slowOut));
            assertTrue(fastReply.get(0).contains(" file=undionly.kpxe ") && slowReply.get(0).contains(" file=undionly.kpxe "),
                    fastReply + " " + slowReply);
            long fastMs = field(fastReply.get(0), "ms");
            long slowMs = field(slowReply.get(0), "ms");
            long fastAt = field(fastReply.get(0), "at");
            long slowAt = field(slowReply.get(0), "at");
            System.out.printf("ApiModeIT slow API: fast MAC answered in %d ms, slow MAC in %d ms (API delay 2000 ms)%n",
                    fastMs, slowMs);
            assertTrue(fastAt < slowAt && fastAt > slowAt - slowMs,
                    "the fast MAC was answered while the slow MAC's API call was under way: " + fastReply + " " + slowReply);
            assertTrue(fastMs < 1000, "the fast MAC waited for the slow MAC's API call: " + fastMs + " ms");
            assertTrue(slowMs >= 1900 && slowMs < 3500, "answered when the API answered: " + slowMs + " ms");
            assertEquals(List.of(slow + " arch=bios", fast + " arch=bios"),
                    Files.readAllLines(api.resolve("calls.log")).stream().sorted().toList());
        }
    }

    /**
     * Full DHCP mode: the API takes a second for a MAC; that MAC's one DISCOVER gets an OFFER with an
     * address and the boot file once the API has answered (the lease committed before it leaves),
     * and a MAC the API refuses gets a plain lease without a boot file.
     */
    @Test
    void fullModeOffersWhenTheApiAnswers() throws Exception {
        String slow = "52:54:00:22:00:31";
        String refused = "52:54:00:22:00:32";
        Path api = Files.createDirectories(dir.resolve("api"));
        Files.createDirectories(api.resolve("answers"));
        Files.writeString(api.resolve("answers/" + slow.replace(':', '-') + ".json"), "{\"kernel\": \"/files/vmlinuz\"}");
        Files.writeString(api.resolve("answers/" + slow.replace(':', '-') + ".delay"), "1000");
        Files.createDirectories(dir.resolve("data/tftp"));
        String sfx = Integer.toHexString((int) (ProcessHandle.current().pid() & 0xFFFF));
        String sif = "apus" + sfx;
        String cif = "apuc" + sfx;
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                interface = "%s"
                data = "./data"
                database = "./astralboot.db"
                cache = "./cache"
                ipfs = false
                [http]
                port = 8080
                [dhcp]
                mode = "full"
                range_start = "198.18.22.100"
                range_end = "198.18.22.110"
                [dns]
                enabled = false
                """.formatted(sif));
        Path log = dir.resolve("server.log");
        try (Netns srv = Netns.create("api-us"); Netns cli = Netns.create("api-uc")) {
            Netns.veth(srv, sif, "198.18.22.1/24", cli, cif, "198.18.22.250/24");
            cli.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", cif).check();
            srv.start(dir.resolve("api.log"), Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                    TestApiServer.class.getName(), "9000", api.toString());
            Netns.awaitLog(dir.resolve("api.log"), "api server ready", Duration.ofSeconds(20));
            srv.startAstralboot(dir, log, "serve", "-l", "-c", config.toString(), "-v", "--api", "http://127.0.0.1:9000");
            Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(60));

            List<String> offer = cli.run(Duration.ofSeconds(30), Netns.javaBinary(), "-cp",
                    System.getProperty("java.class.path"), "org.astralboot.dhcp.DhcpProbe", "mac=" + slow, "arch=0",
                    "vendor=" + BIOS, "wait=3000", "timed=1").check().out().lines().filter(l -> l.startsWith("REPLY")).toList();
            assertEquals(1, offer.size(), "one DISCOVER, one OFFER: " + offer);
            assertTrue(offer.get(0).startsWith("REPLY OFFER ") && offer.get(0).contains(" yiaddr=198.18.22.1")
                    && offer.get(0).contains(" file=undionly.kpxe "), offer.get(0));
            long ms = field(offer.get(0), "ms");
            System.out.printf("ApiModeIT full mode: OFFER %d ms after the DISCOVER (API delay 1000 ms)%n", ms);
            assertTrue(ms >= 950 && ms < 3000, ms + " ms");

            List<String> plain = probe(cli, refused, BIOS, null);
            assertEquals(1, plain.size(), plain.toString());
            assertTrue(plain.get(0).startsWith("REPLY OFFER ") && plain.get(0).contains(" yiaddr=198.18.22.1")
                    && plain.get(0).contains(" file= "), "a plain lease: " + plain.get(0));
            assertTrue(Files.readString(log).contains("dhcp: plain lease for " + refused), Files.readString(log));
        }
    }

    static long field(String line, String name) {
        Matcher m = Pattern.compile(" " + name + "=(\\d+)").matcher(line);
        assertTrue(m.find(), name + " in " + line);
        return Long.parseLong(m.group(1));
    }

    /**
     * Pixiecore's own example API server ({@code pixiecore/api-example} of go.universe.tf/netboot,
     * built by {@code scripts/go-tools install pixiecore-api-example}) as the boot API, unchanged:
     * it answers every MAC with a fixed tinycorelinux.net kernel and two initrds (Go's JSON, no
     * cmdline). The machine gets a PXE answer and a script with Astralboot's signed URLs of exactly
     * those three files; as this network reaches no Internet host, fetching one gets a 5xx from
     * Astralboot, not the machine talking to tinycorelinux.net.
     */
    @Test
    void pixiecoresOwnExampleApiServerWorksUnchanged() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("scripts/go-tools"))) {
            root = root.getParent();
        }
        String goTools = root.resolve("scripts/go-tools").toString();
        Netns.sh(Duration.ofMinutes(10), goTools, "install", "pixiecore-api-example").check();
        String example = Netns.sh(Duration.ofSeconds(10), goTools, "path", "pixiecore-api-example").check().out().trim();
        String mac = "52:54:00:22:00:21";
        Files.createDirectories(dir.resolve("data/tftp"));
        String sfx = Integer.toHexString((int) (ProcessHandle.current().pid() & 0xFFFF));
        String sif = "apxs" + sfx;
        String cif = "apxc" + sfx;
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                interface = "%s"
                data = "./data"
                database = "./astralboot.db"
                cache = "./cache"
                ipfs = false
                [http]
                port = 8080
                [dhcp]
                mode = "proxy"
                """.formatted(sif));
        Path log = dir.resolve("server.log");
        Path exampleLog = dir.resolve("api-example.log");
        try (Netns srv = Netns.create("api-xs"); Netns cli = Netns.create("api-xc")) {
            Netns.veth(srv, sif, "198.18.22.1/24", cli, cif, "198.18.22.250/24");
            cli.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", cif).check();
            srv.start(exampleLog, example, "-port", "4242");
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (curl(srv, "http://127.0.0.1:4242/v1/boot/00:00:00:00:00:00").status() != 200) {
                assertTrue(System.nanoTime() < deadline, "the example API server never answered");
                Thread.sleep(100);
            }
            srv.startAstralboot(dir, log, "serve", "-l", "-c", config.toString(), "-v", "--api", "http://127.0.0.1:4242");
            Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(60));

            assertTrue(pxe(cli, mac, BIOS, null).contains(" file=undionly.kpxe "));
            Reply script = curl(cli, BASE + "/ipxe/" + mac.replace(':', '-'));
            assertEquals(200, script.status(), script.body());
            List<String> urls = new ArrayList<>();
            List<String> sources = new ArrayList<>();
            Matcher m = SIGNED.matcher(script.body());
            while (m.find()) {
                urls.add(m.group());
                String token = m.group(1);
                sources.add(new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
                        StandardCharsets.UTF_8));
            }
            String tc = "http://tinycorelinux.net/7.x/x86/release/distribution_files/";
            assertEquals(List.of(tc + "vmlinuz64", tc + "rootfs.gz", tc + "modules64.gz"), sources, script.body());
            assertTrue(script.body().contains("kernel " + urls.get(0) + " initrd=initrd0 initrd=initrd1"), script.body());
            assertTrue(!script.body().contains("tinycorelinux"), "the machine sees Astralboot's URLs only");
            Reply unreachable = curl(cli, urls.get(1));
            assertTrue(unreachable.status() >= 500, "no Internet here: " + unreachable);
            assertTrue(Files.readString(exampleLog).contains("Serving boot config for " + mac), Files.readString(exampleLog));
            assertTrue(Files.readString(log).contains("api: " + mac + ": kernel " + tc + "vmlinuz64, 2 initrd(s)"),
                    Files.readString(log));
        }
    }

    /** DISCOVER until answered, as firmware retransmits (the first may go unanswered while the API is asked). */
    static String pxe(Netns cli, String mac, String vendor, String userClass) throws Exception {
        for (int i = 0; i < 4; i++) {
            List<String> r = probe(cli, mac, vendor, userClass);
            if (!r.equals(List.of("NONE"))) {
                assertEquals(1, r.size(), r.toString());
                return r.get(0);
            }
        }
        throw new AssertionError("no PXE answer for " + mac);
    }

    static List<String> probe(Netns cli, String mac, String vendor, String userClass) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                "org.astralboot.dhcp.DhcpProbe", "mac=" + mac, "arch=0", "vendor=" + vendor, "wait=1500"));
        if (userClass != null) {
            cmd.add("userclass=" + userClass);
        }
        Netns.Result r = cli.run(Duration.ofSeconds(30), cmd.toArray(String[]::new)).check();
        List<String> lines = new ArrayList<>();
        for (String l : r.out().split("\n")) {
            if ((l.startsWith("REPLY") || l.equals("NONE")) && !lines.contains(l)) {
                lines.add(l);
            }
        }
        return lines;
    }

    static Reply curl(Netns ns, String url) throws Exception {
        Netns.Result r = ns.run(Duration.ofSeconds(30), "curl", "-s", "-g", "-w", "\n%{http_code}", url);
        String out = r.out();
        int nl = out.lastIndexOf('\n');
        return new Reply(Integer.parseInt(out.substring(nl + 1).trim()), out.substring(0, nl));
    }

    static byte[] fetch(Netns ns, Path to, String url) throws Exception {
        ns.run(Duration.ofSeconds(30), "curl", "-sf", "-o", to.toString(), url).check();
        return Files.readAllBytes(to);
    }
}

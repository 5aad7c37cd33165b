package org.astralboot.boot.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.astralboot.testing.Netns;
import org.astralboot.testing.TestApiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code astralboot boot} without a config file, in a namespace whose only interface faces the
 * machines: it picks that interface, answers PXE clients by proxyDHCP, and every machine's script
 * boots the local kernel, an initrd from an {@code http://} URL (fetched once, at start) and a
 * command line whose {@code {{ ID "./cc.yml" }}} became a URL serving that file. With a second
 * interface it refuses and names both.
 */
class StaticBootIT {
    static final String BASE = "http://198.18.23.1";

    @TempDir
    Path dir;

    @Test
    void bootsEveryPxeMachineIntoTheKernel() throws Exception {
        byte[] kernel = new byte[200_000];
        byte[] initrd = new byte[50_000];
        new java.util.Random(3).nextBytes(kernel);
        new java.util.Random(4).nextBytes(initrd);
        Files.write(dir.resolve("vmlinuz"), kernel);
        Files.writeString(dir.resolve("cc.yml"), "#cloud-config\nhostname: static\n");
        Files.createDirectories(dir.resolve("data/tftp"));
        Path web = Files.createDirectories(dir.resolve("web/files"));
        Files.write(web.resolve("initrd.gz"), initrd);

        String sfx = Integer.toHexString((int) (ProcessHandle.current().pid() & 0xFFFF));
        Path log = dir.resolve("server.log");
        try (Netns srv = Netns.create("sta-s"); Netns cli = Netns.create("sta-c")) {
            Netns.veth(srv, "stas" + sfx, "198.18.23.1/24", cli, "stac" + sfx, "198.18.23.250/24");
            cli.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", "stac" + sfx).check();
            srv.start(dir.resolve("web.log"), Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                    TestApiServer.class.getName(), "9000", dir.resolve("web").toString());
            Netns.awaitLog(dir.resolve("web.log"), "api server ready", Duration.ofSeconds(20));

            srv.startAstralboot(dir, log, "boot", "./vmlinuz", "http://127.0.0.1:9000/files/initrd.gz",
                    "--cmdline", "console=ttyS0 cc={{ ID \"./cc.yml\" }}", "--message", "static boot", "-v");
            Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(60));
            String started = Files.readString(log);
            assertTrue(started.contains("on stas" + sfx + " (dhcp proxy)"), started);

            List<String> offer = ApiModeIT.probe(cli, "52:54:00:23:00:01", ApiModeIT.BIOS, null);
            assertEquals(1, offer.size(), offer.toString());
            assertTrue(offer.get(0).contains(" yiaddr=0.0.0.0 ") && offer.get(0).contains(" file=undionly.kpxe "), offer.get(0));

            ApiModeIT.Reply script = ApiModeIT.curl(cli, BASE + "/ipxe/52-54-00-23-00-01");
            assertEquals(200, script.status(), script.body());
            assertTrue(script.body().contains("echo static boot"), script.body());
            List<String> urls = new ArrayList<>();
            Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(BASE)
                    + "/file/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+/[A-Za-z0-9._-]+").matcher(script.body());
            while (m.find()) {
                urls.add(m.group());
            }
            assertEquals(3, urls.size(), script.body());
            assertTrue(script.body().contains("kernel " + urls.get(0) + " initrd=initrd0 console=ttyS0 cc=" + urls.get(1)),
                    script.body());
            assertArrayEquals(kernel, ApiModeIT.fetch(cli, dir.resolve("k"), urls.get(0)));
            assertEquals("#cloud-config\nhostname: static\n", ApiModeIT.curl(cli, urls.get(1)).body());
            assertArrayEquals(initrd, ApiModeIT.fetch(cli, dir.resolve("i1"), urls.get(2)));
            assertArrayEquals(initrd, ApiModeIT.fetch(cli, dir.resolve("i2"), urls.get(2)));
            assertEquals(List.of("/files/initrd.gz"), Files.readAllLines(dir.resolve("web/files.log")),
                    "the URL is fetched once, at start");
            // Another machine boots the same.
            assertEquals(200, ApiModeIT.curl(cli, BASE + "/ipxe/52-54-00-23-00-02").status());

            // A second usable interface: no guessing.
            Netns.veth(srv, "stad" + sfx, "198.18.24.1/24", cli, "stae" + sfx, null);
            Netns.Result r = srv.run(Duration.ofSeconds(60), Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                    "org.astralboot.cli.Main", "boot", dir.resolve("vmlinuz").toString());
            assertEquals(2, r.code(), r.out());
            assertTrue(r.out().contains("several interfaces could face the machines: stad" + sfx + " (198.18.24.1/24), stas"
                    + sfx + " (198.18.23.1/24); name one with -i IFACE"), r.out());
            Netns.Result missing = srv.run(Duration.ofSeconds(60), Netns.javaBinary(), "-cp",
                    System.getProperty("java.class.path"), "org.astralboot.cli.Main", "boot", "-i", "stas" + sfx,
                    dir.resolve("nope").toString());
            assertEquals(2, missing.code(), missing.out());
            assertTrue(missing.out().contains("no readable file " + dir.resolve("nope")), missing.out());
        }
    }
}

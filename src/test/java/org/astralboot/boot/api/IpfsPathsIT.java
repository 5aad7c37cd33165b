package org.astralboot.boot.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.astralboot.testing.Netns;
import org.astralboot.testing.TestApiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPFS paths as the files of a static boot and of a boot API's answer, through a real Kubo node
 * ({@code scripts/ipfs-node}) in the server's namespace: {@code astralboot boot /ipfs/<CID>/vmlinuz
 * ipfs://<CID>/initrd.gz --cmdline 'cc={{ ID "/ipfs/<CID>/cc.yml" }}'} serves the machine signed
 * URLs whose content is the node's files (a multi-block kernel), read once at start, verified, and
 * kept by content; a path that names nothing stops the command at start. Then {@code serve --api}
 * with an answer naming {@code /ipfs/<CID>/...} (and no request to the API's host for them): the
 * machine gets the same bytes, read through the node.
 */
class IpfsPathsIT {
    static final String BASE = "http://198.18.25.1";
    static final int NODE_PORT = 5141;
    static final Pattern SIGNED = Pattern.compile(Pattern.quote(BASE) + "/file/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+/[A-Za-z0-9._-]+");

    @TempDir
    Path dir;

    @Test
    void staticBootAndApiAnswersReadIpfsPathsThroughTheNode() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("scripts/ipfs-node"))) {
            root = root.getParent();
        }
        String ipfsNode = root.resolve("scripts/ipfs-node").toString();
        Netns.sh(Duration.ofMinutes(20), ipfsNode, "install").check(); // a first install builds Kubo
        String kubo = Netns.sh(Duration.ofSeconds(10), root.resolve("scripts/go-tools").toString(), "path", "kubo")
                .check().out().trim();

        byte[] kernel = new byte[700_000]; // three 256 KiB chunks: a file DAG, not one block
        byte[] initrd = new byte[40_000];
        new java.util.Random(5).nextBytes(kernel);
        new java.util.Random(6).nextBytes(initrd);
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.write(tree.resolve("vmlinuz"), kernel);
        Files.write(tree.resolve("initrd.gz"), initrd);
        Files.writeString(tree.resolve("cc.yml"), "#cloud-config\nhostname: from-ipfs\n");
        Files.createDirectories(dir.resolve("data/tftp"));

        String sfx = Integer.toHexString((int) (ProcessHandle.current().pid() & 0xFFFF));
        String sif = "ipps" + sfx;
        String cif = "ippc" + sfx;
        Path repo = dir.resolve("ipfs-repo");
        try (Netns srv = Netns.create("ipp-s"); Netns cli = Netns.create("ipp-c")) {
            Netns.veth(srv, sif, "198.18.25.1/24", cli, cif, "198.18.25.250/24");
            cli.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", cif).check();
            srv.run(Duration.ofMinutes(3), ipfsNode, "start", "--port", Integer.toString(NODE_PORT), "--repo",
                    repo.toString()).check();
            try {
                String cid = srv.run(Duration.ofMinutes(3), "env", "IPFS_PATH=" + repo, kubo, "add", "-r", "-Q",
                        tree.toString()).check().out().trim();
                cid = cid.lines().reduce((a, b) -> b).orElseThrow().trim();
                Path config = dir.resolve("config.toml");
                Files.writeString(config, """
                        interface = "%s"
                        data = "./data"
                        database = "./astralboot.db"
                        cache = "./cache"
                        ipfs = false
                        ipfs_api = "http://127.0.0.1:%d"
                        [dhcp]
                        mode = "proxy"
                        """.formatted(sif, NODE_PORT));

                // A path that names nothing: refused at start, naming it.
                Netns.Result missing = srv.run(Duration.ofSeconds(90), Netns.javaBinary(), "-cp",
                        System.getProperty("java.class.path"), "org.astralboot.cli.Main", "boot", "-c", config.toString(),
                        "/ipfs/" + cid + "/nope");
                assertEquals(1, missing.code(), missing.out());
                assertTrue(missing.out().contains("/ipfs/" + cid + "/nope"), missing.out());

                Path log = dir.resolve("boot.log");
                Process boot = srv.startAstralboot(dir, log, "boot", "-c", config.toString(), "-v",
                        "/ipfs/" + cid + "/vmlinuz", "ipfs://" + cid + "/initrd.gz",
                        "--cmdline", "console=ttyS0 cc={{ ID \"/ipfs/" + cid + "/cc.yml\" }}");
                Netns.awaitLog(log, "Astralboot ready", Duration.ofSeconds(90));
                String started = Files.readString(log);
                for (String f : List.of("vmlinuz", "initrd.gz", "cc.yml")) {
                    assertTrue(started.contains("fetched /ipfs/" + cid + "/" + f + " through the IPFS node, verified"),
                            started);
                }
                assertTrue(ApiModeIT.pxe(cli, "52:54:00:25:00:01", ApiModeIT.BIOS, null).contains(" file=undionly.kpxe "));
                ApiModeIT.Reply script = ApiModeIT.curl(cli, BASE + "/ipxe/52-54-00-25-00-01");
                assertEquals(200, script.status(), script.body());
                List<String> urls = signed(script.body());
                assertEquals(3, urls.size(), script.body());
                assertTrue(!script.body().contains(cid), "the machine sees Astralboot's URLs only: " + script.body());
                assertArrayEquals(kernel, ApiModeIT.fetch(cli, dir.resolve("k1"), urls.get(0)));
                assertEquals("#cloud-config\nhostname: from-ipfs\n", ApiModeIT.curl(cli, urls.get(1)).body());
                assertArrayEquals(initrd, ApiModeIT.fetch(cli, dir.resolve("i1"), urls.get(2)));
                boot.destroy();
                assertTrue(boot.waitFor(30, TimeUnit.SECONDS), "boot stops on SIGTERM");

                // API mode: an answer naming the node's files by IPFS path.
                Path api = Files.createDirectories(dir.resolve("api/answers"));
                Files.writeString(api.resolve("52-54-00-25-00-02.json"), """
                        {"kernel": "/ipfs/%s/vmlinuz", "initrd": ["ipfs://%s/initrd.gz"], "cmdline": "quiet"}"""
                        .formatted(cid, cid));
                srv.start(dir.resolve("api.log"), Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                        TestApiServer.class.getName(), "9000", dir.resolve("api").toString());
                Netns.awaitLog(dir.resolve("api.log"), "api server ready", Duration.ofSeconds(20));
                Path serveLog = dir.resolve("serve.log");
                srv.startAstralboot(dir, serveLog, "serve", "-l", "-c", config.toString(), "-v", "--api",
                        "http://127.0.0.1:9000");
                Netns.awaitLog(serveLog, "Astralboot ready", Duration.ofSeconds(90));
                assertTrue(ApiModeIT.pxe(cli, "52:54:00:25:00:02", ApiModeIT.BIOS, null).contains(" file=undionly.kpxe "));
                ApiModeIT.Reply apiScript = ApiModeIT.curl(cli, BASE + "/ipxe/52-54-00-25-00-02");
                assertEquals(200, apiScript.status(), apiScript.body());
                List<String> apiUrls = signed(apiScript.body());
                assertEquals(2, apiUrls.size(), apiScript.body());
                assertArrayEquals(kernel, ApiModeIT.fetch(cli, dir.resolve("k2"), apiUrls.get(0)));
                assertArrayEquals(initrd, ApiModeIT.fetch(cli, dir.resolve("i2"), apiUrls.get(1)));
                assertTrue(Files.readString(serveLog).contains("fetched /ipfs/" + cid + "/vmlinuz through the IPFS node"),
                        Files.readString(serveLog));
                assertTrue(!Files.exists(dir.resolve("api/files.log")), "nothing asked of the API's host");
            } finally {
                srv.run(Duration.ofSeconds(30), ipfsNode, "stop", "--repo", repo.toString());
            }
        }
    }

    static List<String> signed(String body) {
        List<String> urls = new ArrayList<>();
        Matcher m = SIGNED.matcher(body);
        while (m.find()) {
            urls.add(m.group());
        }
        return urls;
    }
}

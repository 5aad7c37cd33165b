package org.astralboot.ipfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code astralboot serve} in IPFS mode, fetched with curl over HTTP and TFTP: every file route returns the bytes of
 * the tree added to the node, with the CID as ETag and an immutable Cache-Control; a range of a
 * cold file; the menu lists the tree's OSes; with the node stopped, cached files are still served
 * and the others get 503, until the node is back.
 */
class IpfsHttpIT {
    @TempDir
    static Path tmp;
    static IpfsNode node;
    static Process server;
    static int port;
    static int tftpPort;
    static Path tree;
    static Path site;
    /** The server's log lines after "ready" (it runs with -v). */
    static final List<String> SERVER_LOG = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        node = IpfsNode.start(tmp.resolve("node"));
        tree = TestTrees.bootTree(tmp.resolve("tree"));
        TestTrees.file(tree.resolve("tftp/offline.bin"), 300_000, 99); // fetched only by the node-down test
        TestTrees.file(tree.resolve("tftp/offline-tftp.bin"), 200_000, 98); // ditto, over TFTP
        TestTrees.file(tree.resolve("tftp/storm.bin"), 24 << 20, 97); // fetched only by the parallel test
        List<KuboClient.Added> a = node.client().add(tree, KuboClient.AddOptions.DEFAULT);
        String cid = a.get(a.size() - 1).hash();
        Path dir = Files.createDirectories(tmp.resolve("site"));
        site = dir;
        Files.writeString(dir.resolve("refs.toml"), "boot = \"" + cid + "\"\n");
        port = IpfsCommandsIT.freeTcpPort();
        tftpPort = IpfsCommandsIT.freeUdpPort();
        Files.writeString(dir.resolve("config.toml"), """
                interface = "lo"
                address = "127.0.0.1"
                ipfs_api = "%s"
                [http]
                port = %d
                bind = "127.0.0.1"
                [tftp]
                port = %d
                [dhcp]
                mode = "off"
                """.formatted(node.api(), port, tftpPort));
        // env resets SIGHUP to its default: a test run under nohup would otherwise start a server that
        // ignores it (the server warns about that, see ServeCommand).
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=HUP",
                ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "org.astralboot.cli.Main", "serve", "-c", "config.toml", "-v"));
        server = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder log = new StringBuilder();
        String line;
        while ((line = r.readLine()) != null) {
            log.append(line).append('\n');
            if (line.contains("Astralboot ready")) {
                break;
            }
        }
        assertTrue(log.toString().contains("Astralboot ready"), log.toString());
        Thread drain = new Thread(() -> {
            try {
                String l;
                while ((l = r.readLine()) != null) {
                    SERVER_LOG.add(l);
                }
            } catch (IOException ignored) {
                // server stopped
            }
        });
        drain.setDaemon(true);
        drain.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        if (node != null) {
            node.close();
        }
    }

    record Curl(int status, Map<String, String> headers, Path body) {
    }

    private static Curl curl(String path, String... extra) throws Exception {
        Path body = Files.createTempFile(tmp, "body", "");
        Path head = Files.createTempFile(tmp, "head", "");
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-o", body.toString(), "-D", head.toString(),
                "--max-time", "60"));
        cmd.addAll(Arrays.asList(extra));
        cmd.add("http://127.0.0.1:" + port + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(70, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "curl " + path + ": " + out);
        List<String> lines = Files.readAllLines(head);
        int status = Integer.parseInt(lines.get(0).split(" ")[1]);
        Map<String, String> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String l : lines.subList(1, lines.size())) {
            int c = l.indexOf(':');
            if (c > 0) {
                h.put(l.substring(0, c).trim(), l.substring(c + 1).trim());
            }
        }
        return new Curl(status, h, body);
    }

    @Test
    void everyFileRouteServesTheTreeBytes() throws Exception {
        Map<String, String> routes = Map.of(
                "/tftp/undionly.kpxe", "tftp/undionly.kpxe",
                "/tftp/ipxe.efi", "tftp/ipxe.efi",
                "/os/debian/images/linux", "boot/debian/images/linux",
                "/os/debian/images/initrd.gz", "boot/debian/images/initrd.gz",
                "/os/coreos/images/vmlinuz", "boot/coreos/images/vmlinuz");
        for (Map.Entry<String, String> e : routes.entrySet()) {
            Path orig = tree.resolve(e.getValue());
            for (String round : List.of("cold", "warm")) {
                Curl c = curl(e.getKey());
                assertEquals(200, c.status(), round + " " + e.getKey());
                assertEquals(TestTrees.sha256(orig), TestTrees.sha256(c.body()), round + " " + e.getKey());
                assertEquals(Long.toString(Files.size(orig)), c.headers().get("Content-Length"));
                assertTrue(c.headers().get("ETag").startsWith("\"Qm"), c.headers().toString());
                assertTrue(c.headers().get("Cache-Control").contains("immutable"), c.headers().toString());
            }
        }
        Curl menu = curl("/ipxe/52-54-00-12-34-56/menu");
        assertEquals(200, menu.status());
        String text = Files.readString(menu.body());
        assertTrue(text.contains("Debian 12") && text.contains("CoreOS"), text);
    }

    @Test
    void twentyClientsOfOneColdFileShareOneDownloadAndAllGetItWhole() throws Exception {
        String want = TestTrees.sha256(tree.resolve("tftp/storm.bin"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            List<java.util.concurrent.Future<Curl>> got = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                got.add(pool.submit(() -> curl("/tftp/storm.bin")));
            }
            for (java.util.concurrent.Future<Curl> f : got) {
                Curl c = f.get(90, TimeUnit.SECONDS);
                assertEquals(200, c.status());
                assertEquals(want, TestTrees.sha256(c.body()));
            }
        } finally {
            pool.shutdownNow();
        }
        long downloads = SERVER_LOG.stream().filter(l -> l.contains("ipfs fetch tftp/storm.bin ")).count();
        assertEquals(1, downloads, String.join("\n", SERVER_LOG));
    }

    @Test
    void rangeOfAColdFile() throws Exception {
        Curl c = curl("/os/coreos/images/vmlinuz", "-r", "100000-100999");
        assertEquals(206, c.status());
        byte[] all = Files.readAllBytes(tree.resolve("boot/coreos/images/vmlinuz"));
        assertTrue(Arrays.equals(Arrays.copyOfRange(all, 100000, 101000), Files.readAllBytes(c.body())));
    }

    @Test
    void nodeDownCachedFilesServedOthers503UntilItReturns() throws Exception {
        Curl warm = curl("/tftp/undionly.kpxe");
        assertEquals(200, warm.status());
        node.stop();
        try {
            Curl again = curl("/tftp/undionly.kpxe");
            assertEquals(200, again.status());
            assertEquals(TestTrees.sha256(tree.resolve("tftp/undionly.kpxe")), TestTrees.sha256(again.body()));
            Curl cold = curl("/tftp/offline.bin");
            assertEquals(503, cold.status(), cold.headers().toString());
            assertTrue(cold.headers().containsKey("Retry-After"), cold.headers().toString());
            // Over TFTP the same file state is an ERROR packet, not a hang or a short file.
            Path out = Files.createTempFile(tmp, "tftp", "");
            Files.delete(out);
            // tftp-hpa prints the server's ERROR message (curl only reports a socket error).
            Process p = new ProcessBuilder("tftp", "-m", "binary", "127.0.0.1", Integer.toString(tftpPort), "-c", "get",
                    "offline-tftp.bin", out.toString()).redirectErrorStream(true).start();
            String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(40, TimeUnit.SECONDS));
            assertTrue(msg.contains("Error code") && msg.contains("unavailable"), msg);
            assertTrue(!Files.exists(out) || Files.size(out) == 0, "no byte of an unavailable file");
            node.start();
            // Back without restarting Astralboot (after the store's one-second back-off).
            long deadline = System.nanoTime() + 15_000_000_000L;
            Curl back;
            do {
                Thread.sleep(300);
                back = curl("/tftp/offline.bin");
            } while (back.status() == 503 && System.nanoTime() < deadline);
            assertEquals(200, back.status());
            assertEquals(TestTrees.sha256(tree.resolve("tftp/offline.bin")), TestTrees.sha256(back.body()));
        } finally {
            try {
                node.client().version();
            } catch (KuboException e) {
                node.start();
            }
        }
    }

    @Test
    void tftpServesTheIpfsTreeToo() throws Exception {
        for (String f : List.of("undionly.kpxe", "ipxe.efi")) {
            Path out = Files.createTempFile(tmp, "tftp", "");
            Process p = new ProcessBuilder("curl", "-s", "--max-time", "60", "--tftp-blksize", "1468", "-o",
                    out.toString(), "tftp://127.0.0.1:" + tftpPort + "/" + f).redirectErrorStream(true).start();
            String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(70, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "curl tftp " + f + ": " + msg);
            assertEquals(TestTrees.sha256(tree.resolve("tftp/" + f)), TestTrees.sha256(out), f);
        }
    }

    @Test
    void hangupReloadsRefsToml() throws Exception {
        // A superset of the tree, so the other tests see the same files whatever the order.
        Path bigger = tmp.resolve("bigger");
        try (var w = Files.walk(tree)) {
            for (Path p : w.toList()) {
                Path d = bigger.resolve(tree.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                }
            }
        }
        TestTrees.file(bigger.resolve("tftp/reloaded.bin"), 5000, 77);
        List<KuboClient.Added> a = node.client().add(bigger, KuboClient.AddOptions.DEFAULT);
        assertEquals(404, curl("/tftp/reloaded.bin").status());
        Files.writeString(site.resolve("refs.toml"), "boot = \"" + a.get(a.size() - 1).hash() + "\"\n");
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(server.pid())).start();
        assertEquals(0, kill.waitFor());
        long deadline = System.nanoTime() + 15_000_000_000L;
        Curl c;
        do {
            Thread.sleep(200);
            c = curl("/tftp/reloaded.bin");
        } while (c.status() == 404 && System.nanoTime() < deadline);
        assertEquals(200, c.status(), () -> "the server's log:\n" + String.join("\n", SERVER_LOG));
        assertEquals(TestTrees.sha256(bigger.resolve("tftp/reloaded.bin")), TestTrees.sha256(c.body()));
    }
}

package org.astralboot.ipfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.store.TreePath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code astralboot publish}, {@code precache} (interrupted and resumed) and {@code verify} end to
 * end, as processes, against a real IPFS node.
 */
class IpfsCommandsIT {
    @TempDir
    static Path tmp;
    static IpfsNode node;

    @BeforeAll
    static void startNode() throws IOException {
        node = IpfsNode.start(tmp.resolve("node"));
    }

    @AfterAll
    static void stopNode() throws IOException {
        if (node != null) {
            node.close();
        }
    }

    record Run(int exit, String out, String err) {
    }

    private static ProcessBuilder astralboot(Path dir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.astralboot.cli.Main");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }

    private static Run run(Path dir, String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = astralboot(dir, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "astralboot " + String.join(" ", args) + " timed out");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static void config(Path dir, java.net.URI api) throws IOException {
        // serve starts HTTP and TFTP: free loopback ports, never 80/69.
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
                """.formatted(api, freeTcpPort(), freeUdpPort()));
    }

    static int freeTcpPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void publishThenPrecacheInterruptedAndResumedThenVerify() throws Exception {
        Path dir = tmp.resolve("site");
        Path data = TestTrees.bootTree(dir.resolve("data"));
        for (int i = 0; i < 8; i++) {
            TestTrees.file(data.resolve("boot/big/images/part" + i), 3L << 20, 100 + i);
        }
        Files.writeString(dir.resolve("refs.toml"), """
                # my refs
                boot = "QmXRvmqk9DjhGsLPeWF1nZ8EryGYnD8j4iQoFLSh9hUJbH" # old tree

                [os]
                # none yet
                """);
        try (SlowProxy proxy = new SlowProxy(node.api(), 8L << 20)) {
            config(dir, proxy.uri());

            // publish: the CID printed is the tree's CID, and refs.toml keeps its comments.
            Run pub = run(dir, "publish", "-c", "config.toml");
            assertEquals(0, pub.exit(), pub.err());
            String cid = pub.out().strip();
            List<KuboClient.Added> expect = node.client().add(data, new KuboClient.AddOptions(0, false, "size-262144",
                    false, true));
            assertEquals(expect.get(expect.size() - 1).hash(), cid);
            String refs = Files.readString(dir.resolve("refs.toml"));
            assertTrue(refs.contains("# my refs\nboot = \"" + cid + "\" # old tree\n\n[os]\n# none yet\n"), refs);

            // precache, killed after its first finished file.
            Process p = astralboot(dir, "precache", "-c", "config.toml").redirectErrorStream(true).start();
            List<String> first = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    first.add(line);
                    if (line.startsWith("precache: [1/")) {
                        p.destroyForcibly();
                        break;
                    }
                }
            }
            p.waitFor(30, TimeUnit.SECONDS);
            assertTrue(first.stream().anyMatch(l -> l.startsWith("precache: [1/")), String.join("\n", first));
            assertTrue(first.stream().anyMatch(l -> l.contains("blocks on the node, pinned")), String.join("\n", first));

            // resumed: what was done is not fetched again.
            proxy.rate(0);
            Run again = run(dir, "precache", "-c", "config.toml");
            assertEquals(0, again.exit(), again.out() + again.err());
            List<Path> all = files(data);
            Matcher m = Pattern.compile("precache: (\\d+) files, .*; (\\d+) already cached").matcher(again.err());
            assertTrue(m.find(), again.err());
            assertEquals(all.size(), Integer.parseInt(m.group(1)));
            int already = Integer.parseInt(m.group(2));
            assertTrue(already >= 1 && already < all.size(), "resumed with " + already + " of " + all.size() + " cached");
            assertTrue(again.err().contains("precache: done, " + all.size() + " files"), again.err());

            // Every file is in the cache under its CID with the right bytes; the node has the pin.
            Config cfg = TestTrees.config(dir, node.api(), 1L << 30);
            try (Database db = Database.open(cfg.database());
                    IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
                for (Path f : all) {
                    IpfsBootStore.FileInfo fi = s.info(TreePath.parse(data.relativize(f).toString())).orElseThrow();
                    Path c = dir.resolve("cache").resolve(fi.cid());
                    assertEquals(TestTrees.sha256(f), TestTrees.sha256(c), f.toString());
                }
                assertEquals(0, s.fetches());
            }

            // verify: all good; then one altered file is found, reported and removed.
            Run v = run(dir, "verify", "-c", "config.toml");
            assertEquals(0, v.exit(), v.out() + v.err());
            assertTrue(v.out().contains("verify: " + (all.size()) + " ok, 0 mismatches"), v.out());
            String victim;
            try (Database db = Database.open(cfg.database());
                    IpfsBootStore s = IpfsBootStore.open(cfg, db, node.client())) {
                victim = s.info(TreePath.parse("boot/debian/images/linux")).orElseThrow().cid();
            }
            try (RandomAccessFile r = new RandomAccessFile(dir.resolve("cache").resolve(victim).toFile(), "rw")) {
                r.seek(1000);
                r.write(r.read() ^ 1);
            }
            v = run(dir, "verify", "-c", "config.toml");
            assertEquals(1, v.exit(), v.out() + v.err());
            assertTrue(v.out().contains("verify: MISMATCH " + victim + ": content hashes to "), v.out());
            assertTrue(v.out().contains((all.size() - 1) + " ok, 1 mismatches removed"), v.out());
            assertFalse(Files.exists(dir.resolve("cache").resolve(victim)));
        }
    }

    @Test
    void precacheNamesTheFailingRefAndExitsNonZero() throws Exception {
        Path dir = tmp.resolve("bad");
        Path data = TestTrees.bootTree(dir.resolve("tree"));
        List<KuboClient.Added> a = node.client().add(data, KuboClient.AddOptions.DEFAULT);
        String cid = a.get(a.size() - 1).hash();
        Files.writeString(dir.resolve("refs.toml"), "boot = \"" + cid + "\"\n[os]\nbroken = \"nope\"\n");
        config(dir, node.api());
        Run r = run(dir, "precache", "-c", "config.toml");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("precache failed: ref os.broken = \"nope\": not a CID"), r.err());
        assertTrue(r.err().contains("blocks on the node, pinned"), r.err());
    }

    @Test
    void serveStartsOnTheIpfsTreeAndOnlyWarnsWhenTheNodeIsDown() throws Exception {
        Path dir = tmp.resolve("serve");
        Path data = TestTrees.bootTree(dir.resolve("tree"));
        List<KuboClient.Added> a = node.client().add(data, KuboClient.AddOptions.DEFAULT);
        String cid = a.get(a.size() - 1).hash();
        Files.writeString(dir.resolve("refs.toml"), "boot = \"" + cid + "\"\n");
        config(dir, node.api());
        assertTrue(serveUntilReady(dir).contains("boot tree ipfs:" + cid));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        config(dir, java.net.URI.create("http://127.0.0.1:" + port));
        String log = serveUntilReady(dir);
        assertTrue(log.contains("boot tree ipfs:" + cid), log);
        assertTrue(log.contains("unreachable") && log.contains("serving cached content only"), log);
    }

    /** Runs {@code astralboot serve} until it says it is ready, stops it, returns its output. */
    private static String serveUntilReady(Path dir) throws Exception {
        Process p = astralboot(dir, "serve", "-c", "config.toml").redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.contains("Astralboot ready")) {
                    p.destroy();
                    break;
                }
            }
        } finally {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertTrue(out.toString().contains("Astralboot ready"), out.toString());
        return out.toString();
    }
}

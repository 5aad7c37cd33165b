package org.astralboot.ipfs;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.astralboot.ipfs.kubo.KuboClient;

/**
 * A real IPFS node (Kubo) for integration tests, run with {@code scripts/ipfs-node} on free loopback
 * ports with its own repo. {@code install} is idempotent, so a test run on a fresh clone works.
 */
public final class IpfsNode implements AutoCloseable {
    private static final Path ROOT = findRoot();

    private final Path repo;
    private final int port;

    private IpfsNode(Path repo, int port) {
        this.repo = repo;
        this.port = port;
    }

    private static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/ipfs-node"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("scripts/ipfs-node not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** Installs (if needed) and starts a node whose repo is {@code repo}. */
    public static IpfsNode start(Path repo) throws IOException {
        // A first install builds Kubo from source (about 6 minutes on 2 cores); later ones find the binary.
        script(Duration.ofMinutes(20), "install");
        IpfsNode n = new IpfsNode(repo, freePortBlock());
        n.start();
        return n;
    }

    public void start() throws IOException {
        script(Duration.ofMinutes(3), "start", "--port", Integer.toString(port), "--repo", repo.toString());
    }

    public void stop() throws IOException {
        script(Duration.ofMinutes(1), "stop", "--repo", repo.toString());
    }

    public URI api() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The node's gateway (trustless and path), on the port after the API's. */
    public URI gateway() {
        return URI.create("http://127.0.0.1:" + (port + 1));
    }

    /** The node's libp2p listen address (TCP on loopback, the port two after the API's), without its peer ID. */
    public String swarmAddress() {
        return "/ip4/127.0.0.1/tcp/" + (port + 2);
    }

    /** A client with short timeouts, so tests of missing content do not wait a minute. */
    public KuboClient client() {
        return new KuboClient(api(), Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(10));
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private static void script(Duration timeout, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(ROOT.resolve("scripts/ipfs-node").toString());
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("ipfs-node", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("scripts/ipfs-node " + String.join(" ", args) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new IOException("scripts/ipfs-node " + String.join(" ", args) + " failed: "
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A port P such that P..P+3 (API, gateway, swarm, one spare) are free on loopback. */
    static int freePortBlock() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = 20000 + 4 * ThreadLocalRandom.current().nextInt(8000);
            boolean free = true;
            for (int i = 0; i < 4 && free; i++) {
                try (ServerSocket s = new ServerSocket(p + i, 1, lo)) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return p;
            }
        }
        throw new IOException("no free block of 4 loopback ports");
    }
}

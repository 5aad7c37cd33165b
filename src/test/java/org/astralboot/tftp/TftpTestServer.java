package org.astralboot.tftp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.List;
import java.util.Optional;
import org.astralboot.config.Config;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.LocalBootStore;
import org.astralboot.store.TreePath;

/**
 * Runs only the TFTP service, for ITs and the benchmark, inside a namespace:
 * {@code TftpTestServer <address> <port> <data-dir> [timeout-ms] [max-transfers] [max-windowsize]}.
 * Prints "Astralboot ready" on stderr once listening, like {@code astralboot serve}. The name
 * {@code unavailable.bin} fails as an unreachable IPFS store would.
 */
public final class TftpTestServer {
    private TftpTestServer() {
    }

    public static void main(String[] args) throws Exception {
        Inet4Address addr = (Inet4Address) InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        Path data = Path.of(args[2]);
        long timeoutMs = args.length > 3 ? Long.parseLong(args[3]) : 1000;
        int maxTransfers = args.length > 4 ? Integer.parseInt(args[4]) : 256;
        int maxWindow = args.length > 5 ? Integer.parseInt(args[5]) : 64;
        Path base = Files.createTempDirectory("abt-tftp");
        Config cfg = Config.defaults("abt0", addr, 24, base).withData(data)
                .withTftp(new Config.Tftp(port, 1468, maxWindow, maxTransfers, Duration.ofMillis(timeoutMs), 5));
        try (LocalBootStore local = new LocalBootStore(data); TftpService svc = new TftpService(cfg, new FlakyStore(local))) {
            svc.start();
            System.err.println("Astralboot ready");
            new CountDownLatch(1).await();
        }
    }

    /**
     * The local tree, except that {@code tftp/unavailable.bin} behaves like an IPFS file whose node
     * is down, so the ERROR for an unavailable boot store can be checked on the wire.
     */
    record FlakyStore(LocalBootStore local) implements BootStore {
        @Override
        public String describe() {
            return local.describe() + " (tftp/unavailable.bin unavailable)";
        }

        @Override
        public Optional<List<Entry>> list(TreePath dir) throws BootStoreException {
            return local.list(dir);
        }

        @Override
        public Optional<BootFile> file(TreePath path) throws BootStoreException {
            if (path.toString().equals("tftp/unavailable.bin")) {
                throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE,
                        "IPFS node at http://127.0.0.1:5001 is not answering and the file is not cached");
            }
            return local.file(path);
        }
    }
}

package org.astralboot.ipfs;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.store.BootFile;
import org.astralboot.store.TreePath;

/**
 * Not a test: the store-level half of bench/ipfs/run. Reads one file cold through
 * {@link IpfsBootStore} (fresh cache and database each round) and prints the seconds of each
 * round, so the bench can compare with {@code cat} straight from the node when the HTTP service
 * is not available.
 *
 * <p>Arguments: API URL, refs.toml, tree path, work folder, rounds. {@code -Dbench.gateway=URL}
 * fetches the content from a trustless gateway instead of the API.
 */
public final class ColdReadBench {
    private ColdReadBench() {
    }

    /** CPU time of this process, in nanoseconds. */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public static void main(String[] a) throws Exception {
        URI api = URI.create(a[0]);
        Path refs = Path.of(a[1]);
        TreePath file = TreePath.parse(a[2]);
        Path work = Path.of(a[3]);
        int rounds = Integer.parseInt(a[4]);
        byte[] buf = new byte[256 * 1024];
        if (a.length > 5 && a[5].equals("raw")) {
            // The client alone: cat of the file's CID into nothing.
            KuboClient c = new KuboClient(api);
            String cid = a[6];
            long size = Long.parseLong(a[7]);
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                long c0 = cpu();
                try (InputStream in = c.cat(cid, 0, size)) {
                    while (in.read(buf) > 0) {
                        // discard
                    }
                }
                System.out.printf(java.util.Locale.ROOT, "%.3f cpu %.3f%n", (System.nanoTime() - t0) / 1e9,
                        (cpu() - c0) / 1e9);
            }
            return;
        }
        for (int i = 0; i < rounds; i++) {
            Path base = Files.createDirectories(work.resolve("round" + i));
            Config d = TestTrees.config(base, api, 1L << 34);
            Config cfg = new Config(null, d.iface(), d.address(), d.subnet(), d.domain(), d.data(), d.database(),
                    d.cache(), d.cacheMaxBytes(), true, api,
                    System.getProperty("bench.gateway") == null ? null : URI.create(System.getProperty("bench.gateway")), refs, d.http(), d.tftp(), d.dhcp(), d.menu());
            try (Database db = Database.open(cfg.database());
                    IpfsBootStore s = IpfsBootStore.open(cfg, db, new KuboClient(api, Duration.ofSeconds(3),
                            Duration.ofSeconds(60), Duration.ofSeconds(30)))) {
                BootFile f = s.file(file).orElseThrow();
                if (System.getProperty("bench.fill") != null) {
                    // The download into the cache alone, no reader.
                    long t0 = System.nanoTime();
                    IpfsBootStore.FileInfo fi = s.info(file).orElseThrow();
                    s.cache().fill(fi.cid(), fi.size(), "bench").await(60, java.util.concurrent.TimeUnit.SECONDS);
                    System.out.printf(java.util.Locale.ROOT, "%.3f fill%n", (System.nanoTime() - t0) / 1e9);
                    continue;
                }
                long c0 = cpu();
                long t0 = System.nanoTime();
                long n = 0;
                try (InputStream in = f.open()) {
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        n += r;
                    }
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                if (n != f.size()) {
                    throw new IllegalStateException("read " + n + " of " + f.size());
                }
                System.out.printf(java.util.Locale.ROOT, "%.3f%s%n", secs,
                        System.getProperty("bench.cpu") == null ? "" : String.format(java.util.Locale.ROOT, " cpu %.3f",
                                (cpu() - c0) / 1e9));
            }
        }
    }
}

package org.astralboot.ipfs.kubo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.astralboot.ipfs.verify.CarReader;
import org.astralboot.ipfs.verify.Cid;

/**
 * Not a test: where the time of a verified cold fetch goes, one stage added at a time, against a
 * running node (bench/verify/stages). Each stage reads the whole file once on this thread and
 * prints its wall time, this thread's CPU time and the node's CPU time (from /proc, when its pid
 * is given):
 * <ul>
 * <li>{@code cat}: the node's {@code cat} over {@link RawStream} into a direct buffer (no check);
 * <li>{@code export}: {@code dag/export} the same way: the CAR bytes alone;
 * <li>{@code car}: the CAR split into blocks ({@link CarReader}), no hashing;
 * <li>{@code verified}: {@link VerifiedSource#open}, every block hashed and decoded, as the cache
 * reads it;
 * <li>{@code verified-gw}: the same from a trustless gateway ({@code ?format=car}), when its URL is given.
 * </ul>
 * Arguments: API URL, file CID, size, rounds, [node pid [gateway URL]]. Stages rotate from round to round.
 */
public final class StageBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private StageBench() {
    }

    private static long nodeCpuTicks(String pid) throws IOException {
        if (pid == null) {
            return 0;
        }
        String s = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime, in clock ticks (1/100 s)
    }

    public static void main(String[] a) throws Exception {
        KuboClient client = new KuboClient(URI.create(a[0]), Duration.ofSeconds(3), Duration.ofSeconds(60),
                Duration.ofSeconds(30));
        URI api = client.api(); // .../api/v0/
        String cid = a[1];
        long size = Long.parseLong(a[2]);
        int rounds = Integer.parseInt(a[3]);
        String pid = a.length > 4 ? a[4] : null;
        VerifiedSource source = VerifiedSource.of(client, null);
        VerifiedSource gwSource = a.length > 5 ? VerifiedSource.of(client, URI.create(a[5])) : null;
        ByteBuffer bb = ByteBuffer.allocateDirect(128 * 1024);
        String[] stages = gwSource == null ? new String[] {"cat", "export", "car", "verified"}
                : new String[] {"cat", "export", "car", "verified", "verified-gw"};
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < stages.length; k++) {
                String stage = stages[(k + r) % stages.length];
                long n0 = nodeCpuTicks(pid);
                long c0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                long n = 0;
                switch (stage) {
                    case "cat", "export" -> {
                        String ep = stage.equals("cat") ? "cat" : "dag/export";
                        try (RawStream.Body b = RawStream.post(api, ep, api.getRawPath() + ep + "?arg=" + cid
                                + (ep.equals("cat") ? "" : "&progress=false"), Duration.ofSeconds(3),
                                Duration.ofSeconds(60), Duration.ofSeconds(30))) {
                            int k2;
                            while ((k2 = b.read(bb.clear())) >= 0) {
                                n += k2;
                            }
                        }
                    }
                    case "car" -> {
                        try (RawStream.Body b = RawStream.post(api, "dag/export", api.getRawPath()
                                + "dag/export?arg=" + cid + "&progress=false", Duration.ofSeconds(3),
                                Duration.ofSeconds(60), Duration.ofSeconds(30)); CarReader car = new CarReader(b)) {
                            CarReader.Block blk;
                            while ((blk = car.next()) != null) {
                                n += blk.len();
                            }
                        }
                    }
                    case "verified", "verified-gw" -> {
                        VerifiedSource src = stage.equals("verified") ? source : gwSource;
                        try (ChannelStream in = src.open(Cid.parse(cid).toString(), size, 0, size)) {
                            int k2;
                            while ((k2 = in.read(bb.clear())) >= 0) {
                                n += k2;
                            }
                        }
                    }
                    default -> throw new IllegalStateException(stage);
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
                double node = (nodeCpuTicks(pid) - n0) / 100.0;
                System.out.printf(Locale.ROOT, "round %d %-8s wall %.3f s  cpu %.3f s  node cpu %.2f s  bytes %d%n", r,
                        stage, wall, cpu, node, n);
            }
        }
    }
}

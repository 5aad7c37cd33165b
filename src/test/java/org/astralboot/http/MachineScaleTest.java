package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.net.HostInfo;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.store.LocalBootStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.Serializer;

/**
 * Issue 11, "Machine records": with 100,000 machine records a boot script ({@code choose}) and a
 * file GET must cost at most twice what they cost with 10. Two real {@link HttpService}s run side
 * by side, one over a database of 10 records and one over 100,010, and requests alternate between
 * them, so load from elsewhere on the machine hits both alike; medians are compared. Before the
 * registry was indexed, each such request decoded every record (0.7-2.6 s with 100,000).
 */
class MachineScaleTest {
    static final String MAC = "52:54:00:5c:a1:e0";
    static final String MAC_URL = "52-54-00-5c-a1-e0";
    static final int WARMUP = 30;
    static final int ROUNDS = 101;

    @Test
    void chooseAndFileStayFlatWith100000Records(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path tftp = Files.createDirectories(data.resolve("tftp"));
        Files.write(tftp.resolve("undionly.kpxe"), new byte[70_000]);
        Path deb = Files.createDirectories(data.resolve("boot/debian/images"));
        Files.write(deb.resolve("linux"), new byte[1000]);
        Files.write(deb.resolve("initrd.gz"), new byte[1000]);
        Files.writeString(data.resolve("boot/debian/os.toml"), """
                description = "Debian 12 installer"
                kernel = "linux"
                initrd = ["initrd.gz"]
                cmdline = "auto=true url={{templates.preseed}} hostname={{hostname}}"
                """);

        try (Server small = new Server(tmp.resolve("small"), data, 10);
                Server large = new Server(tmp.resolve("large"), data, 100_000)) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String choose = "/ipxe/" + MAC_URL + "/choose/debian";
            String file = "/tftp/undionly.kpxe";
            for (int i = 0; i < WARMUP; i++) {
                for (Server s : new Server[] {small, large}) {
                    time(client, s, choose);
                    time(client, s, file);
                }
            }
            long[][] t = new long[4][ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                // alternate which goes first, so neither always follows the other's garbage
                boolean smallFirst = i % 2 == 0;
                for (int j = 0; j < 2; j++) {
                    if ((j == 0) == smallFirst) {
                        t[0][i] = time(client, small, choose);
                        t[2][i] = time(client, small, file);
                    } else {
                        t[1][i] = time(client, large, choose);
                        t[3][i] = time(client, large, file);
                    }
                }
            }
            long cs = median(t[0]);
            long cl = median(t[1]);
            long fs = median(t[2]);
            long fl = median(t[3]);
            System.out.printf("MachineScaleTest medians (us): choose 10=%d 100k=%d, file 10=%d 100k=%d%n",
                    cs / 1000, cl / 1000, fs / 1000, fl / 1000);
            assertTrue(cl <= 2 * cs, "choose with 100,000 records: median " + cl / 1000 + " us, with 10: " + cs / 1000 + " us");
            assertTrue(fl <= 2 * fs, "file GET with 100,000 records: median " + fl / 1000 + " us, with 10: " + fs / 1000 + " us");
        }
    }

    private static long time(HttpClient client, Server s, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(s.base + path)).timeout(Duration.ofSeconds(30)).build();
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
        long t = System.nanoTime() - t0;
        assertEquals(200, r.statusCode(), path + ": " + new String(r.body()));
        return t;
    }

    private static long median(long[] a) {
        long[] c = a.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /**
     * An HTTP service over its own database holding {@code extra} other machines (NEW, as unknown
     * MACs create them, each seen from its own address) besides the test machine, which DHCP knows
     * at 127.0.0.1 (so it is the machine itself that chooses).
     */
    static final class Server implements AutoCloseable {
        final Database db;
        final HttpService http;
        final String base;

        Server(Path dir, Path data, int extra) throws Exception {
            db = Database.open(dir.resolve("astralboot.db"));
            var map = db.db().hashMap("machines", Serializer.STRING, Serializer.STRING).createOrOpen();
            for (int i = 0; i < extra; i++) {
                String hex = String.format("02%010x", i);
                String ip = "198.18." + (i >> 8 & 0xFF) + "." + (i & 0xFF);
                map.put(hex, "{\"state\":\"NEW\",\"os\":\"\",\"class\":\"\",\"ip\":\"" + ip
                        + "\",\"firstSeen\":0,\"updated\":0}");
            }
            db.commit();
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Inet4Address lo = Ipv4.parse("127.0.0.1");
            base = "http://127.0.0.1:" + port;
            Config cfg = Config.defaults("lo", lo, 8, dir).withData(data)
                    .withHttp(new Config.Http(lo, port, URI.create(base)));
            MacAddress me = MacAddress.parse(MAC);
            HostLookup hosts = new HostLookup() {
                @Override
                public Optional<HostInfo> byMac(MacAddress mac) {
                    return mac.equals(me) ? Optional.of(new HostInfo(mac, lo, "scale")) : Optional.empty();
                }

                @Override
                public Optional<HostInfo> byAddress(Inet4Address address) {
                    return Optional.empty(); // file GETs fall back to the machine records
                }
            };
            http = new HttpService(cfg, new LocalBootStore(data), db, hosts);
            http.start();
        }

        @Override
        public void close() {
            http.close();
            db.close();
        }
    }
}

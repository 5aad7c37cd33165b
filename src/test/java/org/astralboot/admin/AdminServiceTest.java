package org.astralboot.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.http.HttpService;
import org.astralboot.net.HostInfo;
import org.astralboot.net.HostLookup;
import org.astralboot.net.MacAddress;
import org.astralboot.net.Ipv4;
import org.astralboot.store.LocalBootStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener beside a real HTTP boot service on loopback: a boot driven over HTTP shows up
 * in the events API in order, in the machines list and in {@code /metrics}; the token is enforced;
 * operator actions change the machine record.
 */
class AdminServiceTest {
    private static final String MAC = "52:54:00:12:34:56";
    private static final String TOKEN = "0123456789abcdef0123";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private Database db;
    private HttpService http;
    private AdminService admin;
    private BootWatch watch;
    private String boot;
    private String api;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path data = tmp.resolve("data");
        Path deb = Files.createDirectories(data.resolve("boot/debian/images"));
        Files.write(deb.resolve("linux"), new byte[50_000]);
        Files.write(deb.resolve("initrd.gz"), new byte[20_000]);
        Files.writeString(data.resolve("boot/debian/os.toml"), """
                description = "Debian"
                kernel = "linux"
                initrd = ["initrd.gz"]
                cmdline = "console=ttyS0"
                """);
        int port = freePort();
        var lo = Ipv4.parse("127.0.0.1");
        boot = "http://127.0.0.1:" + port;
        Config cfg = Config.defaults("lo", lo, 8, tmp).withData(data)
                .withHttp(new Config.Http(lo, port, URI.create(boot), Config.Http.DEFAULT_FILE_THREADS,
                        Config.Http.DEFAULT_SCRIPT_THREADS, Config.Http.DEFAULT_MIN_SEND_RATE,
                        Config.Http.DEFAULT_SEND_RATE_WINDOW, 100_000))
                .withMenu(new Config.Menu("debian", 7));
        db = Database.open(tmp.resolve("astralboot.db"));
        watch = new BootWatch(1000);
        // As DHCP would tell: the machine has a lease on 127.0.0.1, so it may choose and its file
        // requests are tied to its MAC.
        HostLookup lease = new HostLookup() {
            @Override
            public java.util.Optional<HostInfo> byMac(MacAddress mac) {
                return mac.toString().equals(MAC) ? java.util.Optional.of(new HostInfo(mac, lo, "node1")) : java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<HostInfo> byAddress(java.net.Inet4Address a) {
                return a.equals(lo) ? byMac(MacAddress.parse(MAC)) : java.util.Optional.empty();
            }
        };
        http = new HttpService(cfg, new LocalBootStore(data), db, lease, watch);
        http.start();
        int adminPort = freePort();
        api = "http://127.0.0.1:" + adminPort;
        admin = new AdminService(new AdminSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort), TOKEN),
                watch, http.machines(), http.catalog(), lease, () -> Map.of("server", "127.0.0.1"));
        admin.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (http != null) {
            http.close();
        }
        if (db != null) {
            db.close();
        }
        client.close();
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void bootOverHttp() throws Exception {
        assertEquals(200, get(boot + "/boot.ipxe", null).statusCode());
        assertEquals(200, get(boot + "/ipxe/" + MAC, null).statusCode()); // a new machine: menu (default debian)
        assertEquals(200, get(boot + "/ipxe/" + MAC + "/choose/debian", null).statusCode());
        assertEquals(200, get(boot + "/os/debian/images/linux", null).statusCode());
        awaitEvent("http_kernel");
        assertEquals(200, get(boot + "/os/debian/images/initrd.gz", null).statusCode());
        // A file's event is recorded when Undertow completes the exchange, which may come just after
        // the client has read the last byte and sent its next request: wait for it, as a machine's
        // next step would come later anyway.
        awaitEvent("http_initrd");
        assertEquals(404, get(boot + "/os/debian/images/missing", null).statusCode());
        awaitEvent("http_refused");
    }

    private void awaitEvent(String kind) throws Exception {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!get(api + "/api/v1/machines/52-54-00-12-34-56/events", TOKEN).body().contains("\"" + kind + "\"")) {
            assertTrue(System.nanoTime() < end, kind + " never recorded");
            Thread.sleep(10);
        }
    }

    @Test
    void everyRouteButThePageNeedsTheToken() throws Exception {
        for (String p : List.of("/api/v1/machines", "/api/v1/events", "/metrics", "/api/v1/status",
                "/api/v1/machines/" + MAC + "/events")) {
            HttpResponse<String> r = get(api + p, null);
            assertEquals(401, r.statusCode(), p);
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), p);
            assertEquals(401, get(api + p, "wrong-token-wrong-token").statusCode(), p);
            assertEquals(200, get(api + p, TOKEN).statusCode(), p);
        }
        HttpResponse<String> page = get(api + "/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("admin.js"), page.body());
        assertEquals(200, get(api + "/admin.js", null).statusCode());
        assertEquals(200, get(api + "/admin.css", null).statusCode());
        assertEquals(404, get(api + "/nothing", TOKEN).statusCode());
    }

    @Test
    void aBootShowsItsStepsInOrderAndMovesTheCounters() throws Exception {
        bootOverHttp();
        JsonNode events = JSON.readTree(get(api + "/api/v1/machines/52-54-00-12-34-56/events", TOKEN).body());
        List<String> kinds = new ArrayList<>();
        events.forEach(e -> kinds.add(e.path("kind").asText()));
        assertEquals(List.of("http_entry", "http_start", "http_menu", "http_choice", "http_kernel", "http_initrd",
                "http_refused"), kinds);
        for (JsonNode e : events) {
            assertEquals(MAC, e.path("mac").asText());
            assertEquals("127.0.0.1", e.path("ip").asText());
        }
        assertEquals("debian", events.get(3).path("detail").asText());
        assertEquals(50_000, events.get(4).path("bytes").asLong());
        assertEquals("boot/debian/images/linux", events.get(4).path("detail").asText());
        assertEquals(20_000, events.get(5).path("bytes").asLong());
        assertTrue(events.get(6).path("detail").asText().startsWith("404 GET /os/debian/images/missing"),
                events.get(6).toString());
        assertTrue(events.get(6).path("failure").asBoolean());

        JsonNode machines = JSON.readTree(get(api + "/api/v1/machines", TOKEN).body());
        assertEquals(1, machines.size());
        JsonNode m = machines.get(0);
        assertEquals(MAC, m.path("mac").asText());
        assertEquals("chosen", m.path("state").asText());
        assertEquals("debian", m.path("os").asText());
        assertEquals("initrd", m.path("step").asText());
        assertEquals("node1", m.path("hostname").asText());
        assertTrue(m.path("last_error").asText().contains("missing"), m.toString());

        // Requests are counted when Undertow completes the exchange, after the client has its reply.
        String last = "astralboot_http_requests_total{route=\"os\",status=\"404\"} 1.0";
        String metrics = get(api + "/metrics", TOKEN).body();
        for (long end = System.nanoTime() + 5_000_000_000L; !metrics.contains(last) && System.nanoTime() < end; ) {
            Thread.sleep(10);
            metrics = get(api + "/metrics", TOKEN).body();
        }
        assertTrue(metrics.contains("astralboot_http_requests_total{route=\"os\",status=\"200\"} 2.0"), metrics);
        assertTrue(metrics.contains("astralboot_http_requests_total{route=\"os\",status=\"404\"} 1.0"), metrics);
        assertTrue(metrics.contains("astralboot_http_requests_total{route=\"entry\",status=\"200\"} 1.0"), metrics);
        assertTrue(metrics.contains("astralboot_boots_started_total{firmware=\"unknown\",source=\"menu\"} 1.0"), metrics);
        assertTrue(metrics.contains("astralboot_boots_completed_total{firmware=\"unknown\",source=\"menu\"} 1.0"), metrics);
    }

    @Test
    void theStreamCarriesNewEventsAsTheyHappen() throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/events?token=" + TOKEN))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(1000);
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    if (l.startsWith("data: ")) {
                        lines.add(l.substring(6));
                    }
                }
            } catch (Exception e) {
                // closed at the end of the test
            }
        });
        assertEquals(200, get(boot + "/ipxe/" + MAC, null).statusCode());
        String first = lines.poll(10, TimeUnit.SECONDS);
        assertNotNull(first, "no event on the stream");
        JsonNode e = JSON.readTree(first);
        assertEquals("http_start", e.path("kind").asText());
        assertEquals(MAC, e.path("mac").asText());
        reader.interrupt();
    }

    @Test
    void operatorActionsGoThroughTheRegistry() throws Exception {
        bootOverHttp();
        HttpResponse<String> r = post("/api/v1/machines/52-54-00-12-34-56", "{\"action\":\"installed\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("installed", http.machines().get(org.astralboot.net.MacAddress.parse(MAC)).orElseThrow().state().name()
                .toLowerCase());
        r = post("/api/v1/machines/" + MAC, "{\"action\":\"reinstall\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("chosen", JSON.readTree(r.body()).path("state").asText());
        assertEquals(400, post("/api/v1/machines/" + MAC, "{\"action\":\"set\",\"os\":\"nosuch\"}").statusCode());
        assertEquals(400, post("/api/v1/machines/" + MAC, "{\"action\":\"explode\"}").statusCode());
        assertEquals(400, post("/api/v1/machines/not-a-mac", "{\"action\":\"forget\"}").statusCode());
        r = post("/api/v1/machines/" + MAC, "{\"action\":\"forget\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(http.machines().get(org.astralboot.net.MacAddress.parse(MAC)).isEmpty());
        assertEquals(0, JSON.readTree(get(api + "/api/v1/machines", TOKEN).body()).size());
        r = post("/api/v1/machines/" + MAC, "{\"action\":\"set\",\"os\":\"debian\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("debian", http.machines().get(org.astralboot.net.MacAddress.parse(MAC)).orElseThrow().os());
        List<String> ops = new ArrayList<>();
        watch.ring().byMac(MAC).stream().filter(e -> e.kind() == org.astralboot.events.BootEvent.Kind.OPERATOR)
                .forEach(e -> ops.add(e.detail()));
        assertEquals(List.of("marked installed", "reinstall debian", "forgotten", "set debian"), ops);
    }

    @Test
    void refusesToStartBeyondLoopbackWithoutAToken() {
        AdminService open = new AdminService(new AdminSettings(new InetSocketAddress("192.0.2.1", 9080), ""), watch,
                http.machines(), http.catalog(), HostLookup.NONE, Map::of);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, open::start);
        assertTrue(e.getMessage().contains("[admin] token"), e.getMessage());
    }
}

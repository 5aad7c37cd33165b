package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.astralboot.boot.MachineState;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.net.HostInfo;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.LocalBootStore;
import org.astralboot.store.TreePath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the real {@link HttpService} on 127.0.0.1 over a temporary boot tree and fetches every
 * route with java.net.http, curl and a raw socket (for request targets no client would send).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpServiceTest {
    static final String MAC = "52:54:00:12:34:56";
    static final String MAC_URL = "52-54-00-12-34-56";
    /** Known to DHCP with a reservation-style host name. */
    static final String DB1 = "52:54:00:00:00:01";
    static final String SECRET = "TOP-SECRET-OUTSIDE-THE-TREE";

    Path tmp;
    Path data;
    HttpService http;
    Database db;
    String base;
    int port;
    byte[] kernel;
    byte[] initrd;
    byte[] undionly;
    final AtomicBoolean storeDown = new AtomicBoolean();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        tmp = dir;
        data = tmp.resolve("data");
        Random rnd = new Random(42);
        kernel = new byte[300_001];
        initrd = new byte[123_457];
        undionly = new byte[70_345];
        rnd.nextBytes(kernel);
        rnd.nextBytes(initrd);
        rnd.nextBytes(undionly);
        Path tftp = Files.createDirectories(data.resolve("tftp"));
        Files.write(tftp.resolve("undionly.kpxe"), undionly);
        Files.write(tftp.resolve("ipxe.efi"), Arrays.copyOf(undionly, 1000));
        Files.write(tftp.resolve("short.bin"), Arrays.copyOf(undionly, 200_000));
        for (String name : List.of("filling.bin", "filling-rejected.bin", "stream-rejected.bin", "forged.bin")) {
            Files.write(tftp.resolve(name), undionly);
        }

        Path deb = Files.createDirectories(data.resolve("boot/debian/images"));
        Files.write(deb.resolve("linux"), kernel);
        Files.write(deb.resolve("initrd.gz"), initrd);
        Files.writeString(data.resolve("boot/debian/os.toml"), """
                description = "Debian 12 installer"
                kernel = "linux"
                initrd = ["initrd.gz"]
                cmdline = "auto=true priority=critical url={{templates.preseed}} hostname={{hostname}} domain={{domain}}"
                """);

        Path fl = Files.createDirectories(data.resolve("boot/flatcar/images"));
        Files.write(fl.resolve("flatcar.vmlinuz"), Arrays.copyOf(kernel, 5000));
        Files.write(fl.resolve("flatcar.cpio.gz"), Arrays.copyOf(initrd, 6000));
        Files.writeString(data.resolve("boot/flatcar/os.toml"), """
                description = "Flatcar (diskless)"
                kernel = "flatcar.vmlinuz"
                initrd = ["flatcar.cpio.gz"]
                cmdline = "flatcar.first_boot=1 cloud-config-url={{templates.cloud-config}}"
                classes = ["control", "worker"]
                """);
        Path flt = Files.createDirectories(data.resolve("boot/flatcar/template"));
        Files.writeString(flt.resolve("members.mustache"),
                "{{#cluster}}{{hostname}} {{ip}}{{#self}} self{{/self}}\n{{/cluster}}");

        Files.createDirectories(data.resolve("boot/broken/images"));
        Files.write(data.resolve("boot/broken/images/linux"), kernel);
        Files.writeString(data.resolve("boot/broken/os.toml"), "kernel = \n");

        Files.createDirectories(data.resolve("boot/nokernel"));
        Files.writeString(data.resolve("boot/nokernel/os.toml"), "kernel = \"vmlinuz\"\n");

        Files.createDirectories(data.resolve("boot/badtpl/images"));
        Files.write(data.resolve("boot/badtpl/images/k"), new byte[10]);
        Files.writeString(data.resolve("boot/badtpl/os.toml"), "kernel = \"k\"\n");
        Files.createDirectories(data.resolve("boot/badtpl/template"));
        Files.writeString(data.resolve("boot/badtpl/template/boot.mustache"), "#!ipxe\nkernel {{kernel_url}} {{no_such_key}}\n");

        // Things outside the tree, and links pointing at them.
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.createSymbolicLink(deb.resolve("escape"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(deb.resolve("dir"), outside);
        Files.createSymbolicLink(tftp.resolve("up"), Path.of("../../outside/secret.txt"));

        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Inet4Address lo = Ipv4.parse("127.0.0.1");
        base = "http://127.0.0.1:" + port;
        Config cfg = Config.defaults("lo", lo, 8, tmp)
                .withData(data)
                // Every simulated machine comes from 127.0.0.1: no per-client connection cap here.
                .withHttp(new Config.Http(lo, port, URI.create(base), Config.Http.DEFAULT_FILE_THREADS,
                        Config.Http.DEFAULT_SCRIPT_THREADS, Config.Http.DEFAULT_MIN_SEND_RATE,
                        Config.Http.DEFAULT_SEND_RATE_WINDOW, 100_000))
                .withMenu(new Config.Menu("debian", 7));
        db = Database.open(tmp.resolve("astralboot.db"));
        HostLookup hosts = new HostLookup() {
            @Override
            public Optional<HostInfo> byMac(MacAddress mac) {
                return mac.equals(MacAddress.parse(DB1))
                        ? Optional.of(new HostInfo(mac, Ipv4.parse("192.0.2.50"), "db1")) : Optional.empty();
            }

            @Override
            public Optional<HostInfo> byAddress(Inet4Address address) {
                return Optional.empty();
            }

            @Override
            public Optional<String> leaseReport(boolean all) {
                return Optional.of(all ? "ALL LEASES\n" : "LEASES\n");
            }
        };
        BootStore local = new LocalBootStore(data);
        // The IPFS store reports UNAVAILABLE when its node is down; this wrapper does the same on demand.
        BootStore store = new BootStore() {
            @Override
            public String describe() {
                return local.describe();
            }

            @Override
            public Optional<List<Entry>> list(TreePath dir) throws BootStoreException {
                down();
                return local.list(dir);
            }

            @Override
            public Optional<BootFile> file(TreePath path) throws BootStoreException {
                down();
                Optional<BootFile> f = local.file(path);
                if (f.isPresent() && path.toString().equals("tftp/short.bin")) {
                    // announces more than the source delivers, as a truncated IPFS block would
                    return Optional.of(new Short(f.get()));
                }
                if (f.isPresent() && path.toString().equals("tftp/filling.bin")) {
                    return Optional.of(new Filling(f.get(), false));
                }
                if (f.isPresent() && path.toString().equals("tftp/filling-rejected.bin")) {
                    return Optional.of(new Filling(f.get(), true));
                }
                if (f.isPresent() && path.toString().equals("tftp/forged.bin")) {
                    return Optional.of(new Forged(f.get()));
                }
                if (f.isPresent() && path.toString().equals("tftp/stream-rejected.bin")) {
                    return Optional.of(new Rejected(f.get()));
                }
                if (f.isPresent() && path.toString().startsWith("boot/flatcar/images/")) {
                    return Optional.of(new ContentAddressed(f.get())); // as the IPFS store answers
                }
                return f;
            }

            private void down() throws BootStoreException {
                if (storeDown.get()) {
                    throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, "IPFS node not answering");
                }
            }
        };
        http = new HttpService(cfg, store, db, hosts);
        http.start();
    }

    /**
     * A test file over a real one: its path, size and bytes, but content-addressed (immutable,
     * no meaningful mtime) and with no local path, so it is streamed rather than sent zero-copy.
     */
    interface Over extends BootFile {
        BootFile inner();

        @Override
        default TreePath path() {
            return inner().path();
        }

        @Override
        default long size() {
            return inner().size();
        }

        @Override
        default java.time.Instant lastModified() {
            return java.time.Instant.EPOCH;
        }

        @Override
        default boolean immutable() {
            return true;
        }

        @Override
        default InputStream open(long offset, long length) throws IOException {
            return inner().open(offset, length);
        }
    }

    /** A file with no local path (so it is streamed, not sent zero-copy) named by its content. */
    record ContentAddressed(BootFile inner) implements Over {
        @Override
        public String etag() {
            return "bafkreifake" + Long.toHexString(inner.size());
        }
    }

    /**
     * A download in progress, as the IPFS store hands it over: a local file that becomes readable
     * 64 KiB at a time; its final check fails when {@code reject}.
     */
    record Filling(BootFile inner, boolean reject) implements Over {
        @Override
        public String etag() {
            return "filling";
        }

        @Override
        public Optional<org.astralboot.store.GrowingFile> openGrowing(long offset, long length) throws IOException {
            java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(inner.localPath().orElseThrow());
            long size = size();
            return Optional.of(new org.astralboot.store.GrowingFile() {
                @Override
                public java.nio.channels.FileChannel channel() {
                    return ch;
                }

                @Override
                public long readable(long pos) throws IOException {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Math.min(size, pos + 65536);
                }

                @Override
                public void finish() throws IOException {
                    if (reject) {
                        throw new BootStoreException(BootStoreException.Kind.CORRUPT, "length check failed");
                    }
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            });
        }
    }

    /** Streams every byte, then its end-of-file read reports that the store rejected the file. */
    record Rejected(BootFile inner) implements Over {
        @Override
        public String etag() {
            return "rejected";
        }

        @Override
        public InputStream open(long offset, long length) throws IOException {
            return new java.io.FilterInputStream(inner.open(offset, length)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n < 0) {
                        throw new BootStoreException(BootStoreException.Kind.CORRUPT, "checksum failed");
                    }
                    return n;
                }
            };
        }
    }

    /** Its first block fails verification against its CID, as the IPFS store reports it. */
    record Forged(BootFile inner) implements Over {
        @Override
        public String etag() {
            return "forged";
        }

        @Override
        public InputStream open(long offset, long length) throws IOException {
            throw new BootStoreException(BootStoreException.Kind.CORRUPT,
                    "tftp/forged.bin: content failed verification against its CID: bafkreiexample: block data does not hash to its CID (altered)");
        }
    }

    /** Claims 1000 bytes more than its source has; the source just ends. */
    record Short(BootFile inner) implements Over {
        @Override
        public long size() {
            return inner.size() + 1000;
        }

        @Override
        public String etag() {
            return "short";
        }

        @Override
        public InputStream open(long offset, long length) throws IOException {
            return inner.open(0, inner.size());
        }
    }

    @AfterAll
    void stop() {
        if (http != null) {
            http.close();
        }
        if (db != null) {
            db.close();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        return send("GET", path, headers);
    }

    HttpResponse<byte[]> send(String method, String path, String... headers) throws Exception {
        return sendAs(method, withKey(path), headers);
    }

    /**
     * Routes only a machine itself may use (choose, installed, templates) get that machine's key, as
     * the scripts the server hands the machine carry it: these tests come from 127.0.0.1, which is
     * no machine's lease or neighbour. MachineAccessIT covers the refusals.
     */
    String withKey(String path) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^/(?:ipxe/([^/?]+)/choose/|machine/([^/?]+)/(?:installed|template/))[^?]*$").matcher(path);
        if (!m.matches()) {
            return path;
        }
        try {
            return path + keyQ(MacAddress.parse(m.group(1) != null ? m.group(1) : m.group(2)).toString());
        } catch (IllegalArgumentException e) {
            return path;
        }
    }

    /** {@code ?key=<the machine's key>} */
    String keyQ(String mac) {
        return "?key=" + http.machines().keys().of(MacAddress.parse(mac));
    }

    HttpResponse<byte[]> sendAs(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** A reply read off a raw socket. */
    record Raw(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    /** Sends {@code target} exactly as given, which java.net.http and curl would normalise. */
    Raw raw(String method, String target, String... headers) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] all = s.getInputStream().readAllBytes();
            String head = new String(all, StandardCharsets.ISO_8859_1);
            int end = head.indexOf("\r\n\r\n");
            String[] lines = head.substring(0, end).split("\r\n");
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                h.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
            }
            return new Raw(Integer.parseInt(lines[0].split(" ")[1]), h, Arrays.copyOfRange(all, end + 4, all.length));
        }
    }

    record Curl(int status, String headers, byte[] body) {
    }

    /** Runs curl (the real peer) with {@code args}; returns status, header block and body. */
    Curl curl(String... args) throws Exception {
        Path body = Files.createTempFile(tmp, "curl", ".body");
        Path hdr = Files.createTempFile(tmp, "curl", ".hdr");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-o", body.toString(),
                "-D", hdr.toString(), "-w", "%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), "curl failed: " + out);
        return new Curl(Integer.parseInt(out.substring(out.length() - 3)), Files.readString(hdr), Files.readAllBytes(body));
    }

    // ---- the iPXE flow --------------------------------------------------------------------------

    @Test
    void leaseTableIsServedToThisHost() throws Exception {
        HttpResponse<byte[]> r = get("/leases");
        assertEquals(200, r.statusCode());
        assertEquals("LEASES\n", text(r));
        assertEquals("ALL LEASES\n", text(get("/leases?all=1")));
        assertEquals(405, send("POST", "/leases").statusCode());
    }

    @Test
    void entryScriptChainsToThePerMachineStartWithTheBootNicsMac() throws Exception {
        HttpResponse<byte[]> r = get("/boot.ipxe");
        assertEquals(200, r.statusCode());
        String s = text(r);
        assertTrue(s.startsWith("#!ipxe\n"), s);
        assertTrue(s.contains("chain --autofree " + base + "/ipxe/${mac:hexhyp}"), s);
        assertFalse(s.contains("net0/mac"), "on multi-NIC hosts ${net0/mac} is not the NIC that booted");
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals(r.body().length, Integer.parseInt(r.headers().firstValue("Content-Length").orElseThrow()));
        Curl c = curl(base + "/boot.ipxe");
        assertEquals(200, c.status());
        assertEquals(s, new String(c.body(), StandardCharsets.UTF_8));
    }

    @Test
    void newMachineGetsTheMenuWithDefaultTimeoutLocalDiskAndShell() throws Exception {
        String mac = "52-54-00-aa-00-01";
        String s = text(get("/ipxe/" + mac));
        assertTrue(s.startsWith("#!ipxe\n"), s);
        assertTrue(s.contains("item os-debian Debian 12 installer\n"), s);
        assertTrue(s.contains("item os-flatcar Flatcar (diskless) >\n"), s);
        assertTrue(s.contains("item os-badtpl"), s);
        assertFalse(s.contains("os-broken"), "a broken os.toml is skipped");
        assertTrue(s.contains("item local Boot from local disk"), s);
        assertTrue(s.contains("item shell iPXE shell"), s);
        assertTrue(s.contains("choose --default os-debian --timeout 7000 target"), s);
        assertTrue(s.contains("chain " + base + "/ipxe/" + mac + "/choose/debian || goto menu"), s);
        assertTrue(s.contains("chain " + base + "/ipxe/" + mac + "/classes/flatcar || goto menu"), s);
        assertTrue(s.contains("sanboot --no-describe --drive 0x80"), s);
        assertEquals(MachineState.NEW, http.machines().get(MacAddress.parse(mac)).orElseThrow().state());
        assertEquals(s, text(get("/ipxe/" + mac + "/menu")));
    }

    @Test
    void classMenuListsTheClasses() throws Exception {
        String s = text(get("/ipxe/52-54-00-aa-00-02/classes/flatcar"));
        assertTrue(s.contains("item class-control control"), s);
        assertTrue(s.contains("item class-worker worker"), s);
        assertTrue(s.contains("chain " + base + "/ipxe/52-54-00-aa-00-02/choose/flatcar/worker"), s);
        assertTrue(s.contains(":back\nexit 1"), s);
    }

    @Test
    void choosingAnOsRecordsItAndReturnsTheBootScriptThenTheChoiceSticks() throws Exception {
        HttpResponse<byte[]> r = get("/ipxe/" + MAC_URL + "/choose/debian");
        assertEquals(200, r.statusCode());
        String s = text(r);
        String img = base + "/os/debian/images/";
        assertTrue(s.contains("kernel " + img + "linux initrd=initrd.gz auto=true priority=critical url="
                + base + "/machine/" + MAC_URL + "/template/preseed" + keyQ(MAC) + " hostname=node1 domain=local || goto failed"), s);
        assertTrue(s.contains("initrd --name initrd.gz " + img + "initrd.gz || goto failed"), s);
        assertTrue(s.contains("\nboot || goto failed\n"), s);
        var m = http.machines().get(MacAddress.parse(MAC)).orElseThrow();
        assertEquals(MachineState.CHOSEN, m.state());
        assertEquals("debian", m.os());

        String start = text(get("/ipxe/" + MAC_URL));
        assertTrue(start.contains("prompt --key m --timeout 3000"), start);
        assertTrue(start.contains("chain " + base + "/ipxe/" + MAC_URL + "/boot || goto menu"), start);
        assertTrue(start.contains("chain " + base + "/ipxe/" + MAC_URL + "/menu"), start);
        // the machine's own script chain carries its key (a stranger's /boot has none: MachineAccessIT)
        assertEquals(s, text(get("/ipxe/" + MAC_URL + "/boot" + keyQ(MAC))));

        // colon and bare-hex MACs name the same machine
        assertEquals(s, text(get("/ipxe/" + MAC + "/boot" + keyQ(MAC))));
        assertEquals(s, text(get("/ipxe/525400123456/boot" + keyQ(MAC))));
    }

    @Test
    void headDoesNotRecordAChoice() throws Exception {
        String mac = "52:54:00:aa:00:03";
        assertEquals(200, send("HEAD", "/ipxe/" + mac + "/choose/debian").statusCode());
        assertTrue(http.machines().get(MacAddress.parse(mac)).isEmpty());
    }

    @Test
    void installEndHookSendsTheNextBootToTheLocalDiskWithAMenuEscape() throws Exception {
        String mac = "52-54-00-aa-00-04";
        String preseed = text(get("/ipxe/" + mac + "/choose/debian"));
        assertTrue(preseed.contains("kernel"), preseed);
        String p = text(get("/machine/" + mac + "/template/preseed"));
        assertTrue(p.contains("wget -q -O /dev/null " + base + "/machine/" + mac + "/installed" + keyQ(mac) + "\n"), p);

        Curl hook = curl("-X", "POST", base + "/machine/" + mac + "/installed" + keyQ(mac));
        assertEquals(200, hook.status());
        assertEquals(MachineState.INSTALLED, http.machines().get(MacAddress.parse(mac)).orElseThrow().state());
        // wget in the installer uses GET; a retried hook is harmless
        assertEquals(200, get("/machine/" + mac + "/installed").statusCode());

        String s = text(get("/ipxe/" + mac));
        assertTrue(s.contains("booting from local disk"), s);
        assertTrue(s.contains("prompt --key m --timeout 3000"), s);
        assertTrue(s.contains("iseq ${platform} efi && exit ||"), s);
        assertTrue(s.contains("sanboot --no-describe --drive 0x80 || exit"), s);
        assertFalse(s.contains("kernel "), "an installed machine must not reinstall");

        // the menu of an installed machine defaults to the local disk, so leaving it alone never reinstalls
        assertTrue(text(get("/ipxe/" + mac + "/menu")).contains("choose --default local --timeout 7000 target"));

        String status = text(get("/machine/" + mac));
        assertTrue(status.contains("\"state\":\"installed\""), status);
        assertTrue(status.contains("\"os\":\"debian\""), status);

        // choosing again from the menu is a deliberate reinstall
        get("/ipxe/" + mac + "/choose/debian");
        assertEquals(MachineState.CHOSEN, http.machines().get(MacAddress.parse(mac)).orElseThrow().state());
    }

    /**
     * An os.toml whose command line names one of its initrds itself (as the e2e test OS and many PXE
     * recipes do): the kernel line carries one {@code initrd=} per initrd, not that one twice.
     */
    @Test
    void aCommandLineThatNamesItsInitrdGetsNoSecondOne() throws Exception {
        Path named = Files.createDirectories(data.resolve("boot/named/images"));
        Files.write(named.resolve("linux"), new byte[100]);
        Files.write(named.resolve("a.gz"), new byte[10]);
        Files.write(named.resolve("b.img"), new byte[10]);
        Files.writeString(data.resolve("boot/named/os.toml"), """
                kernel = "linux"
                initrd = ["a.gz", "b.img"]
                cmdline = "console=ttyS0 initrd=a.gz e2eos=named"
                """);
        try {
            String s = text(get("/ipxe/52-54-00-aa-00-0e/choose/named"));
            String img = base + "/os/named/images/";
            assertTrue(s.contains("\nkernel " + img + "linux initrd=b.img console=ttyS0 initrd=a.gz e2eos=named || goto failed\n"),
                    s);
            assertEquals(2, s.split("initrd=", -1).length - 1, "one initrd= per initrd: " + s);
            assertTrue(s.contains("initrd --name a.gz " + img + "a.gz || goto failed"), s);
            assertTrue(s.contains("initrd --name b.img " + img + "b.img || goto failed"), s);
        } finally {
            for (String f : List.of("images/linux", "images/a.gz", "images/b.img", "images", "os.toml", "")) {
                Files.delete(data.resolve("boot/named").resolve(f));
            }
        }
    }

    @Test
    void anInstalledMachineBootsItsDiskEvenWhenItsOsLeftTheTree() throws Exception {
        Path gone = Files.createDirectories(data.resolve("boot/gone/images"));
        Files.write(gone.resolve("k"), new byte[100]);
        Files.writeString(data.resolve("boot/gone/os.toml"), "kernel = \"k\"\n");
        String mac = "52-54-00-aa-00-07";
        assertEquals(200, get("/ipxe/" + mac + "/choose/gone").statusCode());
        assertEquals(200, get("/machine/" + mac + "/installed").statusCode());
        Files.delete(gone.resolve("k"));
        Files.delete(data.resolve("boot/gone/os.toml"));
        Files.delete(gone);
        Files.delete(data.resolve("boot/gone"));
        assertFalse(text(get("/ipxe/" + mac + "/menu")).contains("os-gone"), "the OS list is re-read");
        String s = text(get("/ipxe/" + mac));
        assertTrue(s.contains("has gone installed; booting from local disk"), s);
        assertTrue(s.contains("sanboot --no-describe --drive 0x80"), s);
    }

    @Test
    void endHookOfAMachineThatNeverChoseIsRefused() throws Exception {
        String mac = "52-54-00-aa-00-05";
        assertEquals(404, get("/machine/" + mac + "/installed").statusCode());
        get("/ipxe/" + mac);
        assertEquals(409, get("/machine/" + mac + "/installed").statusCode());
        assertEquals(MachineState.NEW, http.machines().get(MacAddress.parse(mac)).orElseThrow().state());
        assertEquals(409, get("/machine/" + mac + "/template/preseed").statusCode());
    }

    // ---- templates --------------------------------------------------------------------------

    @Test
    void preseedIsRenderedForTheMachineAndUsesDhcpsNameAndAddress() throws Exception {
        get("/ipxe/" + DB1 + "/choose/debian");
        String p = text(get("/machine/" + DB1 + "/template/preseed"));
        assertTrue(p.contains("#### Astralboot preseed for db1.local (" + DB1 + ", 192.0.2.50)"), p);
        assertTrue(p.contains("d-i netcfg/get_hostname string db1\n"), p);
        assertTrue(p.contains("d-i netcfg/get_domain string local\n"), p);
        assertTrue(p.contains("d-i mirror/http/hostname string deb.debian.org\n"), p);
        assertFalse(p.contains("&amp;") || p.contains("&#"), "no HTML escaping");
        Curl c = curl(base + "/machine/" + DB1 + "/template/preseed" + keyQ(DB1));
        assertEquals(p, new String(c.body(), StandardCharsets.UTF_8));
    }

    @Test
    void machineIsIdentifiedByTheConnectionNotByForwardingHeaders() throws Exception {
        String mac = "52-54-00-aa-00-06";
        get("/ipxe/" + mac + "/choose/debian", "X-Forwarded-For", "10.9.9.9", "X-Real-IP", "10.9.9.8");
        String p = text(get("/machine/" + mac + "/template/preseed", "X-Forwarded-For", "10.9.9.9",
                "Forwarded", "for=10.9.9.7"));
        assertTrue(p.contains("(52:54:00:aa:00:06, 127.0.0.1)"), p);
        assertFalse(p.contains("10.9.9."), p);
        assertEquals("127.0.0.1", http.machines().get(MacAddress.parse(mac)).orElseThrow().lastIp());
    }

    @Test
    void cloudConfigListsClusterMembersOfTheSameOsAndClass() throws Exception {
        String a = "52-54-00-bb-00-01";
        String b = "52-54-00-bb-00-02";
        String w = "52-54-00-bb-00-03";
        String s = text(get("/ipxe/" + a + "/choose/flatcar/control"));
        assertTrue(s.contains("cloud-config-url=" + base + "/machine/" + a + "/template/cloud-config" + keyQ(a)), s);
        get("/ipxe/" + b + "/choose/flatcar/control");
        get("/ipxe/" + w + "/choose/flatcar/worker");
        String members = text(get("/machine/" + a + "/template/members"));
        assertEquals("node1 127.0.0.1 self\nnode1 127.0.0.1\n", members);
        String cc = text(get("/machine/" + a + "/template/cloud-config"));
        assertTrue(cc.startsWith("#cloud-config\n"), cc);
        assertTrue(cc.contains("hostname: \"node1\"\n"), cc);
        assertTrue(cc.contains("ASTRALBOOT_CLASS=control\""), cc);
        assertFalse(cc.contains("bb:00:03"), "worker is not in the control cluster");
        assertTrue(cc.contains("\"127.0.0.1 node1.local node1\\n127.0.0.1 node1.local node1\\n\""), cc);
    }

    @Test
    void templateErrorIs500AndAnIpxeScriptOnIpxeRoutes() throws Exception {
        String mac = "52-54-00-cc-00-01";
        HttpResponse<byte[]> r = get("/ipxe/" + mac + "/choose/badtpl");
        assertEquals(500, r.statusCode());
        String s = text(r);
        assertTrue(s.startsWith("#!ipxe\necho Astralboot error 500: template boot/badtpl/template/boot.mustache: No method or field with name 'no_such_key' on line 2"), s);
        assertTrue(s.contains("exit 1"), s);
        // iPXE does not run the body of an error reply, so iPXE itself gets the script with 200
        HttpResponse<byte[]> ipxe = get("/ipxe/" + mac + "/choose/badtpl", "User-Agent", "iPXE/1.21.1+ (g4bd064de)");
        assertEquals(200, ipxe.statusCode());
        assertEquals("500", ipxe.headers().firstValue("X-Astralboot-Status").orElseThrow());
        assertEquals(s, text(ipxe));
    }

    @Test
    void storeUnavailableIs503() throws Exception {
        storeDown.set(true);
        try {
            HttpResponse<byte[]> f = get("/tftp/undionly.kpxe");
            assertEquals(503, f.statusCode());
            assertTrue(f.headers().firstValue("Retry-After").isPresent());
            HttpResponse<byte[]> m = get("/ipxe/52-54-00-cc-00-02/menu");
            assertEquals(503, m.statusCode());
            assertTrue(text(m).startsWith("#!ipxe\necho Astralboot error 503: boot store unavailable"), text(m));
            assertEquals(200, get("/ipxe/52-54-00-cc-00-02/menu", "User-Agent", "iPXE/1.21.1").statusCode());
        } finally {
            storeDown.set(false);
        }
        assertEquals(200, get("/tftp/undionly.kpxe").statusCode());
    }

    @Test
    void contentThatFailsVerificationIs502NamingTheCid() throws Exception {
        HttpResponse<byte[]> f = get("/tftp/forged.bin");
        assertEquals(502, f.statusCode());
        assertTrue(text(f).contains("bafkreiexample"), text(f));
        assertEquals(200, get("/tftp/undionly.kpxe").statusCode(), "the server keeps serving");
    }

    // ---- files ----------------------------------------------------------------------------------

    @Test
    void filesHaveLengthTypeValidatorsAndAreExact() throws Exception {
        HttpResponse<byte[]> r = get("/os/debian/images/linux");
        assertEquals(200, r.statusCode());
        assertArrayEquals(kernel, r.body());
        assertEquals(Long.toString(kernel.length), r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElseThrow());
        assertTrue(r.headers().firstValue("ETag").orElseThrow().startsWith("\""));
        assertTrue(r.headers().firstValue("Last-Modified").isPresent());
        assertEquals("no-cache", r.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("application/gzip",
                get("/os/debian/images/initrd.gz").headers().firstValue("Content-Type").orElseThrow());
        HttpResponse<byte[]> u = get("/tftp/undionly.kpxe");
        assertArrayEquals(undionly, u.body());
        assertEquals("application/efi", get("/tftp/ipxe.efi").headers().firstValue("Content-Type").orElseThrow());

        Curl c = curl(base + "/os/debian/images/initrd.gz");
        assertEquals(200, c.status());
        assertArrayEquals(initrd, c.body());
        assertTrue(c.headers().toLowerCase(Locale.ROOT).contains("content-length: " + initrd.length), c.headers());
    }

    @Test
    void manyMachinesAtOnceGetExactFilesAndDurableChoices() throws Exception {
        int n = 40;
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> files = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> choices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String mac = String.format("52-54-00-ee-00-%02x", i);
            choices.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + withKey("/ipxe/" + mac + "/choose/debian"))).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/os/debian/images/linux"));
            if (i % 2 == 1) {
                b.header("Range", "bytes=" + (i * 1000) + "-" + (i * 1000 + 4095));
            }
            files.add(client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < n; i++) {
            HttpResponse<byte[]> r = files.get(i).get(60, TimeUnit.SECONDS);
            byte[] want = i % 2 == 1 ? Arrays.copyOfRange(kernel, i * 1000, i * 1000 + 4096) : kernel;
            assertArrayEquals(want, r.body(), "download " + i);
            assertEquals(200, choices.get(i).get(60, TimeUnit.SECONDS).statusCode());
            String mac = String.format("52:54:00:ee:00:%02x", i);
            assertEquals(MachineState.CHOSEN, http.machines().get(MacAddress.parse(mac)).orElseThrow().state(), mac);
        }
    }

    @Test
    void contentAddressedFilesAreStreamedAndMarkedImmutable() throws Exception {
        byte[] want = Arrays.copyOf(kernel, 5000);
        HttpResponse<byte[]> r = get("/os/flatcar/images/flatcar.vmlinuz");
        assertEquals(200, r.statusCode());
        assertArrayEquals(want, r.body());
        assertEquals("5000", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("public, max-age=31536000, immutable", r.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("\"bafkreifake1388\"", r.headers().firstValue("ETag").orElseThrow());
        HttpResponse<byte[]> part = get("/os/flatcar/images/flatcar.vmlinuz", "Range", "bytes=4990-");
        assertEquals(206, part.statusCode());
        assertArrayEquals(Arrays.copyOfRange(want, 4990, 5000), part.body());
        assertEquals(304, get("/os/flatcar/images/flatcar.vmlinuz", "If-None-Match", "\"bafkreifake1388\"").statusCode());
        Curl c = curl("-r", "0-99", base + "/os/flatcar/images/flatcar.vmlinuz");
        assertEquals(206, c.status());
        assertArrayEquals(Arrays.copyOf(want, 100), c.body());
    }

    @Test
    void aSourceThatEndsEarlyCutsTheConnectionInsteadOfSendingAShortFile() throws Exception {
        Raw r = raw("GET", "/tftp/short.bin");
        assertEquals(200, r.status());
        assertEquals("201000", r.headers().get("content-length"));
        assertTrue(r.body().length < 201_000, "the client must see a truncated reply: " + r.body().length);
        Path out = tmp.resolve("short.out");
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "20", "-o", out.toString(), base + "/tftp/short.bin")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(18, p.exitValue(), "curl: partial file");
        assertEquals(200, get("/tftp/undionly.kpxe").statusCode(), "the server keeps serving");
    }

    @Test
    void aFileStillFillingGoesOutWholeAndOneThatFailsItsFinalCheckNeverLooksComplete() throws Exception {
        Curl ok = curl(base + "/tftp/filling.bin");
        assertEquals(200, ok.status());
        assertArrayEquals(undionly, ok.body());
        for (String name : List.of("filling-rejected.bin", "stream-rejected.bin")) {
            // Every byte but the last is sent; the last waits for the store's final check.
            Raw r = raw("GET", "/tftp/" + name);
            assertEquals(200, r.status(), name);
            assertEquals(Integer.toString(undionly.length), r.headers().get("content-length"), name);
            assertEquals(undionly.length - 1, r.body().length, name);
            Path out = tmp.resolve(name + ".out");
            Process p = new ProcessBuilder("curl", "-sS", "--max-time", "20", "-o", out.toString(), base + "/tftp/" + name)
                    .redirectErrorStream(true).start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(18, p.exitValue(), "curl: partial file (" + name + ")");
        }
        assertEquals(200, get("/tftp/undionly.kpxe").statusCode(), "the server keeps serving");
    }

    @Test
    void headAnswersLengthWithoutBody() throws Exception {
        Raw r = raw("HEAD", "/os/debian/images/linux");
        assertEquals(200, r.status());
        assertEquals(Integer.toString(kernel.length), r.headers().get("content-length"));
        assertEquals(0, r.body().length);
        Curl c = curl("-I", base + "/tftp/undionly.kpxe");
        assertEquals(200, c.status());
        assertTrue(c.headers().toLowerCase(Locale.ROOT).contains("content-length: " + undionly.length), c.headers());
    }

    @Test
    void rangesGive206WithContentRangeAnd416WhenUnsatisfiable() throws Exception {
        HttpResponse<byte[]> r = get("/os/debian/images/linux", "Range", "bytes=1000-1999");
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(kernel, 1000, 2000), r.body());
        assertEquals("bytes 1000-1999/" + kernel.length, r.headers().firstValue("Content-Range").orElseThrow());
        assertEquals("1000", r.headers().firstValue("Content-Length").orElseThrow());

        HttpResponse<byte[]> suffix = get("/os/debian/images/linux", "Range", "bytes=-10");
        assertArrayEquals(Arrays.copyOfRange(kernel, kernel.length - 10, kernel.length), suffix.body());
        HttpResponse<byte[]> open = get("/os/debian/images/linux", "Range", "bytes=300000-");
        assertEquals(206, open.statusCode());
        assertEquals(1, open.body().length);

        HttpResponse<byte[]> bad = get("/os/debian/images/linux", "Range", "bytes=" + kernel.length + "-");
        assertEquals(416, bad.statusCode());
        assertEquals("bytes */" + kernel.length, bad.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(0, bad.body().length);

        // several ranges: the whole file (multipart is not offered)
        HttpResponse<byte[]> multi = get("/os/debian/images/linux", "Range", "bytes=0-1,5-6");
        assertEquals(200, multi.statusCode());
        assertEquals(kernel.length, multi.body().length);

        // If-Range with a stale validator: the whole file
        HttpResponse<byte[]> stale = get("/os/debian/images/linux", "Range", "bytes=0-9", "If-Range", "\"old\"");
        assertEquals(200, stale.statusCode());
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertEquals(206, get("/os/debian/images/linux", "Range", "bytes=0-9", "If-Range", etag).statusCode());

        Curl c = curl("-r", "10-19", base + "/tftp/undionly.kpxe");
        assertEquals(206, c.status());
        assertArrayEquals(Arrays.copyOfRange(undionly, 10, 20), c.body());
        assertTrue(c.headers().contains("bytes 10-19/" + undionly.length), c.headers());
        Curl c416 = curl("-r", "99999999-", base + "/tftp/undionly.kpxe");
        assertEquals(416, c416.status());
        // a Range on HEAD: the headers of the 206, no body (iPXE's HTTP block device probes like this)
        Raw h = raw("HEAD", "/tftp/undionly.kpxe", "Range", "bytes=0-511");
        assertEquals(206, h.status());
        assertEquals("512", h.headers().get("content-length"));
        assertEquals(0, h.body().length);
    }

    @Test
    void conditionalRequestsGive304() throws Exception {
        HttpResponse<byte[]> r = get("/tftp/undionly.kpxe");
        String etag = r.headers().firstValue("ETag").orElseThrow();
        String lm = r.headers().firstValue("Last-Modified").orElseThrow();
        HttpResponse<byte[]> inm = get("/tftp/undionly.kpxe", "If-None-Match", etag);
        assertEquals(304, inm.statusCode());
        assertEquals(0, inm.body().length);
        assertEquals(etag, inm.headers().firstValue("ETag").orElseThrow());
        assertEquals(304, get("/tftp/undionly.kpxe", "If-None-Match", "\"x\", W/" + etag).statusCode());
        assertEquals(304, get("/tftp/undionly.kpxe", "If-Modified-Since", lm).statusCode());
        assertEquals(200, get("/tftp/undionly.kpxe", "If-None-Match", "\"other\"").statusCode());
        assertEquals(200, get("/tftp/undionly.kpxe", "If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT").statusCode());
        // If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2)
        assertEquals(200, get("/tftp/undionly.kpxe", "If-None-Match", "\"other\"", "If-Modified-Since", lm).statusCode());
        Curl c = curl("-z", lm, base + "/tftp/undionly.kpxe");
        assertEquals(304, c.status());
    }

    @Test
    void filesOfBrokenOrUnknownOsesAreNotServed() throws Exception {
        assertEquals(404, get("/os/broken/images/linux").statusCode());
        assertEquals(404, get("/os/nope/images/linux").statusCode());
        assertEquals(404, get("/os/debian/images/nope").statusCode());
        assertEquals(404, get("/os/debian/os.toml").statusCode());
        assertEquals(404, get("/os/debian/images/").statusCode());
        assertEquals(404, get("/tftp/").statusCode());
        assertEquals(404, get("/tftp/nope.efi").statusCode());
    }

    // ---- bad input ------------------------------------------------------------------------------

    /** Request targets that try to leave the tree; every one must be a 404 that leaks nothing. */
    static final List<String> ESCAPES = List.of(
            "/os/debian/images/../os.toml",
            "/os/debian/images/../../../../outside/secret.txt",
            "/os/debian/images/%2e%2e/os.toml",
            "/os/debian/images/%2E%2E/%2E%2E/%2E%2E/%2E%2E/outside/secret.txt",
            "/os/debian/images/..%2f..%2f..%2f..%2foutside%2fsecret.txt",
            "/os/debian/images/%252e%252e/os.toml",
            "/os/debian/images/..%5c..%5cos.toml",
            "/os/debian/images/..\\..\\os.toml",
            "/os/debian/images/.%2e/os.toml",
            "/os/debian/images//etc/passwd",
            "/os/debian/images/escape",
            "/os/debian/images/dir/secret.txt",
            "/os/..%2f..%2foutside/images/secret.txt",
            "/os/../../outside/images/secret.txt",
            "/tftp/../boot/debian/os.toml",
            "/tftp/%2e%2e/%2e%2e/outside/secret.txt",
            "/tftp//etc/passwd",
            "/tftp/up",
            "/tftp/C:/Windows/win.ini",
            "/tftp/undionly.kpxe%00.txt",
            "/../../../etc/passwd",
            "/ipxe/../tftp/undionly.kpxe",
            "/machine/52-54-00-12-34-56/template/..%2f..%2fetc%2fpasswd",
            "/machine/52-54-00-12-34-56/template/../../tftp/undionly.kpxe");

    @Test
    void pathsLeavingTheTreeAre404OverARawSocket() throws Exception {
        get("/ipxe/" + MAC_URL + "/choose/debian"); // make the machine known, so only the path is wrong
        for (String target : ESCAPES) {
            Raw r = raw("GET", target);
            assertEquals(404, r.status(), target + " -> " + r.status() + " " + r.text());
            assertFalse(r.text().contains(SECRET) || r.text().contains("root:") || r.text().contains("kernel = "),
                    target + " leaked: " + r.text());
        }
        Raw abs = raw("GET", "http://127.0.0.1/os/debian/images/../../../../outside/secret.txt");
        assertEquals(404, abs.status(), abs.text());
        assertFalse(abs.text().contains(SECRET));
    }

    @Test
    void pathsLeavingTheTreeAre404WithCurlPathAsIs() throws Exception {
        for (String target : ESCAPES) {
            if (target.contains("\\")) {
                continue; // curl would send the backslash as-is too, but the raw-socket test covers it
            }
            Curl c = curl("--path-as-is", base + target);
            assertEquals(404, c.status(), target);
            assertFalse(new String(c.body(), StandardCharsets.ISO_8859_1).contains(SECRET), target);
        }
    }

    @Test
    void unknownOsClassMacAndTemplateAre404WithAReasonScriptOnIpxeRoutes() throws Exception {
        String[][] cases = {
            {"/ipxe/not-a-mac", "not a MAC address"},
            {"/ipxe/52-54-00-12-34-56-78", "not a MAC address"},
            {"/ipxe/" + MAC_URL + "/choose/nope", "unknown OS: nope"},
            {"/ipxe/" + MAC_URL + "/choose/broken", "unknown OS: broken"},
            {"/ipxe/" + MAC_URL + "/choose/flatcar", "needs a class"},
            {"/ipxe/" + MAC_URL + "/choose/flatcar/nope", "has no class nope"},
            {"/ipxe/" + MAC_URL + "/choose/debian/worker", "has no class worker"},
            {"/ipxe/" + MAC_URL + "/classes/debian", "has no classes"},
            {"/ipxe/" + MAC_URL + "/classes/nope", "unknown OS"},
            {"/ipxe/" + MAC_URL + "/choose/nokernel", "boot/nokernel/images/vmlinuz is missing"},
            {"/ipxe/52-54-00-dd-00-01/boot", "unknown machine"},
            {"/ipxe/" + MAC_URL + "/nope", "no such iPXE route"},
        };
        for (String[] c : cases) {
            HttpResponse<byte[]> r = get(c[0]);
            assertEquals(404, r.statusCode(), c[0]);
            String s = text(r);
            assertTrue(s.startsWith("#!ipxe\necho Astralboot error 404: "), c[0] + ": " + s);
            assertTrue(s.contains(c[1]), c[0] + ": " + s);
            assertTrue(s.endsWith("exit 1\n"), "returns failure so the caller goes back to its menu: " + s);
            HttpResponse<byte[]> i = get(c[0], "User-Agent", "iPXE/1.21.1+");
            assertEquals(200, i.statusCode(), c[0]);
            assertEquals("404", i.headers().firstValue("X-Astralboot-Status").orElseThrow());
        }
        assertTrue(http.machines().get(MacAddress.parse(MAC)).map(m -> !m.os().equals("nope")).orElse(true),
                "an unknown OS is never stored");
        String[] plain = {
            "/machine/52-54-00-dd-00-02/template/preseed",
            "/machine/" + MAC_URL + "/template/nope",
            "/machine/not-a-mac/template/preseed",
            "/machine/52-54-00-dd-00-02",
            "/nope",
            "/os/debian",
        };
        get("/ipxe/" + MAC_URL + "/choose/debian");
        for (String p : plain) {
            HttpResponse<byte[]> r = get(p);
            assertEquals(404, r.statusCode(), p);
            assertTrue(text(r).startsWith("404 "), p + ": " + text(r));
        }
    }

    @Test
    void ipxeScriptsNeverEchoUntrustedTextThatIpxeWouldExpand() throws Exception {
        String s = text(get("/ipxe/" + MAC_URL + "/choose/x$%7Bpasswd%7D"));
        assertFalse(s.contains("${passwd}") || s.contains("$%7B"), s);
        assertFalse(s.substring(s.indexOf('\n') + 1, s.length() - 1).lines().anyMatch(l -> l.startsWith("#!")));
    }

    @Test
    void onlyGetAndHeadExceptTheHook() throws Exception {
        HttpResponse<byte[]> r = send("POST", "/tftp/undionly.kpxe");
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
        assertEquals(405, send("DELETE", "/ipxe/" + MAC_URL + "/choose/debian").statusCode());
        assertEquals(405, send("PUT", "/boot.ipxe").statusCode());
    }

    @Test
    void bindFailureNamesAddressAndPort() throws Exception {
        Config cfg = Config.defaults("lo", Ipv4.parse("127.0.0.1"), 8, tmp)
                .withHttp(new Config.Http(Ipv4.parse("127.0.0.1"), port, URI.create(base)));
        try (Database other = Database.open(tmp.resolve("other.db"));
                HttpService second = new HttpService(cfg, new LocalBootStore(data), other, HostLookup.NONE)) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, second::start);
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        }
    }
}

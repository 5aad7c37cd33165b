package org.astralboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.astralboot.admin.AdminService;
import org.astralboot.admin.AdminSettings;
import org.astralboot.admin.BootWatch;
import org.astralboot.boot.MachineRegistry;
import org.astralboot.boot.OsCatalog;
import org.astralboot.boot.Templates;
import org.astralboot.db.Database;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.net.HostLookup;
import org.astralboot.net.MacAddress;
import org.astralboot.store.LocalBootStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code astralboot events} and {@code machines} against a running admin listener, as beside a server. */
class AdminCommandsTest {
    private static final String TOKEN = "cli-test-token-0123456789";
    private static final String MAC = "52:54:00:00:00:07";

    @TempDir
    Path dir;
    private Database db;
    private MachineRegistry registry;
    private AdminService admin;
    private Path cfg;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("boot/debian/images"));
        Files.write(data.resolve("boot/debian/images/linux"), new byte[10]);
        Files.writeString(data.resolve("boot/debian/os.toml"), "kernel = \"linux\"\n");
        db = Database.open(dir.resolve("astralboot.db"));
        registry = new MachineRegistry(db, Clock.systemUTC());
        LocalBootStore store = new LocalBootStore(data);
        BootWatch watch = new BootWatch(100);
        watch.emit(BootEvent.of(Kind.DHCP_DISCOVER, MAC, "", "bios", ""));
        watch.emit(BootEvent.of(Kind.DHCP_DISCOVER, "52:54:00:00:00:08", "", "efi-x64", ""));
        watch.emit(BootEvent.transfer(Kind.HTTP_KERNEL, MAC, "192.0.2.7", "", "boot/debian/images/linux", 10, 3));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        admin = new AdminService(new AdminSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TOKEN),
                watch, registry, new OsCatalog(store, new Templates(store)), HostLookup.NONE, Map::of);
        admin.start();
        cfg = dir.resolve("config.toml");
        Files.writeString(cfg, "interface = \"abdnone0\"\naddress = \"192.0.2.1\"\nipfs = false\n[admin]\nlisten = \"127.0.0.1:"
                + port + "\"\ntoken = \"" + TOKEN + "\"\n");
    }

    @AfterEach
    void stop() throws Exception {
        admin.close();
        db.close();
    }

    @Test
    void eventsPrintsTheKeptEventsOneLineEach() {
        Run r = run("events", "-c", cfg.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertTrue(lines[0].contains(MAC) && lines[0].contains("dhcp_discover") && lines[0].contains("bios"), lines[0]);
        assertTrue(lines[2].contains("http_kernel") && lines[2].contains("boot/debian/images/linux")
                && lines[2].endsWith("10 bytes in 3 ms"), lines[2]);
        Run one = run("events", "-c", cfg.toString(), "--mac", "52-54-00-00-00-07");
        assertEquals(0, one.code(), one.err());
        assertEquals(2, one.out().split("\n").length, one.out());
        assertFalse(one.out().contains("52:54:00:00:00:08"), one.out());
    }

    @Test
    void machinesListsAndChanges() throws Exception {
        Run set = run("machines", "-c", cfg.toString(), MAC, "--set", "debian");
        assertEquals(0, set.code(), set.err());
        assertEquals(MAC + " chosen debian\n", set.out());
        assertEquals("debian", registry.get(MacAddress.parse(MAC)).orElseThrow().os());
        Run list = run("machines", "-c", cfg.toString());
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().startsWith("MAC "), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(MAC) && l.contains("chosen") && l.contains("debian")
                && l.contains("kernel")), list.out());
        Run unknown = run("machines", "-c", cfg.toString(), MAC, "--set", "nosuch");
        assertEquals(ExitCode.CONFIG, unknown.code());
        assertTrue(unknown.err().contains("unknown OS: nosuch"), unknown.err());
        Run forget = run("machines", "-c", cfg.toString(), MAC, "--forget");
        assertEquals(0, forget.code(), forget.err());
        assertTrue(registry.get(MacAddress.parse(MAC)).isEmpty());
        assertEquals(ExitCode.CONFIG, run("machines", "-c", cfg.toString(), MAC).code(), "a MAC without an action");
    }

    @Test
    void aWrongTokenOrNoServerIsAFailure() throws Exception {
        Files.writeString(cfg, Files.readString(cfg).replace(TOKEN, "not-the-token-0123456789"));
        Run r = run("events", "-c", cfg.toString());
        assertEquals(ExitCode.FAILURE, r.code());
        assertTrue(r.err().contains("401"), r.err());
        admin.close();
        r = run("machines", "-c", cfg.toString());
        assertEquals(ExitCode.FAILURE, r.code());
        assertTrue(r.err().contains("no astralboot server answered"), r.err());
    }
}

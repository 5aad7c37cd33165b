package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.astralboot.boot.BootDecision.Boot;
import org.astralboot.boot.BootDecision.Ignore;
import org.astralboot.boot.BootDecision.LocalDisk;
import org.astralboot.boot.BootDecision.Menu;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.store.LocalBootStore;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CatalogPolicy} over a real boot tree on disk, a real registry and the built-in templates:
 * each decision kind from the machine state that leads to it. No HTTP.
 */
class CatalogPolicyTest {
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final String IP = "192.0.2.10";
    static final String KEY = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path tmp;
    Database db;
    MachineRegistry registry;
    MachineContext context;
    CatalogPolicy policy;
    String base;

    @BeforeEach
    void setUp() throws Exception {
        Path data = tmp.resolve("data");
        Path deb = Files.createDirectories(data.resolve("boot/debian/images"));
        Files.write(deb.resolve("linux"), new byte[100]);
        Files.write(deb.resolve("initrd.gz"), new byte[50]);
        Files.writeString(data.resolve("boot/debian/os.toml"), """
                description = "Debian 12 installer"
                kernel = "linux"
                initrd = ["initrd.gz"]
                cmdline = "auto=true hostname={{hostname}} url={{templates.preseed}}"
                """);
        Path fl = Files.createDirectories(data.resolve("boot/flatcar/images"));
        Files.write(fl.resolve("flatcar.vmlinuz"), new byte[10]);
        Files.writeString(data.resolve("boot/flatcar/os.toml"), """
                kernel = "flatcar.vmlinuz"
                initrd = ["flatcar.cpio.gz"]
                classes = ["control", "worker"]
                """); // the initrd is missing from the tree
        LocalBootStore store = new LocalBootStore(data);
        Templates templates = new Templates(store);
        OsCatalog catalog = new OsCatalog(store, templates);
        db = Database.open(tmp.resolve("astralboot.db"));
        registry = new MachineRegistry(db, new ManualClock(1_780_000_000_000L));
        Config cfg = Config.defaults("lo", Ipv4.parse("192.0.2.1"), 24, tmp).withData(data);
        MachineAccess access = new MachineAccess(false, HostLookup.NONE, ip -> Set.of(), registry.keys());
        context = new MachineContext(cfg, HostLookup.NONE, registry, templates, access);
        base = context.base();
        policy = new CatalogPolicy(new CatalogPolicy.Settings("debian", 7), store, catalog, registry, context);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    private MachineRequest request() {
        return new MachineRequest(A, IP, KEY, registry.get(A), "");
    }

    @Test
    void unknownMachineGetsTheMenu() throws Exception {
        Menu m = assertInstanceOf(Menu.class, policy.decide(new MachineRequest(A, IP, KEY, Optional.empty(), "")));
        assertEquals("menu", m.view().template());
        assertEquals("", m.why());
        List<?> oses = (List<?>) m.view().data().get("oses");
        assertEquals(List.of("debian", "flatcar"), oses.stream().map(o -> ((Map<?, ?>) o).get("name")).toList());
        assertEquals(base + "/ipxe/52-54-00-00-00-0a/choose/debian?key=" + KEY, ((Map<?, ?>) oses.get(0)).get("url"));
        assertEquals(base + "/ipxe/52-54-00-00-00-0a/classes/flatcar?key=" + KEY, ((Map<?, ?>) oses.get(1)).get("url"));
        assertEquals("--default os-debian --timeout 7000 ", m.view().data().get("choose_args"));
        assertEquals(false, m.view().data().get("installed"));
    }

    @Test
    void newMachineGetsTheMenuAndDecidingRecordsNothing() throws Exception {
        Machine seen = registry.seen(A, IP);
        assertInstanceOf(Menu.class, policy.decide(request()));
        assertEquals(Optional.of(seen), registry.get(A));
    }

    @Test
    void chosenMachineBootsItsOs() throws Exception {
        registry.choose(A, IP, "debian", "");
        Boot b = assertInstanceOf(Boot.class, policy.decide(request()));
        assertEquals("debian", b.label());
        assertEquals(base + "/os/debian/images/linux", b.kernel());
        assertEquals(List.of(base + "/os/debian/images/initrd.gz"), b.initrds());
        assertEquals("auto=true hostname=node10 url=" + base
                + "/machine/52-54-00-00-00-0a/template/preseed?key=" + KEY, b.cmdline());
        // the "chosen" script: a few seconds for the menu key, then the boot route
        assertEquals("chosen", b.view().template());
        assertEquals("debian", b.view().os().name());
        assertEquals(base + "/ipxe/52-54-00-00-00-0a/boot?key=" + KEY, b.view().data().get("boot_url"));
    }

    @Test
    void installedMachineBootsFromDisk() throws Exception {
        registry.choose(A, IP, "debian", "");
        registry.markInstalled(A, IP);
        LocalDisk l = assertInstanceOf(LocalDisk.class, policy.decide(request()));
        assertEquals("debian", l.os());
        assertEquals("local", l.view().template());
        assertEquals("debian", l.view().os().name());
        // and its menu defaults to the local disk, so a menu left alone never reinstalls it
        Menu m = policy.menu(request());
        assertEquals("--default local --timeout 7000 ", m.view().data().get("choose_args"));
        assertEquals(true, m.view().data().get("installed"));
    }

    @Test
    void installedOsGoneFromTheTreeStillBootsFromDisk() throws Exception {
        registry.choose(A, IP, "windows", "");
        registry.markInstalled(A, IP);
        LocalDisk l = assertInstanceOf(LocalDisk.class, policy.decide(request()));
        assertEquals("windows", l.os());
        assertNull(l.view().os());
        assertEquals("windows", l.view().data().get("os_description"));
    }

    @Test
    void choiceTheTreeNoLongerOffersGivesTheMenu() throws Exception {
        registry.choose(A, IP, "flatcar", "storage"); // not one of flatcar's classes
        Menu m = assertInstanceOf(Menu.class, policy.decide(request()));
        assertTrue(m.why().contains("flatcar/storage"), m.why());
        registry.choose(A, IP, "gone", "");
        assertTrue(assertInstanceOf(Menu.class, policy.decide(request())).why().contains("gone"));
    }

    @Test
    void bootAgainFollowsTheRecordedChoice() throws Exception {
        assertEquals(new Ignore("unknown machine " + A), policy.bootAgain(request()));
        registry.seen(A, IP);
        assertEquals(new Ignore("machine " + A + " has not chosen an OS"), policy.bootAgain(request()));
        registry.choose(A, IP, "debian", "");
        Boot b = assertInstanceOf(Boot.class, policy.bootAgain(request()));
        assertEquals("boot", b.view().template());
        assertEquals(base + "/os/debian/images/linux", b.kernel());
        registry.choose(A, IP, "flatcar", "worker");
        Ignore i = assertInstanceOf(Ignore.class, policy.bootAgain(request()));
        assertEquals("boot/flatcar/images/flatcar.cpio.gz is missing from the boot tree (run scripts/fetch-boot-files?)",
                i.reason());
    }

    @Test
    void chooseRecordsOnlyWhenAskedTo() throws Exception {
        OsDefinition debian = new OsCatalog(new LocalBootStore(tmp.resolve("data")),
                new Templates(new LocalBootStore(tmp.resolve("data")))).find("debian").orElseThrow();
        Boot shown = assertInstanceOf(Boot.class, policy.choose(request(), debian, "", false));
        assertEquals("boot", shown.view().template());
        assertTrue(registry.get(A).isEmpty(), "a HEAD records no choice");
        Boot b = assertInstanceOf(Boot.class, policy.choose(request(), debian, "", true));
        assertEquals("debian", b.label());
        assertEquals(MachineState.CHOSEN, registry.get(A).orElseThrow().state());
        assertEquals("debian", registry.get(A).orElseThrow().os());
        // the machine is in its own cluster, as the script's data says
        List<?> cluster = (List<?>) b.view().data().get("cluster");
        assertEquals(1, cluster.size());
        assertSame(Boolean.TRUE, ((Map<?, ?>) cluster.get(0)).get("self"));
    }

    @Test
    void classMenuListsTheClassesWithTheKey() throws Exception {
        OsDefinition flatcar = new OsCatalog(new LocalBootStore(tmp.resolve("data")),
                new Templates(new LocalBootStore(tmp.resolve("data")))).find("flatcar").orElseThrow();
        BootDecision.View v = policy.classMenu(request(), flatcar);
        assertEquals("class-menu", v.template());
        List<?> items = (List<?>) v.data().get("class_items");
        assertEquals(base + "/ipxe/52-54-00-00-00-0a/choose/flatcar/worker?key=" + KEY, ((Map<?, ?>) items.get(1)).get("url"));
    }
}

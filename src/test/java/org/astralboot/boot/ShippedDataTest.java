package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.LocalBootStore;
import org.astralboot.store.TreePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code data/} examples: both OSes load, and what they render is valid for its
 * consumer (the shell for the preseed late_command, a YAML parser for cloud-config), also with
 * hostile values in {@code [vars]}.
 */
class ShippedDataTest {
    static final Path DATA = Path.of("data");
    static final String HOSTILE_KEY = "ssh-ed25519 AAAA it's \"quoted\": - [x] #c & $(id)";

    private record Fixture(OsCatalog catalog, Templates templates, MachineRegistry registry, MachineContext ctx) {
    }

    private static Fixture fixture(Database db, BootStore store) {
        Templates t = new Templates(store);
        Config cfg = Config.defaults("eth1", Ipv4.parse("192.0.2.1"), 24, Path.of("."))
                .withHttp(new Config.Http(Ipv4.parse("192.0.2.1"), 80, URI.create("http://192.0.2.1")));
        MachineRegistry r = new MachineRegistry(db, Clock.systemUTC());
        return new Fixture(new OsCatalog(store, t), t, r, new MachineContext(cfg, HostLookup.NONE, r, t));
    }

    /** The shipped OS with [vars] replaced: the same os.toml otherwise. */
    private static OsDefinition withVars(OsDefinition os, Map<String, Object> vars) {
        return new OsDefinition(os.name(), os.description(), os.kernel(), os.initrds(), os.cmdline(), os.classes(),
                vars, os.source());
    }

    @Test
    void bothExamplesLoad(@TempDir Path tmp) throws Exception {
        try (Database db = Database.open(tmp.resolve("a.db"))) {
            Fixture f = fixture(db, new LocalBootStore(DATA));
            assertEquals(List.of("debian", "flatcar"), f.catalog().list().stream().map(OsDefinition::name).toList());
            OsDefinition flatcar = f.catalog().find("flatcar").orElseThrow();
            assertEquals(List.of("control", "worker"), flatcar.classes());
            assertTrue(f.templates().names(flatcar).contains("cloud-config"));
        }
    }

    @Test
    void debianPreseedIsWellFormedAndItsLateCommandIsValidShell(@TempDir Path tmp) throws Exception {
        try (Database db = Database.open(tmp.resolve("a.db"))) {
            Fixture f = fixture(db, new LocalBootStore(DATA));
            OsDefinition debian = withVars(f.catalog().find("debian").orElseThrow(),
                    Map.of("ssh_authorized_keys", List.of(HOSTILE_KEY, "ssh-rsa BBBB b@c")));
            MacAddress mac = MacAddress.parse("52:54:00:00:00:21");
            f.registry().choose(mac, "192.0.2.21", "debian", "");
            Map<String, Object> ctx = f.ctx().forOs(mac, "192.0.2.21", debian, "");
            assertTrue(((String) ctx.get("cmdline")).contains("preseed/url=http://192.0.2.1/machine/52-54-00-00-00-21/template/preseed"));
            String preseed = Templates.execute(f.templates().find("preseed", debian).orElseThrow(), "preseed", ctx);

            List<String> logical = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (String line : preseed.split("\n", -1)) {
                cur.append(line);
                if (line.endsWith("\\")) {
                    cur.setLength(cur.length() - 1);
                    continue;
                }
                logical.add(cur.toString());
                cur.setLength(0);
            }
            String late = null;
            for (String l : logical) {
                if (l.isBlank() || l.startsWith("#")) {
                    continue;
                }
                String[] w = l.split("\\s+", 4);
                assertTrue(w.length >= 3 && List.of("d-i", "tasksel", "popularity-contest").contains(w[0]), l);
                assertTrue(List.of("string", "boolean", "select", "multiselect", "password", "note").contains(w[2]), l);
                if (w[1].equals("preseed/late_command")) {
                    late = w.length > 3 ? w[3] : "";
                }
            }
            assertTrue(preseed.contains("d-i netcfg/get_hostname string node21\n"), preseed);
            assertTrue(late != null && late.contains("wget -q -O /dev/null http://192.0.2.1/machine/52-54-00-00-00-21/installed"), late);
            // the shell parses it, and the hostile key reaches authorized_keys byte for byte
            Process p = new ProcessBuilder("sh", "-n", "-c", late).redirectErrorStream(true).start();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            Path target = Files.createDirectories(tmp.resolve("t"));
            String echoOnly = Stream.of(late.split(";")).filter(c -> c.trim().startsWith("echo ")).map(c -> c.replace("/target", target.toString()))
                    .reduce((a, b) -> a + ";" + b).orElseThrow();
            Files.createDirectories(target.resolve("home/debian/.ssh"));
            p = new ProcessBuilder("sh", "-c", echoOnly).redirectErrorStream(true).start();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(HOSTILE_KEY + "\nssh-rsa BBBB b@c\n", Files.readString(target.resolve("home/debian/.ssh/authorized_keys")));
        }
    }

    @Test
    void flatcarCloudConfigIsYamlListingTheClusterOfTheSameClass(@TempDir Path tmp) throws Exception {
        assumeTrue(python3Yaml(), "needs python3 with PyYAML (Debian python3-yaml)");
        try (Database db = Database.open(tmp.resolve("a.db"))) {
            Fixture f = fixture(db, new LocalBootStore(DATA));
            OsDefinition flatcar = withVars(f.catalog().find("flatcar").orElseThrow(),
                    Map.of("ssh_authorized_keys", List.of(HOSTILE_KEY)));
            MacAddress a = MacAddress.parse("52:54:00:00:00:31");
            MacAddress b = MacAddress.parse("52:54:00:00:00:32");
            MacAddress w = MacAddress.parse("52:54:00:00:00:33");
            f.registry().choose(a, "192.0.2.31", "flatcar", "control");
            f.registry().choose(b, "192.0.2.32", "flatcar", "control");
            f.registry().choose(w, "192.0.2.33", "flatcar", "worker");
            Map<String, Object> ctx = f.ctx().forOs(a, "192.0.2.31", flatcar, "control");
            String cc = Templates.execute(f.templates().find("cloud-config", flatcar).orElseThrow(), "cloud-config", ctx);
            assertTrue(cc.startsWith("#cloud-config\n"), cc);
            Path file = tmp.resolve("cc.yaml");
            Files.writeString(file, cc);
            String out = python("import sys,yaml,json\nd=yaml.safe_load(open(sys.argv[1]))\nprint(json.dumps(d, sort_keys=True))", file, cc);
            assertTrue(out.contains("\"hostname\": \"node31\""), out);
            assertTrue(out.contains("\"ssh_authorized_keys\": [\"ssh-ed25519 AAAA it's \\\"quoted\\\": - [x] #c & $(id)\"]"), out);
            assertTrue(out.contains("192.0.2.31 node31.local node31\\n192.0.2.32 node32.local node32\\n"), out);
            assertTrue(out.contains("ASTRALBOOT_PEERS=192.0.2.32\""), out);
            assertTrue(!out.contains("192.0.2.33"), "the worker is not a control-plane member: " + out);
            assertTrue(out.contains("\"name\": \"astralboot-hosts.service\""), out);
        }
    }

    @Test
    void builtInCloudConfigIsYaml(@TempDir Path tmp) throws Exception {
        assumeTrue(python3Yaml(), "needs python3 with PyYAML (Debian python3-yaml)");
        try (Database db = Database.open(tmp.resolve("a.db"))) {
            Fixture f = fixture(db, new LocalBootStore(DATA));
            OsDefinition debian = withVars(f.catalog().find("debian").orElseThrow(),
                    Map.of("ssh_authorized_keys", List.of(HOSTILE_KEY, "k2")));
            MacAddress a = MacAddress.parse("52:54:00:00:00:41");
            f.registry().choose(a, "192.0.2.41", "debian", "");
            Map<String, Object> ctx = f.ctx().forOs(a, "192.0.2.41", debian, "");
            assertEquals("built-in cloud-config", f.templates().describe("cloud-config", debian));
            String cc = Templates.execute(f.templates().find("cloud-config", debian).orElseThrow(), "cloud-config", ctx);
            Path file = tmp.resolve("cc.yaml");
            Files.writeString(file, cc);
            String out = python("import sys,yaml,json\nd=yaml.safe_load(open(sys.argv[1]))\n"
                    + "assert sorted(d)==['hostname','ssh_authorized_keys','write_files'], sorted(d)\n"
                    + "print(json.dumps(d, sort_keys=True))", file, cc);
            assertTrue(out.contains("ASTRALBOOT_CLASS=\""), out);
            assertTrue(out.contains("\"content\": \"192.0.2.41 node41.local node41\\n\""), out);
            assertTrue(out.contains("\"k2\"]"), out);
        }
    }

    @Test
    void bootTreeFromABrokenStoreIsReportedNotSwallowed() {
        BootStore down = new BootStore() {
            @Override
            public String describe() {
                return "down";
            }

            @Override
            public java.util.Optional<List<Entry>> list(TreePath dir) throws BootStoreException {
                throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, "node down");
            }

            @Override
            public java.util.Optional<org.astralboot.store.BootFile> file(TreePath path) throws BootStoreException {
                throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, "node down");
            }
        };
        OsCatalog c = new OsCatalog(down, new Templates(down));
        BootStoreException e = org.junit.jupiter.api.Assertions.assertThrows(BootStoreException.class, c::list);
        assertEquals(BootStoreException.Kind.UNAVAILABLE, e.kind());
    }

    private static String python(String code, Path arg, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", code, arg.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out + "\n--- input:\n" + input);
        return out;
    }

    private static boolean python3Yaml() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import yaml").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

package org.astralboot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code config.toml.dist} documents every key of {@link Keys} and nothing else. */
class ConfigDistTest {
    /** {@code [http]}, {@code # [[dhcp.relay]]}: a table header, maybe commented out. */
    private static final Pattern HEADER = Pattern.compile("^#?\\s*\\[\\[?([a-z0-9_.]+)\\]\\]?\\s*(#.*)?$");
    /** {@code port = 80}, {@code # address = "192.0.2.1"}: a key, maybe commented out. */
    private static final Pattern KEY = Pattern.compile("^#?\\s*([a-z0-9_]+)\\s*=\\s*\\S.*$");

    /** Dotted names of the keys set or shown commented out in {@code text}, in file order. */
    static List<String> documentedKeys(String text) {
        List<String> out = new ArrayList<>();
        String section = "";
        for (String line : text.split("\n")) {
            Matcher h = HEADER.matcher(line.strip());
            if (h.matches()) {
                section = h.group(1);
                continue;
            }
            Matcher k = KEY.matcher(line.strip());
            if (k.matches()) {
                out.add(section.isEmpty() ? k.group(1) : section + "." + k.group(1));
            }
        }
        return out;
    }

    @Test
    void theDistFileDocumentsEveryKeyAndNothingElse() throws Exception {
        List<String> documented = documentedKeys(Files.readString(Path.of("config.toml.dist")));
        Set<String> table = new TreeSet<>();
        for (Key<?> k : Keys.ALL) {
            table.add(k.name());
        }
        List<String> missing = new ArrayList<>();
        for (Key<?> k : Keys.ALL) {
            if (!documented.contains(k.name())) {
                missing.add(k.describe());
            }
        }
        assertEquals(List.of(), missing, "keys of Keys not documented in config.toml.dist");
        Set<String> extra = new TreeSet<>(documented);
        extra.removeAll(table);
        assertEquals(Set.of(), extra, "keys in config.toml.dist that Keys does not know");
        assertEquals(new TreeSet<>(documented).size(), documented.size(), "a key documented twice: " + documented);
    }

    @Test
    void theDistFileIsInTheTablesOrder() throws Exception {
        List<String> documented = documentedKeys(Files.readString(Path.of("config.toml.dist")));
        List<String> table = Keys.ALL.stream().map(Key::name).toList();
        assertEquals(table, documented);
    }

    @Test
    void theParserSeesCommentedOutKeysAndTables() {
        List<String> keys = documentedKeys("""
                # a bare number = seconds, prose with words before the = sign
                interface = "eth1"
                # address = "192.0.2.1"
                [tftp]
                port = 69
                # A sentence: with a colon and an = sign inside.
                # [[dhcp.relay]]
                # gateway = "198.18.20.1"        # router
                [menu]
                timeout = 10
                """);
        assertEquals(List.of("interface", "address", "tftp.port", "dhcp.relay.gateway", "menu.timeout"),
                keys);
        assertTrue(documentedKeys("# Durations: 30s, 15m, 12h, 7d (a bare number is seconds).").isEmpty());
    }

    @Test
    void theImpliedConfigWritesEveryKeyAndLoadsWithoutWarnings() throws Exception {
        String toml = """
                interface = "eth1"
                ipfs_gateway = "http://192.0.2.9:8080"
                [[dhcp.reservation]]
                mac = "52:54:00:00:00:01"
                address = "192.0.2.50"
                hostname = "db1"
                [[dhcp.relay]]
                subnet = "198.19.20.0/24"
                range_start = "198.19.20.10"
                range_end = "198.19.20.20"
                gateway = "198.19.20.1"
                dns = ["192.0.2.1"]
                [api]
                url = "http://192.0.2.9:8081/pxe"
                [ipv6]
                dhcp = "full"
                address = "2001:db8::1"
                [[ipv6.relay]]
                link = "2001:db8:31::/64"
                range_start = "2001:db8:31::100"
                range_end = "2001:db8:31::1ff"
                """;
        ConfigLoader loader = new ConfigLoader(ConfigLoaderTest.FAKE);
        Path file = Path.of("/nonexistent/config.toml");
        String implied = ConfigWriter.toToml(loader.parse(toml, file, ConfigLoader.Network.REQUIRED).config());
        assertEquals(Keys.ALL.stream().map(Key::name).toList(), documentedKeys(implied), implied);
        assertEquals(List.of(), loader.parse(implied, file, ConfigLoader.Network.REQUIRED).warnings());
    }

    @Test
    void everyKeyIsDescribed() {
        for (Key<?> k : Keys.ALL) {
            assertTrue(k.doc() != null && !k.doc().isBlank(), k.name());
            boolean ranged = k.min() != null;
            assertEquals(ranged, k.max() != null, k.name());
        }
    }
}

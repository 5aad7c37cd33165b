package org.astralboot.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.astralboot.net.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    /** eth1 = 192.0.2.1/24 (+ 198.18.0.1/16), eth2 has no IPv4, lo = 127.0.0.1/8. */
    static final ConfigLoader.Interfaces FAKE = new ConfigLoader.Interfaces() {
        final Map<String, List<ConfigLoader.Ipv4Address>> m = Map.of(
                "eth1", List.of(new ConfigLoader.Ipv4Address(Ipv4.parse("192.0.2.1"), 24),
                        new ConfigLoader.Ipv4Address(Ipv4.parse("198.18.0.1"), 16)),
                "eth2", List.of(),
                "lo", List.of(new ConfigLoader.Ipv4Address(Ipv4.parse("127.0.0.1"), 8)));

        @Override
        public List<ConfigLoader.Ipv4Address> ipv4(String name) {
            return m.get(name);
        }

        @Override
        public List<String> names() {
            return m.keySet().stream().sorted().toList();
        }
    };

    ConfigLoader.Loaded load(String toml) throws ConfigException {
        return new ConfigLoader(FAKE).parse(toml, dir.resolve("config.toml"), ConfigLoader.Network.REQUIRED);
    }

    String error(String toml) {
        return assertThrows(ConfigException.class, () -> load(toml)).getMessage();
    }

    @Test
    void defaultsAreDerivedFromTheInterface() throws Exception {
        Config c = load("interface = \"eth1\"").config();
        assertEquals("192.0.2.1", Ipv4.text(c.address()));
        assertEquals("192.0.2.0/24", c.subnet().toString());
        assertEquals("192.0.2.1", Ipv4.text(c.dhcp().rangeStart()));
        assertEquals("192.0.2.254", Ipv4.text(c.dhcp().rangeEnd()));
        assertEquals("192.0.2.1", Ipv4.text(c.dhcp().gateway()));
        assertEquals(List.of(Ipv4.parse("192.0.2.1")), c.dhcp().dns());
        assertEquals("http://192.0.2.1", c.http().base());
        assertEquals(Config.DhcpMode.FULL, c.dhcp().mode());
        assertEquals(Duration.ofHours(12), c.dhcp().leaseTime());
        assertEquals(dir.resolve("data"), c.data());
        assertEquals(dir.resolve("refs.toml"), c.refs());
        assertEquals("", c.menu().defaultOs());
        assertEquals(10, c.menu().timeoutSeconds());
        assertTrue(c.ipfs());
    }

    @Test
    void ackPollingIsConfigurableAndBounded() throws Exception {
        assertEquals(Config.Tftp.DEFAULT_ACK_SPIN_MICROS, load("interface = \"eth1\"").config().tftp().ackSpinMicros());
        assertEquals(0, load("interface = \"eth1\"\n[tftp]\nack_spin_us = 0\n").config().tftp().ackSpinMicros());
        String e = error("interface = \"eth1\"\n[tftp]\nack_spin_us = -5\n");
        assertTrue(e.contains("tftp.ack_spin_us"), e);
        e = error("interface = \"eth1\"\n[tftp]\nack_spin_us = 20000\n");
        assertTrue(e.contains("tftp.ack_spin_us"), e);
    }

    @Test
    void tftpClientLimitsHaveDefaultsAndAreBounded() throws Exception {
        Config.Tftp d = load("interface = \"eth1\"").config().tftp();
        assertEquals(Duration.ofSeconds(10), d.maxClientTimeout());
        assertEquals(Duration.ofSeconds(5), d.firstAckTimeout());
        assertEquals(16, d.maxTransfersPerClient());
        Config.Tftp t = load("interface = \"eth1\"\n[tftp]\nmax_client_timeout = \"30s\"\n"
                + "first_ack_timeout = \"2s\"\nmax_transfers_per_client = 300\n").config().tftp();
        assertEquals(Duration.ofSeconds(30), t.maxClientTimeout());
        assertEquals(Duration.ofSeconds(2), t.firstAckTimeout());
        assertEquals(300, t.maxTransfersPerClient());
        assertErrorAt("interface = \"eth1\"\n[tftp]\nmax_client_timeout = \"300s\"\n", 3, "tftp.max_client_timeout",
                "out of range");
        assertErrorAt("interface = \"eth1\"\n[tftp]\nretries = 3\nfirst_ack_timeout = \"10ms\"\n", 4,
                "tftp.first_ack_timeout", "out of range");
        assertErrorAt("interface = \"eth1\"\n[tftp]\nmax_transfers_per_client = 0\n", 3,
                "tftp.max_transfers_per_client", "out of range");
    }

    @Test
    void dhcpOverloadLimitIsConfigurableAndBounded() throws Exception {
        assertEquals(Config.Dhcp.DEFAULT_SHED_BACKLOG, load("interface = \"eth1\"").config().dhcp().shedBacklog());
        assertEquals(2000, load("interface = \"eth1\"\n[dhcp]\nshed_backlog = 2000\n").config().dhcp().shedBacklog());
        for (String bad : List.of("0", "15", "2000000", "\"lots\"")) {
            String e = error("interface = \"eth1\"\n[dhcp]\nshed_backlog = " + bad + "\n");
            assertTrue(e.contains("dhcp.shed_backlog"), bad + ": " + e);
        }
    }

    @Test
    void httpLimitsHaveDefaultsAndAreRead() throws Exception {
        Config.Http d = load("interface = \"eth1\"").config().http();
        assertEquals(128, d.fileThreads());
        assertEquals(32, d.scriptThreads());
        assertEquals(16 * 1024, d.minSendRate());
        assertEquals(Duration.ofSeconds(30), d.sendRateWindow());
        assertEquals(32, d.maxConnectionsPerClient());
        Config.Http h = load("""
                interface = "eth1"
                [http]
                file_threads = 64
                script_threads = 8
                min_send_rate = "1M"
                send_rate_window = "5s"
                max_connections_per_client = 4
                """).config().http();
        assertEquals(64, h.fileThreads());
        assertEquals(8, h.scriptThreads());
        assertEquals(1 << 20, h.minSendRate());
        assertEquals(Duration.ofSeconds(5), h.sendRateWindow());
        assertEquals(4, h.maxConnectionsPerClient());
        assertEquals(0, load("interface = \"eth1\"\n[http]\nmin_send_rate = 0\n").config().http().minSendRate());
    }

    /** Each bad value names the key and its line (line 4: after interface, a blank line and [http]). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "file_threads = 0|http.file_threads",
        "file_threads = 5000|http.file_threads",
        "script_threads = 0|http.script_threads",
        "script_threads = \"many\"|http.script_threads",
        "min_send_rate = -1|http.min_send_rate",
        "min_send_rate = \"fast\"|http.min_send_rate",
        "min_send_rate = \"2G\"|http.min_send_rate",
        "send_rate_window = \"500ms\"|http.send_rate_window",
        "send_rate_window = \"1h\"|http.send_rate_window",
        "max_connections_per_client = 0|http.max_connections_per_client",
    })
    void badHttpLimitsNameKeyAndLine(String line, String key) {
        String m = error("interface = \"eth1\"\n\n[http]\n" + line + "\n");
        assertTrue(m.startsWith(dir.resolve("config.toml") + ":4:"), m);
        assertTrue(m.contains(key), m);
    }

    @Test
    void explicitAddressPicksItsSubnet() throws Exception {
        Config c = load("interface = \"eth1\"\naddress = \"198.18.0.1\"\n[http]\nport = 8080").config();
        assertEquals("198.18.0.0/16", c.subnet().toString());
        assertEquals("http://198.18.0.1:8080", c.http().base());
    }

    @Test
    void theShippedDistFileLoadsWithoutWarnings() throws Exception {
        String dist = Files.readString(Path.of("config.toml.dist"));
        ConfigLoader.Loaded l = load(dist);
        assertEquals(List.of(), l.warnings());
        assertEquals("eth1", l.config().iface());
    }

    @Test
    void impliedConfigLoadsBackToTheSameConfig() throws Exception {
        Config c = load("interface = \"eth1\"\n[dhcp]\nmode = \"proxy\"\ngateway = \"\"\n"
                + "[[dhcp.reservation]]\nmac = \"52:54:00:00:00:01\"\naddress = \"192.0.2.50\"\nhostname = \"db1\"\n"
                + "[menu]\ndefault = \"debian\"\ntimeout = 3").config();
        Config again = load(ConfigWriter.toToml(c)).config();
        assertEquals(c, again);
        assertNull(again.dhcp().gateway());
    }

    @Test
    void unknownKeysAreWarnedAboutByName() throws Exception {
        ConfigLoader.Loaded l = load("interface = \"eth1\"\ncolour = \"blue\"\n[tftp]\nblocksize = 1\n");
        assertEquals(2, l.warnings().size());
        String all = String.join(" ", l.warnings());
        assertTrue(all.contains("colour") && all.contains("tftp.blocksize"), all);
    }

    @Test
    void syntaxErrorNamesFileLineAndColumn() {
        String m = error("interface = \"eth1\"\n[http]\nport = = 80\n");
        assertTrue(m.startsWith(dir.resolve("config.toml") + ":3:"), m);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "interface = \"eth9\"|no such interface",
        "interface = \"eth2\"|has no IPv4 address",
        "interface = \"eth1\"\\naddress = \"10.9.9.9\"|is not an address of eth1",
        "interface = \"eth1\"\\naddress = \"192.0.2.300\"|not an IPv4 address",
        "interface = \"eth1\"\\n[dhcp]\\nmode = \"sometimes\"|not a DHCP mode",
        "interface = \"eth1\"\\n[http]\\nport = 70000|out of range",
        "interface = \"eth1\"\\n[http]\\nport = \"80\"|must be a whole number",
        "interface = \"eth1\"\\n[tftp]\\nmax_blksize = 4|out of range",
        "interface = \"eth1\"\\n[dhcp]\\nrange_start = \"10.0.0.1\"|is not inside",
        "interface = \"eth1\"\\n[dhcp]\\nrange_start = \"192.0.2.200\"\\nrange_end = \"192.0.2.100\"|is after range_end",
        "interface = \"eth1\"\\n[dhcp]\\nlease_time = \"forever\"|not a duration",
        "interface = \"eth1\"\\n[dhcp]\\ndns = [\"1.2.3\"]|not an IPv4 address",
        "interface = \"eth1\"\\n[dhcp]\\nefi_binary = \"../ipxe.efi\"|plain file name",
        "interface = \"eth1\"\\n[dhcp]\\nhostname_pattern = \"node\"|must contain",
        "interface = \"eth1\"\\nipfs_api = \"ftp://x\"|not an http:// URL",
        "interface = \"eth1\"\\nipfs_gateway = \"ftp://x\"|ipfs_gateway",
        "interface = \"eth1\"\\nipfs_gateway = \"https://gw.example\"|must be a plain http:// URL",
        "interface = \"eth1\"\\nipfs = \"yes\"|must be true or false",
        "interface = \"eth1\"\\n[[dhcp.reservation]]\\nmac = \"52:54:00:00:00\"\\naddress = \"192.0.2.9\"|not a MAC address",
        "interface = \"eth1\"\\ndomain = \"bad domain\"|not a DNS domain name",
        "interface = \"eth1\"\\nhttp = 3|must be a table",
    })
    void invalidValuesAreClearErrors(String toml, String expected) {
        String m = error(toml.replace("\\n", "\n"));
        assertTrue(m.contains(expected), m);
        assertTrue(m.startsWith(dir.resolve("config.toml").toString()), m);
    }

    /** The error names the file, the line and the key, and says what is wrong. */
    void assertErrorAt(String toml, int line, String key, String fragment) {
        String m = error(toml);
        assertTrue(m.startsWith(dir.resolve("config.toml") + ":" + line + ":"), m);
        assertTrue(m.contains(": " + key + ": "), m);
        assertTrue(m.contains(fragment), m);
    }

    static String reservation(String mac, String address) {
        return "[[dhcp.reservation]]\nmac = \"" + mac + "\"\naddress = \"" + address + "\"\n";
    }

    @Test
    void reservationsThatWouldBreakAtRunTimeAreErrorsAtLoad() {
        String head = "interface = \"eth1\"\n[dhcp]\ngateway = \"192.0.2.254\"\n";
        // Lines: 1 interface, 2 [dhcp], 3 gateway, 4 [[dhcp.reservation]], 5 mac, 6 address, ...
        assertErrorAt(head + reservation("52:54:00:00:00:01", "10.1.1.1"), 6, "dhcp.reservation[0].address",
                "10.1.1.1 is not inside the interface's subnet 192.0.2.0/24");
        assertErrorAt(head + reservation("52:54:00:00:00:01", "192.0.2.0"), 6, "dhcp.reservation[0].address",
                "is the network address of 192.0.2.0/24");
        assertErrorAt(head + reservation("52:54:00:00:00:01", "192.0.2.255"), 6, "dhcp.reservation[0].address",
                "is the broadcast address");
        assertErrorAt(head + reservation("52:54:00:00:00:01", "192.0.2.1"), 6, "dhcp.reservation[0].address",
                "this server's own address");
        assertErrorAt(head + reservation("52:54:00:00:00:01", "192.0.2.254"), 6, "dhcp.reservation[0].address",
                "the gateway's address");
        String one = reservation("52:54:00:00:00:01", "192.0.2.50");
        assertErrorAt(head + one + reservation("52:54:00:00:00:02", "192.0.2.50"), 9, "dhcp.reservation[1].address",
                "192.0.2.50 is already reserved by dhcp.reservation[0]");
        assertErrorAt(head + one + reservation("52:54:00:00:00:01", "192.0.2.51"), 8, "dhcp.reservation[1].mac",
                "52:54:00:00:00:01 already has a reservation");
    }

    @Test
    void reservationsOnARelayedSubnetAreCheckedAgainstThatSubnet() throws Exception {
        String relay = "interface = \"eth1\"\n[[dhcp.relay]]\nsubnet = \"198.51.100.0/24\"\n"
                + "range_start = \"198.51.100.10\"\nrange_end = \"198.51.100.20\"\ngateway = \"198.51.100.1\"\n";
        Config c = load(relay + reservation("52:54:00:00:00:01", "198.51.100.50")).config();
        assertEquals(1, c.dhcp().reservations().size());
        assertErrorAt(relay + reservation("52:54:00:00:00:01", "198.51.100.1"), 9, "dhcp.reservation[0].address",
                "the gateway of dhcp.relay[0]");
        assertErrorAt(relay + reservation("52:54:00:00:00:01", "198.51.100.255"), 9, "dhcp.reservation[0].address",
                "broadcast address of 198.51.100.0/24");
        assertErrorAt(relay + reservation("52:54:00:00:00:01", "203.0.113.5"), 9, "dhcp.reservation[0].address",
                "nor a [[dhcp.relay]] subnet");
    }

    @Test
    void hostNamesLongerThanDnsAllowsAreErrorsAtLoad() throws Exception {
        // {n} on a /24 is at most 3 digits: 60 + 3 = 63 fits a label, 61 + 3 does not.
        load("interface = \"eth1\"\n[dhcp]\nhostname_pattern = \"" + "a".repeat(60) + "{n}\"\n");
        assertErrorAt("interface = \"eth1\"\n[dhcp]\nhostname_pattern = \"" + "a".repeat(61) + "{n}\"\n", 3,
                "dhcp.hostname_pattern", "a DNS label is at most 63 characters");
        // {mac} is 12 hex digits.
        assertErrorAt("interface = \"eth1\"\n[dhcp]\nhostname_pattern = \"" + "m".repeat(52) + "{mac}\"\n", 3,
                "dhcp.hostname_pattern", "has 64");
        // Each label fits, but with the domain the name is longer than 253.
        String domain = String.join(".", "d".repeat(63), "d".repeat(63), "d".repeat(63));
        assertErrorAt("interface = \"eth1\"\ndomain = \"" + domain + "\"\n[dhcp]\nhostname_pattern = \""
                + "h".repeat(60) + "{n}\"\n", 4, "dhcp.hostname_pattern", "more than 253");
        // A reservation's own host name too.
        assertErrorAt("interface = \"eth1\"\ndomain = \"" + domain + "\"\n" + reservation("52:54:00:00:00:01",
                "192.0.2.50") + "hostname = \"" + "h".repeat(63) + "\"\n", 6, "dhcp.reservation[0].hostname",
                "more than 253");
    }

    @Test
    void httpsIpfsApiAndNegativeCacheMaxAreErrorsAtLoad() {
        assertErrorAt("interface = \"eth1\"\nipfs_api = \"https://ipfs.example:5001\"\n", 2, "ipfs_api",
                "https is not supported");
        assertErrorAt("interface = \"eth1\"\ncache_max = -1\n", 2, "cache_max", "is negative");
    }

    @Test
    void aPoolOfMoreThan65536AddressesIsAnErrorWithAClearWayOut() throws Exception {
        // lo is 127.0.0.1/8: the default pool would be 16,777,214 addresses.
        assertErrorAt("interface = \"lo\"\n[dhcp]\nmode = \"full\"\n", 2, "dhcp.range_start",
                "set dhcp.range_start and dhcp.range_end to an explicit range inside 127.0.0.0/8");
        String m = error("interface = \"lo\"\n");
        assertTrue(m.startsWith(dir.resolve("config.toml") + ":1:") && m.contains("16777214 addresses"), m);
        assertErrorAt("interface = \"lo\"\n[dhcp]\nrange_start = \"127.0.0.2\"\nrange_end = \"127.1.0.2\"\n", 3,
                "dhcp.range_start", "has 65537 addresses, more than 65536: narrow range_start .. range_end");
        // Exactly 65,536 is fine, and so is a /8 with a smaller explicit range or without DHCP.
        assertEquals("127.1.0.1", Ipv4.text(load("interface = \"lo\"\n[dhcp]\nrange_start = \"127.0.0.2\"\n"
                + "range_end = \"127.1.0.1\"\n").config().dhcp().rangeEnd()));
        load("interface = \"lo\"\n[dhcp]\nrange_start = \"127.1.0.1\"\nrange_end = \"127.1.255.254\"\n");
        load("interface = \"lo\"\n[dhcp]\nmode = \"off\"\n");
        assertErrorAt("interface = \"eth1\"\n[[dhcp.relay]]\nsubnet = \"10.0.0.0/8\"\nrange_start = \"10.0.0.1\"\n"
                + "range_end = \"10.255.255.254\"\n", 4, "dhcp.relay[0].range_start", "more than 65536");
    }

    @Test
    void commandsThatNeedNoNetworkTolerateAMissingInterface() throws Exception {
        Config c = new ConfigLoader(FAKE).parse("interface = \"eth9\"", dir.resolve("c.toml"),
                ConfigLoader.Network.OPTIONAL).config();
        assertEquals("127.0.0.1", Ipv4.text(c.address()));
    }

    @Test
    void ipfsGatewayIsOptionalAndRoundTrips() throws Exception {
        ConfigLoader l = new ConfigLoader(FAKE);
        Config none = l.parse("interface = \"eth1\"", dir.resolve("a.toml"), ConfigLoader.Network.OPTIONAL).config();
        assertEquals(null, none.ipfsGateway());
        Config gw = l.parse("interface = \"eth1\"\nipfs_gateway = \"http://192.0.2.10:8080\"", dir.resolve("b.toml"),
                ConfigLoader.Network.OPTIONAL).config();
        assertEquals("http://192.0.2.10:8080", gw.ipfsGateway().toString());
        Config again = l.parse(ConfigWriter.toToml(gw), dir.resolve("c.toml"), ConfigLoader.Network.OPTIONAL).config();
        assertEquals(gw.ipfsGateway(), again.ipfsGateway());
    }

    @Test
    void missingFileIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader(FAKE).read(dir.resolve("nope.toml"), ConfigLoader.Network.REQUIRED));
        assertTrue(e.getMessage().contains("does not exist"));
    }

    @ParameterizedTest
    @CsvSource({"90,PT1M30S", "90s,PT1M30S", "15m,PT15M", "12h,PT12H", "7d,PT168H", "500ms,PT0.5S"})
    void durations(String text, String iso) {
        assertEquals(Duration.parse(iso), ConfigLoader.parseDuration(text));
        assertEquals(Duration.parse(iso), ConfigLoader.parseDuration(ConfigWriter.duration(Duration.parse(iso))));
    }

    @ParameterizedTest
    @CsvSource({"1024,1024", "512M,536870912", "20G,21474836480", "1GiB,1073741824"})
    void sizes(String text, long bytes) {
        assertEquals(bytes, ConfigLoader.parseSize(text));
    }

    static final String RELAYS = "interface = \"eth1\"\n[dhcp]\ndns = [\"192.0.2.53\"]\n"
            + "[[dhcp.relay]]\nsubnet = \"198.18.20.0/24\"\nrange_start = \"198.18.20.10\"\nrange_end = \"198.18.20.250\"\n"
            + "[[dhcp.relay]]\nsubnet = \"198.18.21.0/25\"\nrange_start = \"198.18.21.5\"\nrange_end = \"198.18.21.126\"\n"
            + "gateway = \"198.18.21.1\"\ndns = [\"198.18.21.2\", \"198.18.21.3\"]\n";

    @Test
    void relayedSubnetsAreRead() throws Exception {
        ConfigLoader.Loaded l = load(RELAYS);
        assertEquals(List.of(), l.warnings());
        List<Config.Relay> r = l.config().dhcp().relays();
        assertEquals(2, r.size());
        assertEquals("198.18.20.0/24", r.get(0).subnet().toString());
        assertEquals("198.18.20.10", Ipv4.text(r.get(0).rangeStart()));
        assertEquals("198.18.20.250", Ipv4.text(r.get(0).rangeEnd()));
        assertNull(r.get(0).gateway()); // the relay's giaddr
        assertNull(r.get(0).dns()); // [dhcp] dns
        assertEquals("198.18.21.0/25", r.get(1).subnet().toString());
        assertEquals("198.18.21.1", Ipv4.text(r.get(1).gateway()));
        assertEquals(List.of(Ipv4.parse("198.18.21.2"), Ipv4.parse("198.18.21.3")), r.get(1).dns());
        assertEquals(List.of(), load("interface = \"eth1\"").config().dhcp().relays());
    }

    @Test
    void relayedSubnetsSurviveTheImpliedConfig() throws Exception {
        Config c = load(RELAYS).config();
        String toml = ConfigWriter.toToml(c);
        assertTrue(toml.contains("[[dhcp.relay]]"), toml);
        assertEquals(c, load(toml).config());
    }

    @Test
    void unknownRelayKeysAreWarnedAbout() throws Exception {
        ConfigLoader.Loaded l = load("interface = \"eth1\"\n[[dhcp.relay]]\nsubnet = \"198.18.20.0/24\"\n"
                + "range_start = \"198.18.20.10\"\nrange_end = \"198.18.20.20\"\nrouter = \"198.18.20.1\"\n");
        assertTrue(String.join(" ", l.warnings()).contains("dhcp.relay[0].router"), l.warnings().toString());
    }

    /** Lines: 1 interface, 2 [[dhcp.relay]], 3 subnet, 4 range_start, 5 range_end, 6 the extra key. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "198.18.20.0|198.18.20.10|198.18.20.20||3|not a CIDR subnet",
        "198.18.20.0/33|198.18.20.10|198.18.20.20||3|prefix length out of range",
        "198.18.20.0/31|198.18.20.0|198.18.20.1||3|prefix length must be 8..30",
        "198.18.20.5/24|198.18.20.10|198.18.20.20||3|has host bits set; the network is 198.18.20.0/24",
        "198.18.20.0/24|198.18.21.10|198.18.20.20||4|198.18.21.10 is not inside 198.18.20.0/24",
        "198.18.20.0/24|198.18.20.10|198.18.21.20||5|198.18.21.20 is not inside 198.18.20.0/24",
        "198.18.20.0/24|198.18.20.0|198.18.20.20||4|is the network address of 198.18.20.0/24",
        "198.18.20.0/24|198.18.20.10|198.18.20.255||5|is the broadcast address of 198.18.20.0/24",
        "198.18.20.0/24|198.18.20.30|198.18.20.20||4|range_start 198.18.20.30 is after range_end 198.18.20.20",
        "198.18.20.0/24|198.18.20.x|198.18.20.20||4|is not an IPv4 address",
        "192.0.2.128/25|192.0.2.130|192.0.2.140||3|overlaps the interface's subnet 192.0.2.0/24",
        "192.0.0.0/16|192.0.0.10|192.0.0.20||3|overlaps the interface's subnet 192.0.2.0/24",
        "198.18.20.0/24|198.18.20.10|198.18.20.20|gateway = \"198.18.30.1\"|6|198.18.30.1 is not inside",
        "198.18.20.0/24|198.18.20.10|198.18.20.20|dns = [\"1.2.3\"]|6|must be a list of IPv4 addresses",
    })
    void invalidRelaysNameFileLineAndColumn(String subnet, String start, String end, String extra, int line,
            String expected) {
        String m = error("interface = \"eth1\"\n[[dhcp.relay]]\nsubnet = \"" + subnet + "\"\nrange_start = \"" + start
                + "\"\nrange_end = \"" + end + "\"\n" + (extra == null ? "" : extra + "\n"));
        assertTrue(m.contains(expected), m);
        assertTrue(m.startsWith(dir.resolve("config.toml") + ":" + line + ":1: dhcp.relay[0]"), m);
    }

    @Test
    void missingRelayKeysAreErrorsAtTheirTable() {
        String m = error("interface = \"eth1\"\n[[dhcp.relay]]\nrange_start = \"198.18.20.10\"\n"
                + "range_end = \"198.18.20.20\"\n");
        assertTrue(m.contains("dhcp.relay[0]: subnet is missing"), m);
        assertTrue(m.startsWith(dir.resolve("config.toml") + ":2:"), m);
        m = error("interface = \"eth1\"\n[[dhcp.relay]]\nsubnet = \"198.18.20.0/24\"\nrange_start = \"198.18.20.10\"\n");
        assertTrue(m.contains("dhcp.relay[0]: range_end is missing"), m);
        assertTrue(m.startsWith(dir.resolve("config.toml") + ":2:"), m);
        m = error("interface = \"eth1\"\n[dhcp]\nrelay = 3\n");
        assertTrue(m.contains("dhcp.relay: must be an array"), m);
    }

    @Test
    void overlappingRelaysAreRejected() {
        String m = error("interface = \"eth1\"\n"
                + "[[dhcp.relay]]\nsubnet = \"198.18.20.0/24\"\nrange_start = \"198.18.20.10\"\nrange_end = \"198.18.20.20\"\n"
                + "[[dhcp.relay]]\nsubnet = \"198.18.20.128/25\"\nrange_start = \"198.18.20.130\"\nrange_end = \"198.18.20.140\"\n");
        assertTrue(m.contains("dhcp.relay[1].subnet: 198.18.20.128/25 overlaps dhcp.relay[0] 198.18.20.0/24"), m);
        assertTrue(m.startsWith(dir.resolve("config.toml") + ":7:1:"), m);
    }

    /** Lines: 1 interface, 2 [ipv6], 3 dhcp, 4 address, 5 [[ipv6.relay]], 6 link, 7 range_start, 8 range_end. */
    static String relay6(String link, String start, String end) {
        return "interface = \"eth1\"\n[ipv6]\ndhcp = \"full\"\naddress = \"2001:db8:7::1\"\n[[ipv6.relay]]\n"
                + (link == null ? "" : "link = \"" + link + "\"\n")
                + (start == null ? "" : "range_start = \"" + start + "\"\n")
                + (end == null ? "" : "range_end = \"" + end + "\"\n");
    }

    @Test
    void ipv6RelayedLinksAreReadAndSurviveTheImpliedConfig() throws Exception {
        Config c = load(relay6("2001:db8:31::/64", "2001:db8:31::100", "2001:db8:31::1ff")
                + "[[ipv6.relay]]\nlink = \"2001:db8:32::/48\"\nrange_start = \"2001:db8:32:5::10\"\n"
                + "range_end = \"2001:db8:32:5::20\"\n").config();
        List<Config.Relay6> r = c.dhcp6().relays();
        assertEquals(2, r.size());
        assertEquals("2001:db8:31::/64", r.get(0).link().toString());
        assertEquals(java.net.InetAddress.getByName("2001:db8:31::100"), r.get(0).rangeStart());
        assertEquals("2001:db8:32::/48", r.get(1).link().toString());
        String toml = ConfigWriter.toToml(c);
        assertTrue(toml.contains("[[ipv6.relay]]\nlink = \"2001:db8:31::/64\"\n"), toml);
        assertEquals(c, load(toml).config());
        assertEquals(List.of(), load("interface = \"eth1\"").config().dhcp6().relays());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "-|2001:db8:31::100|2001:db8:31::1ff|5|ipv6.relay[0]|link is missing",
        "2001:db8:31::|2001:db8:31::100|2001:db8:31::1ff|6|ipv6.relay[0].link|has no /length",
        "2001:db8:31::5/64|2001:db8:31::100|2001:db8:31::1ff|6|ipv6.relay[0].link|has bits set past the prefix length; the prefix is 2001:db8:31::/64",
        "2001:db8:31::/129|2001:db8:31::100|2001:db8:31::1ff|6|ipv6.relay[0].link|prefix length 129",
        "198.18.0.0/16|2001:db8:31::100|2001:db8:31::1ff|6|ipv6.relay[0].link|is not an IPv6 address",
        "2001:db8:31::/64|-|2001:db8:31::1ff|5|ipv6.relay[0]|range_start is missing",
        "2001:db8:31::/64|2001:db8:31::100|-|5|ipv6.relay[0]|range_end is missing",
        "2001:db8:31::/64|nonsense|2001:db8:31::1ff|7|ipv6.relay[0].range_start|'nonsense' is not an IPv6 address",
        "2001:db8:31::/64|2001:db8:32::100|2001:db8:31::1ff|7|ipv6.relay[0].range_start|2001:db8:32::100 is not inside 2001:db8:31::/64",
        "2001:db8:31::/64|2001:db8:31::100|2001:db8:32::1ff|8|ipv6.relay[0].range_end|2001:db8:32::1ff is not inside 2001:db8:31::/64",
        "2001:db8:31::/64|2001:db8:31::200|2001:db8:31::1ff|7|ipv6.relay[0].range_start|is after range_end",
        "2001:db8:7::/64|2001:db8:7::100|2001:db8:7::1ff|6|ipv6.relay[0].link|overlaps the server's own link 2001:db8:7::/64",
        "2001:db8::/32|2001:db8:8::100|2001:db8:8::1ff|6|ipv6.relay[0].link|overlaps the server's own link",
    })
    void badIpv6RelayedLinksAreNamedWithTheirLine(String link, String start, String end, int line, String key,
            String fragment) {
        assertErrorAt(relay6(link, start, end), line, key, fragment);
    }

    @Test
    void ipv6RelayedRangesMustNotOverlapTheMainRangeOrEachOther() {
        // A main range that runs past the server's /64 into the relayed link's.
        String m = error("interface = \"eth1\"\n[ipv6]\ndhcp = \"full\"\naddress = \"2001:db8:7::1\"\n"
                + "range_start = \"2001:db8:7::100\"\nrange_end = \"2001:db8:8::5\"\n[[ipv6.relay]]\n"
                + "link = \"2001:db8:8::/64\"\nrange_start = \"2001:db8:8::1\"\nrange_end = \"2001:db8:8::10\"\n");
        assertTrue(m.contains("ipv6.relay[0].range_start: the pool 2001:db8:8::1 - 2001:db8:8::10 overlaps the main"
                + " range 2001:db8:7::100 - 2001:db8:8::5"), m);
        assertTrue(m.startsWith(dir.resolve("config.toml") + ":9:"), m);
        String o = error(relay6("2001:db8:31::/64", "2001:db8:31::100", "2001:db8:31::1ff")
                + "[[ipv6.relay]]\nlink = \"2001:db8:31::/48\"\nrange_start = \"2001:db8:31:5::10\"\n"
                + "range_end = \"2001:db8:31:5::20\"\n");
        assertTrue(o.contains("ipv6.relay[1].link: 2001:db8:31::/48 overlaps ipv6.relay[0] 2001:db8:31::/64"), o);
        assertTrue(o.startsWith(dir.resolve("config.toml") + ":10:"), o);
        ConfigLoader.Loaded l = assertDoesNotThrow(() -> load(relay6("2001:db8:31::/64", "2001:db8:31::100",
                "2001:db8:31::1ff") + "gateway = \"2001:db8:31::1\"\n"));
        assertTrue(String.join(" ", l.warnings()).contains("ipv6.relay[0].gateway"), l.warnings().toString());
    }
}

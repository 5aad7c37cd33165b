package org.astralboot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.astralboot.net.Ipv4;
import org.junit.jupiter.api.Test;

class WizardTest {
    static final List<Wizard.Iface> TWO = List.of(
            new Wizard.Iface("eth0", new ConfigLoader.Ipv4Address(Ipv4.parse("198.18.5.5"), 16)),
            new Wizard.Iface("eth1", new ConfigLoader.Ipv4Address(Ipv4.parse("192.0.2.1"), 24)));

    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Wizard wizard(String answers, List<Wizard.Iface> ifs) {
        return new Wizard(new BufferedReader(new StringReader(answers)), new PrintStream(out, true, StandardCharsets.UTF_8),
                ifs);
    }

    String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    Config parse(String toml) throws ConfigException {
        return new ConfigLoader(ConfigLoaderTest.FAKE).parse(toml, Path.of("/tmp/w.toml"), ConfigLoader.Network.REQUIRED)
                .config();
    }

    @Test
    void defaultsOnEnterGiveALoadableConfig() throws Exception {
        // interface 2, IPFS yes, API default, mode default (full), range defaults, no extra config,
        // router solicitations answered, DHCPv6 off
        String toml = wizard("2\n\n\n\n\n\n\n\n\n", TWO).run().orElseThrow();
        Config c = parse(toml);
        assertEquals("eth1", c.iface());
        assertTrue(c.ipfs());
        assertEquals(Config.DhcpMode.FULL, c.dhcp().mode());
        assertEquals("192.0.2.1", Ipv4.text(c.dhcp().rangeStart()));
        assertTrue(printed().contains("1 : eth0 - 198.18.5.5/16"), printed());
        assertTrue(c.ipv6().answerRs());
        assertEquals(Config.Dhcp6Mode.OFF, c.dhcp6().mode());
        assertTrue(toml.contains("\n[ipv6]\nanswer_rs = true\ndhcp = \"off\"\n"), toml);
    }

    @Test
    void onAHugeSubnetTheDefaultPoolIsCappedAndALargerOneAskedAgain() throws Exception {
        List<Wizard.Iface> huge = List.of(TWO.get(1),
                new Wizard.Iface("lo", new ConfigLoader.Ipv4Address(Ipv4.parse("127.0.0.1"), 8)));
        Config c = parse(wizard("2\n\n\n\n\n\n\n\n\n", huge).run().orElseThrow());
        assertEquals("127.0.0.1", Ipv4.text(c.dhcp().rangeStart()));
        assertEquals("127.1.0.0", Ipv4.text(c.dhcp().rangeEnd())); // 65,536 addresses
        out.reset();
        Config d = parse(wizard("2\n\n\n\n\n127.255.255.254\n127.0.1.0\n\n\n\n", huge).run().orElseThrow());
        assertEquals("127.0.1.0", Ipv4.text(d.dhcp().rangeEnd()));
        assertTrue(printed().contains("the pool would have 16777214 addresses, at most 65536"), printed());
    }

    @Test
    void badAnswersAreAskedAgain() throws Exception {
        String answers = String.join("\n",
                "7", "x", "2",          // interface: out of range, not a number, then eth1
                "maybe", "n",           // IPFS: not yes/no, then no
                "sometimes", "full",    // DHCP mode
                "10.0.0.1", "192.0.2.100", // range start: outside the subnet, then good
                "192.0.2.50", "192.0.2.200", // range end: before start, then good
                "y",                     // extra network configuration
                "192.0.2.53, 192.0.2.54", // DNS
                "none",                 // gateway
                "", "") + "\n";         // IPv6: router solicitations answered, DHCPv6 off
        Config c = parse(wizard(answers, TWO).run().orElseThrow());
        assertEquals(false, c.ipfs());
        assertEquals("192.0.2.100", Ipv4.text(c.dhcp().rangeStart()));
        assertEquals("192.0.2.200", Ipv4.text(c.dhcp().rangeEnd()));
        assertEquals(List.of(Ipv4.parse("192.0.2.53"), Ipv4.parse("192.0.2.54")), c.dhcp().dns());
        assertEquals(null, c.dhcp().gateway());
        String p = printed();
        assertTrue(p.contains("type a number from 1 to 2"), p);
        assertTrue(p.contains("Please type yes or no"), p);
        assertTrue(p.contains("not a DHCP mode") || p.contains("answer full, proxy or off"), p);
        assertTrue(p.contains("is not in 192.0.2.0/24"), p);
        assertTrue(p.contains("must not be before 192.0.2.100"), p);
    }

    @Test
    void aSingleInterfaceIsWarnedAboutAndDefaultsToProxy() throws Exception {
        Config c = parse(wizard("\n\n\n\n\n\n\n", TWO.subList(1, 2)).run().orElseThrow());
        assertEquals(Config.DhcpMode.PROXY, c.dhcp().mode());
        assertTrue(printed().contains("WARNING: only one usable interface"), printed());
    }

    static final List<Wizard.Iface> V6 = List.of(new Wizard.Iface("eth1",
            new ConfigLoader.Ipv4Address(Ipv4.parse("192.0.2.1"), 24),
            List.of((java.net.Inet6Address) java.net.InetAddress.ofLiteral("2001:db8:5::1"))));

    @Test
    void dhcp6FullAsksForAPoolInTheInterfacesSlash64() throws Exception {
        String answers = String.join("\n",
                "1", "n", "full", "", "", "n", // interface, no IPFS, DHCP full, its default pool, no extras
                "n",                          // router solicitations: not answered
                "sometimes", "full",          // DHCPv6 mode: not one, then full
                "2001:db8:99::5", "x", "2001:db8:5::100", // pool start: other /64, not an address, good
                "2001:db8:5::50", "2001:db8:5::1ff") + "\n"; // pool end: before the start, then good
        String toml = wizard(answers, V6).run().orElseThrow();
        Config c = parse(toml);
        assertEquals(false, c.ipv6().answerRs());
        assertEquals(Config.Dhcp6Mode.FULL, c.dhcp6().mode());
        assertEquals("2001:db8:5::100", Config.Dhcp6.text(c.dhcp6().rangeStart()));
        assertEquals("2001:db8:5::1ff", Config.Dhcp6.text(c.dhcp6().rangeEnd()));
        String p = printed();
        assertTrue(p.contains("answer off, full or stateless"), p);
        assertTrue(p.contains("2001:db8:99::5 is not in 2001:db8:5::1/64"), p);
        assertTrue(p.contains("x is not an IPv6 address"), p);
        assertTrue(p.contains("must not be before 2001:db8:5::100"), p);
        assertTrue(p.contains("First address of the IPv6 pool [2001:db8:5::1:0]"), "Config's default pool: " + p);
    }

    @Test
    void dhcp6DefaultPoolOnEnterAndNoRouterQuestionWithDhcpOff() throws Exception {
        Config c = parse(wizard("1\nn\noff\nfull\n\n\n", V6).run().orElseThrow());
        assertEquals(Config.DhcpMode.OFF, c.dhcp().mode());
        assertEquals(Config.Dhcp6Mode.FULL, c.dhcp6().mode());
        assertEquals("2001:db8:5::1:0", Config.Dhcp6.text(c.dhcp6().rangeStart()));
        assertEquals("2001:db8:5::1:ffff", Config.Dhcp6.text(c.dhcp6().rangeEnd()));
        assertTrue(!printed().contains("router solicitations"), "only asked with DHCP on: " + printed());
    }

    @Test
    void dhcp6WithoutAGlobalAddressWarnsAndLeavesThePoolToTheServer() throws Exception {
        String toml = wizard("2\nn\nproxy\n\n\nstateless\n", TWO).run().orElseThrow();
        Config c = parse(toml);
        assertEquals(Config.Dhcp6Mode.STATELESS, c.dhcp6().mode());
        assertTrue(printed().contains("WARNING: eth1 has no global IPv6 address"), printed());
        assertTrue(!toml.contains("range_start = \"2001"), toml);
        out.reset();
        c = parse(wizard("2\nn\nproxy\n\n\nfull\n", TWO).run().orElseThrow());
        assertEquals(Config.Dhcp6Mode.FULL, c.dhcp6().mode());
        assertEquals(null, c.dhcp6().rangeStart(), "derived from the address the server finds at start");
    }

    @Test
    void endOfInputAtAnyPromptCancels() {
        for (String partial : List.of("", "2\n", "2\ny\n", "2\ny\n\n", "2\nn\nfull\n192.0.2.10\n")) {
            assertThrows(Wizard.Cancelled.class, () -> wizard(partial, TWO).run(), partial);
        }
    }

    @Test
    void noUsableInterfaceIsExplained() throws Exception {
        assertTrue(wizard("", List.of()).run().isEmpty());
        assertTrue(printed().contains("No network interface with an IPv4 address"));
    }
}

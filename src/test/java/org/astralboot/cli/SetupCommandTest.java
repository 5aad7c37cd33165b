package org.astralboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigLoader;
import org.astralboot.config.Wizard;
import org.astralboot.net.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code astralboot setup} writes the [ipv6] answers under the keys the config loader reads. */
class SetupCommandTest {
    @Test
    void writesTheIpv6SectionTheServerReads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.toml");
        List<Wizard.Iface> ifs = List.of(new Wizard.Iface("v6ops0", new ConfigLoader.Ipv4Address(Ipv4.parse("192.0.2.1"), 24),
                List.of((java.net.Inet6Address) java.net.InetAddress.ofLiteral("2001:db8:5::1"))));
        // interface, no IPFS, DHCP full with its default pool, no extras; RS answered; DHCPv6 full,
        // pool 2001:db8:5::100-1ff; save.
        String answers = String.join("\n", "1", "n", "full", "", "", "n", "y", "full", "2001:db8:5::100",
                "2001:db8:5::1ff", "y") + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = new SetupCommand(file, new BufferedReader(new StringReader(answers)),
                new PrintStream(out, true, StandardCharsets.UTF_8), ifs).call();
        assertEquals(ExitCode.OK, rc, out.toString(StandardCharsets.UTF_8));
        String toml = Files.readString(file);
        assertTrue(toml.contains("[ipv6]\nanswer_rs = true\ndhcp = \"full\"\nrange_start = \"2001:db8:5::100\"\n"
                + "range_end = \"2001:db8:5::1ff\"\n"), toml);
        Config c = new ConfigLoader(ConfigLoader.Interfaces.SYSTEM).parse(toml, file, ConfigLoader.Network.OPTIONAL)
                .config();
        assertEquals(Config.Dhcp6Mode.FULL, c.dhcp6().mode());
        assertEquals("2001:db8:5::100", Config.Dhcp6.text(c.dhcp6().rangeStart()));
        assertTrue(c.ipv6().answerRs());
    }
}

package org.astralboot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.astralboot.net.Ipv4;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code [dns]} section: on by default exactly in full DHCP mode; bad values name key and line. */
class DnsConfigTest {
    @TempDir
    Path dir;

    private Config load(String toml) throws ConfigException {
        return new ConfigLoader(ConfigLoaderTest.FAKE).parse(toml, dir.resolve("config.toml"),
                ConfigLoader.Network.REQUIRED).config();
    }

    @Test
    void onInFullModeOffInProxyModeUnlessSaid() throws Exception {
        Config full = load("interface = \"eth1\"");
        assertTrue(full.dns().enabled());
        assertEquals(53, full.dns().port());
        assertEquals(List.of(), full.dns().upstream());
        assertEquals(Duration.ofMinutes(1), full.dns().ttl());
        assertFalse(load("interface = \"eth1\"\n[dhcp]\nmode = \"proxy\"").dns().enabled());
        assertTrue(load("interface = \"eth1\"\n[dhcp]\nmode = \"proxy\"\n[dns]\nenabled = true").dns().enabled());
        assertFalse(load("interface = \"eth1\"\n[dns]\nenabled = false").dns().enabled());
    }

    @Test
    void upstreamPortAndTtl() throws Exception {
        Config c = load("interface = \"eth1\"\n[dns]\nport = 5353\nupstream = [\"192.0.2.53\", \"198.18.0.53\"]\nttl = \"5m\"");
        assertEquals(5353, c.dns().port());
        assertEquals(List.of(Ipv4.parse("192.0.2.53"), Ipv4.parse("198.18.0.53")), c.dns().upstream());
        assertEquals(Duration.ofMinutes(5), c.dns().ttl());
    }

    @Test
    void badValuesNameKeyAndLine() {
        String e = assertThrows(ConfigException.class,
                () -> load("interface = \"eth1\"\n[dns]\nenabled = \"yes\"")).getMessage();
        assertTrue(e.contains("dns.enabled") && e.contains("config.toml:3:"), e);
        e = assertThrows(ConfigException.class, () -> load("interface = \"eth1\"\n[dns]\nttl = \"0s\"")).getMessage();
        assertTrue(e.contains("dns.ttl") && e.contains("config.toml:3:"), e);
        e = assertThrows(ConfigException.class,
                () -> load("interface = \"eth1\"\n[dns]\nupstream = [\"dns.example\"]")).getMessage();
        assertTrue(e.contains("dns.upstream") && e.contains("config.toml:3:"), e);
    }

    @Test
    void theImpliedConfigWritesTheSectionAndLoadsBack() throws Exception {
        Config c = load("interface = \"eth1\"\n[dns]\nupstream = [\"192.0.2.53\"]");
        String toml = ConfigWriter.toToml(c);
        assertTrue(toml.contains("\n[dns]\nenabled = true\nport = 53\nupstream = [\"192.0.2.53\"]\nttl = \"1m\"\n"), toml);
        assertEquals(c.dns(), load(toml).dns());
    }
}

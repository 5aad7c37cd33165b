package org.astralboot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code [ipv6]} section: {@code answer_rs} on by default, off when said; bad values name key and line. */
class Ipv6ConfigTest {
    @TempDir
    Path dir;

    private ConfigLoader.Loaded load(String toml) throws ConfigException {
        return new ConfigLoader(ConfigLoaderTest.FAKE).parse(toml, dir.resolve("config.toml"),
                ConfigLoader.Network.REQUIRED);
    }

    @Test
    void answerRsIsOnByDefaultInFullAndProxyMode() throws Exception {
        assertTrue(load("interface = \"eth1\"").config().ipv6().answerRs());
        assertTrue(load("interface = \"eth1\"\n[dhcp]\nmode = \"proxy\"").config().ipv6().answerRs());
        assertTrue(Config.Ipv6.DEFAULT.answerRs());
    }

    @Test
    void answerRsFalseTurnsItOff() throws Exception {
        ConfigLoader.Loaded l = load("interface = \"eth1\"\n[ipv6]\nanswer_rs = false");
        assertFalse(l.config().ipv6().answerRs());
        assertEquals(java.util.List.of(), l.warnings());
    }

    @Test
    void badValuesAndUnknownKeys() throws Exception {
        String e = assertThrows(ConfigException.class,
                () -> load("interface = \"eth1\"\n[ipv6]\nanswer_rs = \"no\"")).getMessage();
        assertTrue(e.contains("ipv6.answer_rs") && e.contains("config.toml:3:"), e);
        ConfigLoader.Loaded l = load("interface = \"eth1\"\n[ipv6]\nanswer_ra = false");
        assertTrue(l.warnings().toString().contains("ipv6.answer_ra"), l.warnings().toString());
    }

    @Test
    void theImpliedConfigWritesTheSectionAndLoadsBack() throws Exception {
        Config c = load("interface = \"eth1\"\n[ipv6]\nanswer_rs = false").config();
        String toml = ConfigWriter.toToml(c);
        assertTrue(toml.contains("\n[ipv6]\nanswer_rs = false\n"), toml);
        assertFalse(load(toml).config().ipv6().answerRs());
    }
}

package org.astralboot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [admin]}: the listener's default, and the token it requires beyond loopback. */
class AdminConfigTest {
    @TempDir
    Path dir;

    private ConfigLoader.Loaded load(String toml) throws ConfigException {
        return new ConfigLoader(ConfigLoaderTest.FAKE).parse(toml, dir.resolve("config.toml"), ConfigLoader.Network.REQUIRED);
    }

    private String error(String toml) {
        return assertThrows(ConfigException.class, () -> load(toml)).getMessage();
    }

    @Test
    void defaultsToLoopbackWithoutToken() throws Exception {
        Config.Admin a = load("interface = \"eth1\"").config().admin();
        assertEquals("127.0.0.1:9080", a.listenText());
        assertEquals("", a.token());
        assertFalse(a.beyondLoopback());
    }

    @Test
    void emptyListenMeansNone() throws Exception {
        assertNull(load("interface = \"eth1\"\n[admin]\nlisten = \"\"\n").config().admin().listen());
    }

    @Test
    void beyondLoopbackWithoutTokenIsRefusedNamingKeyAndLine() {
        String m = error("interface = \"eth1\"\n\n[admin]\nlisten = \"198.18.0.1:9080\"\n");
        assertTrue(m.contains("config.toml:4:1: admin.listen:"), m);
        assertTrue(m.contains("[admin] token is required"), m);
    }

    @Test
    void beyondLoopbackWithTokenIsAccepted() throws Exception {
        Config.Admin a = load("interface = \"eth1\"\n[admin]\nlisten = \"198.18.0.1:9443\"\ntoken = \"0123456789abcdef\"\n")
                .config().admin();
        assertTrue(a.beyondLoopback());
        assertEquals(9443, a.listen().getPort());
        assertEquals("0123456789abcdef", a.token());
        // The implied config (-v) never prints the token.
        String implied = ConfigWriter.toToml(load("interface = \"eth1\"\n[admin]\ntoken = \"0123456789abcdef\"\n").config());
        assertFalse(implied.contains("0123456789abcdef"), implied);
        assertTrue(implied.contains("token = \"<set>\""), implied);
    }

    @Test
    void badValuesNameTheKey() {
        String m = error("interface = \"eth1\"\n[admin]\nlisten = \"localhost\"\n");
        assertTrue(m.contains("admin.listen:") && m.contains("not an IPv4 address and port"), m);
        m = error("interface = \"eth1\"\n[admin]\nlisten = \"127.0.0.1:70000\"\n");
        assertTrue(m.contains("admin.listen:"), m);
        m = error("interface = \"eth1\"\n[admin]\ntoken = \"short\"\n");
        assertTrue(m.contains("admin.token:") && m.contains("at least 16"), m);
    }
}

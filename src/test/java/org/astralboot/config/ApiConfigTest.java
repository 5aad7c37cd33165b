package org.astralboot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The [api] table: off by default, defaults from the Keys table, each bad value refused naming its key. */
class ApiConfigTest {
    static Config load(String toml) throws ConfigException {
        return new ConfigLoader(ConfigLoaderTest.FAKE).parse("interface = \"eth1\"\n" + toml,
                Path.of("/nonexistent/config.toml"), ConfigLoader.Network.REQUIRED).config();
    }

    @Test
    void offByDefault() throws Exception {
        Config.Api a = load("").api();
        assertFalse(a.on());
        assertEquals(new Config.Api(null, Duration.ofSeconds(5), Duration.ofSeconds(60), false, 4L << 30), a);
    }

    @Test
    void everyKey() throws Exception {
        Config.Api a = load("""
                [api]
                url = "https://api.example:8443/pxe"
                timeout = "750ms"
                cache_ttl = "2m"
                fallback = "menu"
                files_max = "512M"
                """).api();
        assertEquals(new Config.Api(URI.create("https://api.example:8443/pxe"), Duration.ofMillis(750),
                Duration.ofMinutes(2), true, 512L << 20), a);
        assertTrue(a.on());
    }

    @Test
    void badValuesNameTheirKey() {
        for (String[] c : new String[][] {
                {"url = \"ftp://x/\"", "api.url"},
                {"timeout = \"0s\"", "api.timeout"},
                {"cache_ttl = \"2h\"", "api.cache_ttl"},
                {"fallback = \"tree\"", "api.fallback"}}) {
            String m = assertThrows(ConfigException.class, () -> load("[api]\n" + c[0] + "\n")).getMessage();
            assertTrue(m.contains(c[1]), c[0] + " -> " + m);
        }
    }
}

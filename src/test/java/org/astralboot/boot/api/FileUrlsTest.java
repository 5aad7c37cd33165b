package org.astralboot.boot.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.astralboot.db.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed file URLs: what this server signed reads back; anything altered, or signed elsewhere, does not. */
class FileUrlsTest {
    static final byte[] KEY = new byte[32];
    static final byte[] OTHER = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            KEY[i] = (byte) i;
            OTHER[i] = (byte) (i + 1);
        }
    }

    @Test
    void aSignedUrlNamesItsSource() {
        FileUrls u = new FileUrls(KEY, "http://192.0.2.1/");
        String url = u.url("http://api.example/files/vmlinuz?v=2");
        assertTrue(url.startsWith("http://192.0.2.1/file/"), url);
        assertTrue(url.endsWith("/vmlinuz"), url);
        String rest = url.substring("http://192.0.2.1/file/".length());
        assertEquals(Optional.of("http://api.example/files/vmlinuz?v=2"), u.verify(FileUrls.tokenOf(rest)));
    }

    @Test
    void everyAlteredTokenIsRefused() {
        FileUrls u = new FileUrls(KEY, "http://192.0.2.1");
        String t = u.token("http://api.example/k");
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            for (char r : new char[] {'A', 'b', '_', '-', '.'}) {
                if (r == c) {
                    continue;
                }
                String altered = t.substring(0, i) + r + t.substring(i + 1);
                Optional<String> v = u.verify(altered);
                // Base64 padding bits may decode the same; then the source and its MAC are unchanged.
                assertTrue(v.isEmpty() || v.get().equals("http://api.example/k"), altered);
            }
        }
        String src = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("http://evil/x".getBytes());
        assertEquals(Optional.empty(), u.verify(src + t.substring(t.indexOf('.'))), "another source with this MAC");
        assertEquals(Optional.empty(), u.verify(src), "no MAC");
        assertEquals(Optional.empty(), u.verify(""), "empty");
        assertEquals(Optional.empty(), new FileUrls(OTHER, "http://192.0.2.1").verify(t), "another server's key");
    }

    @Test
    void theKeySurvivesARestart(@TempDir Path dir) throws Exception {
        String token;
        try (Database db = Database.open(dir.resolve("a.db"))) {
            token = FileUrls.open(db, ip -> "http://192.0.2.1").token("http://api.example/k");
        }
        try (Database db = Database.open(dir.resolve("a.db"))) {
            assertEquals(Optional.of("http://api.example/k"), FileUrls.open(db, ip -> "http://192.0.2.1").verify(token));
        }
        try (Database db = Database.open(dir.resolve("b.db"))) {
            assertEquals(Optional.empty(), FileUrls.open(db, ip -> "http://192.0.2.1").verify(token), "another database's key");
        }
    }

    @Test
    void aMachineOnIpv6GetsItsUrlsOnTheServersIpv6Address() throws Exception {
        // As serve wires it: the base of Config.httpBaseFor, with DHCPv6 on and its address resolved.
        org.astralboot.config.Config cfg = new org.astralboot.config.ConfigLoader(
                org.astralboot.config.ConfigLoader.Interfaces.SYSTEM).parse("""
                interface = "eth0"
                address = "192.0.2.1"
                ipfs = false
                [http]
                port = 8080
                [ipv6]
                dhcp = "full"
                """, java.nio.file.Path.of("config.toml"), org.astralboot.config.ConfigLoader.Network.OPTIONAL).config();
        cfg = cfg.withDhcp6(cfg.dhcp6().withAddress((java.net.Inet6Address) java.net.InetAddress.getByName("2001:db8:17::1")));
        FileUrls u = new FileUrls(KEY, cfg::httpBaseFor);
        String v4 = u.url("http://api.example/files/vmlinuz", "192.0.2.50");
        String v6 = u.url("http://api.example/files/vmlinuz", "2001:db8:17:0:0:0:0:100");
        assertTrue(v4.startsWith("http://192.0.2.1:8080/file/"), v4);
        assertTrue(v6.startsWith("http://[2001:db8:17::1]:8080/file/"), v6);
        assertEquals(v4.substring(v4.indexOf("/file/")), v6.substring(v6.indexOf("/file/")), "the same token either way");
        assertEquals(v4, u.url("http://api.example/files/vmlinuz"), "an unknown address: the configured base");
    }

    @Test
    void namesAreSafe() {
        assertEquals("vmlinuz", FileUrls.nameOf("http://a/b/vmlinuz?x=/y"));
        assertEquals("file", FileUrls.nameOf("http://a/b/"));
        assertEquals("a_b_c", FileUrls.nameOf("file:/x/a b$c"));
        assertEquals("file", FileUrls.nameOf("http://a/.."));
    }
}

package org.astralboot.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import org.astralboot.config.Config;
import org.junit.jupiter.api.Test;

class Ipv6Test {
    static Inet6Address ip(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    /** RFC 5952 §4: lower case, no leading zeros, the longest zero run compressed (the first of equals), never one group. */
    @Test
    void rfc5952Text() throws Exception {
        assertEquals("2001:db8::1", Ipv6.text(ip("2001:0DB8:0:0:0:0:0:0001")));
        assertEquals("2001:db8:0:1:1:1:1:1", Ipv6.text(ip("2001:db8:0:1:1:1:1:1")));
        assertEquals("2001:db8::1:0:0:1", Ipv6.text(ip("2001:db8:0:0:1:0:0:1")));
        assertEquals("2001:0:0:1::1", Ipv6.text(ip("2001:0:0:1:0:0:0:1")));
        assertEquals("::", Ipv6.text(ip("::")));
        assertEquals("::1", Ipv6.text(ip("::1")));
        assertEquals("fe80::", Ipv6.text(ip("fe80::")));
        assertEquals("fe80::5054:ff:fe12:3456", Ipv6.text(ip("fe80::5054:ff:fe12:3456%1")));
        assertEquals("[2001:db8:e2::1]", Ipv6.bracketed(ip("2001:db8:e2:0:0:0:0:1")));
    }

    /** Masking clears exactly the bits past the length, inside a byte too; the same as the 128-bit shift. */
    @Test
    void maskedClearsTheBitsPastTheLength() throws Exception {
        Inet6Address a = ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
        assertEquals("::", Ipv6.text(Ipv6.masked(a, 0)));
        assertEquals("2001:db8:ffff:ffff::", Ipv6.text(Ipv6.masked(a, 64)));
        assertEquals("2001:db8:ffff:ffff:8000::", Ipv6.text(Ipv6.masked(a, 65)));
        assertEquals("2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", Ipv6.text(Ipv6.masked(a, 127)));
        assertEquals(a, Ipv6.masked(a, 128));
        for (int len = 0; len <= 128; len++) {
            assertEquals(Ipv6.toBig(a).shiftRight(128 - len).shiftLeft(128 - len), Ipv6.toBig(Ipv6.masked(a, len)),
                    "/" + len);
        }
        assertThrows(IllegalArgumentException.class, () -> Ipv6.masked(a, 129));
        assertThrows(IllegalArgumentException.class, () -> Ipv6.masked(a, -1));
    }

    @Test
    void globalAddresses() throws Exception {
        assertTrue(Ipv6.global(ip("2001:db8::1")));
        assertFalse(Ipv6.global(ip("fe80::1")));
        assertFalse(Ipv6.global(ip("fd00::1")));
        assertFalse(Ipv6.global(ip("::1")));
        assertFalse(Ipv6.global(ip("ff02::1:2")));
    }

    @Test
    void machinesOverIpv6GetBracketedUrls() throws Exception {
        Config c = Config.defaults("br0", Ipv4.parse("192.0.2.1"), 24, Path.of("/tmp"));
        assertEquals("http://192.0.2.1", c.httpBaseFor("2001:db8::100"), "DHCPv6 off: the IPv4 base");
        Config v6 = c.withDhcp6(new Config.Dhcp6(Config.Dhcp6Mode.FULL, ip("2001:db8:0:0::1"), null, null));
        assertEquals("http://[2001:db8::1]", v6.httpBaseFor("2001:db8:0:0:0:0:0:100"));
        assertEquals("http://192.0.2.1", v6.httpBaseFor("192.0.2.50"));
        Config port = v6.withHttp(new Config.Http(c.http().bind(), 8080, java.net.URI.create("http://192.0.2.1:8080")));
        assertEquals("http://[2001:db8::1]:8080", port.httpBaseFor("2001:db8::100"));
        Config.Dhcp6 d = new Config.Dhcp6(Config.Dhcp6Mode.FULL, null, null, null).withAddress(ip("2001:db8:5:6::1"));
        assertEquals("2001:db8:5:6::1:0", Ipv6.text(d.rangeStart()));
        assertEquals("2001:db8:5:6::1:ffff", Ipv6.text(d.rangeEnd()));
    }
}

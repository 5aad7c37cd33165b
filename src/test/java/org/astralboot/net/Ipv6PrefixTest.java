package org.astralboot.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class Ipv6PrefixTest {
    static Inet6Address ip(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    @Test
    void containsOverlapsAndContaining() throws Exception {
        Ipv6Prefix p = Ipv6Prefix.parse("2001:DB8:31::/64");
        assertEquals("2001:db8:31::/64", p.toString());
        assertTrue(p.contains(ip("2001:db8:31::1")));
        assertTrue(p.contains(ip("2001:db8:31:0:ffff:ffff:ffff:ffff")));
        assertFalse(p.contains(ip("2001:db8:31:1::1")));
        assertTrue(p.overlaps(Ipv6Prefix.parse("2001:db8::/32")));
        assertFalse(p.overlaps(Ipv6Prefix.parse("2001:db8:32::/64")));
        assertEquals(p, Ipv6Prefix.containing(ip("2001:db8:31::abcd"), 64));
        assertEquals("2001:db8:31::abcd/128", Ipv6Prefix.containing(ip("2001:db8:31::abcd"), 128).toString());
        assertEquals("::/1", Ipv6Prefix.parse("::/1").toString());
    }

    @Test
    void badTextIsNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse("2001:db8:31::1/64"))
                .getMessage().contains("the prefix is 2001:db8:31::/64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse("2001:db8::/0"))
                .getMessage().contains("prefix length 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse("2001:db8::/x"))
                .getMessage().contains("not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse("example.org/64"))
                .getMessage().contains("is not an IPv6 address"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse("::ffff:192.0.2.1/128"))
                .getMessage().contains("IPv4-mapped"));
    }
}

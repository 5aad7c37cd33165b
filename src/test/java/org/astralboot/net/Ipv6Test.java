package org.astralboot.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class Ipv6Test {
    static String t(String s) throws Exception {
        return Ipv6.text((Inet6Address) InetAddress.getByName(s));
    }

    @Test
    void rfc5952() throws Exception {
        assertEquals("fe80::5054:ff:feaa:101", t("fe80:0:0:0:5054:ff:feaa:101"));
        assertEquals("::", t("0:0:0:0:0:0:0:0"));
        assertEquals("::1", t("::1"));
        assertEquals("ff02::2", t("ff02::2"));
        assertEquals("2001:db8:0:1:1:1:1:1", t("2001:db8:0:1:1:1:1:1"), "one zero group stays");
        assertEquals("2001:0:0:1::1", t("2001:0:0:1:0:0:0:1"), "the longest run");
        assertEquals("2001:db8::1:0:0:1", t("2001:db8:0:0:1:0:0:1"), "the first of equal runs");
    }
}

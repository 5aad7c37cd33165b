package org.astralboot.ndp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.astralboot.config.Config;
import org.astralboot.ndp.engine.RaContent;
import org.junit.jupiter.api.Test;

class RouterAnswerServiceTest {
    static Inet6Address ip(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    @Test
    void theAnswerFollowsTheDhcp6Mode() throws Exception {
        assertEquals(RaContent.NONE, RouterAnswerService.content(Config.Dhcp6.OFF, 64), "DHCPv6 off: M = O = 0");
        Config.Dhcp6 full = new Config.Dhcp6(Config.Dhcp6Mode.FULL, ip("2001:db8:e2::1"), null, null)
                .withDefaultRange();
        assertEquals(RaContent.full(ip("2001:db8:e2::1"), 64), RouterAnswerService.content(full, 64));
        Config.Dhcp6 stateless = new Config.Dhcp6(Config.Dhcp6Mode.STATELESS, ip("2001:db8:e2::1"), null, null);
        RaContent s = RouterAnswerService.content(stateless, 64);
        assertTrue(s.other() && !s.managed() && s.prefix().autonomous());
        assertFalse(RouterAnswerService.content(stateless, 80).prefix().autonomous(), "no SLAAC on a /80");
        // The address not resolved yet (no global address found): nothing to advertise.
        assertEquals(RaContent.NONE,
                RouterAnswerService.content(new Config.Dhcp6(Config.Dhcp6Mode.FULL, null, null, null), 64));
    }
}

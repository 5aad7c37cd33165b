package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

/** The caps on DHCP requests waiting for a boot source: per MAC and in all, freed as they end. */
class DeferredRepliesTest {
    static MacAddress mac(int i) {
        return MacAddress.parse(String.format("52:54:00:00:%02x:%02x", i >> 8, i & 0xFF));
    }

    @Test
    void perMacAndTotalCaps() {
        DeferredReplies d = new DeferredReplies(2, 5);
        assertTrue(d.admit(mac(1)));
        assertTrue(d.admit(mac(1)));
        assertFalse(d.admit(mac(1)), "a third request of one MAC");
        assertTrue(d.admit(mac(2)));
        assertTrue(d.admit(mac(3)));
        assertTrue(d.admit(mac(4)));
        assertFalse(d.admit(mac(5)), "the total cap");
        assertEquals(5, d.waiting());
        assertEquals(2, d.refused());
        d.done(mac(1));
        assertTrue(d.admit(mac(5)), "room again once one ends");
        assertFalse(d.admit(mac(6)));
        d.done(mac(1));
        d.done(mac(2));
        assertTrue(d.admit(mac(1)));
        assertTrue(d.admit(mac(1)));
        assertEquals(5, d.waiting());
        for (int i : new int[] {1, 1, 3, 4, 5}) {
            d.done(mac(i));
        }
        assertEquals(0, d.waiting());
        assertThrows(IllegalStateException.class, () -> d.done(mac(1)), "more ends than admissions is a bug");
    }

    @Test
    void defaultsBoundTheWait() {
        DeferredReplies d = new DeferredReplies();
        for (int i = 0; i < DeferredReplies.TOTAL; i++) {
            assertTrue(d.admit(mac(i)));
        }
        assertFalse(d.admit(mac(DeferredReplies.TOTAL)));
    }
}

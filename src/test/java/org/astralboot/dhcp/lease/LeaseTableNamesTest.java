package org.astralboot.dhcp.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

/** The host-name index the DNS answers from: bindings and reservations, following every change. */
class LeaseTableNamesTest {
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    static final MacAddress R = MacAddress.parse("52:54:00:00:00:0f");
    static final long HOUR = 3_600_000;

    static int ip(String s) {
        return Ipv4.toInt(Ipv4.parse(s));
    }

    private static LeaseTable table(List<Lease> stored) {
        return new LeaseTable(new int[] {ip("192.0.2.10"), ip("192.0.2.11")},
                List.of(new LeaseTable.Fixed(R, ip("192.0.2.50"), "db1")), stored,
                (address, mac) -> "node" + (address & 0xff), LeaseSink.NONE);
    }

    @Test
    void aBindingIsNamedUntilItEnds() {
        LeaseTable t = table(List.of());
        assertEquals(-1, t.addressNamed("node10", 0));
        Lease offer = t.assign(t.candidate(A, 0, 0), A, LeaseState.OFFERED, 0, HOUR);
        assertEquals(-1, t.addressNamed("node10", 1), "an offer is not yet the client's");
        Lease bound = t.assign(offer, A, LeaseState.BOUND, 1, HOUR);
        assertEquals(ip("192.0.2.10") & 0xFFFFFFFFL, t.addressNamed("NODE10", 2));
        assertEquals("node10", t.nameAt(ip("192.0.2.10"), 2));
        assertEquals(-1, t.addressNamed("node10", HOUR), "expired");
        assertNull(t.nameAt(ip("192.0.2.10"), HOUR));
        t.release(bound, 3);
        assertEquals(-1, t.addressNamed("node10", 4), "released");
        assertNull(t.nameAt(ip("192.0.2.10"), 4));
    }

    @Test
    void aNameFollowsItsAddressToTheNextHolder() {
        LeaseTable t = table(List.of());
        Lease a = t.assign(t.candidate(A, 0, 0), A, LeaseState.BOUND, 0, HOUR);
        assertEquals(ip("192.0.2.10") & 0xFFFFFFFFL, t.addressNamed("node10", 1));
        t.release(a, 2);
        // B takes A's address (the pattern names the address, so the name moves with it).
        Lease b = t.assign(t.at(ip("192.0.2.10")), B, LeaseState.BOUND, 3, HOUR);
        assertEquals("node10", b.hostname());
        assertEquals(ip("192.0.2.10") & 0xFFFFFFFFL, t.addressNamed("node10", 4));
        assertEquals(-1, t.addressNamed("node11", 4));
    }

    @Test
    void reservationsAreNamedAlways() {
        LeaseTable t = table(List.of());
        assertEquals(ip("192.0.2.50") & 0xFFFFFFFFL, t.addressNamed("DB1", 0));
        assertEquals("db1", t.nameAt(ip("192.0.2.50"), 0));
    }

    @Test
    void storedBindingsAreNamedAfterARestart() {
        LeaseTable t = table(List.of(new Lease(ip("192.0.2.11"), B, "node11", LeaseState.BOUND, HOUR, 5)));
        assertEquals(ip("192.0.2.11") & 0xFFFFFFFFL, t.addressNamed("node11", 10));
        assertEquals("node11", t.nameAt(ip("192.0.2.11"), 10));
    }
}

package org.astralboot.dhcp.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.config.Config;
import org.astralboot.dhcp.DhcpService;
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

/** Allocation per scope: the main pool (scope 0) and one pool per relayed subnet (scope 1..). */
class LeaseTableTest {
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    static final MacAddress C = MacAddress.parse("52:54:00:00:00:0c");
    static final long HOUR = 3_600_000;

    final List<Lease> written = new ArrayList<>();

    static int ip(String s) {
        return Ipv4.toInt(Ipv4.parse(s));
    }

    /** Main 192.0.2.10-12; relay 1 = 198.18.20.0/24 with .10-.11; relay 2 = 198.18.30.0/25 with .5. */
    static Config config() {
        Config c = Config.defaults("abd0", Ipv4.parse("192.0.2.1"), 24, Path.of("/nonexistent"));
        Config.Dhcp d = c.dhcp();
        return c.withDhcp(new Config.Dhcp(d.mode(), d.port(), d.proxyPort(), Ipv4.parse("192.0.2.10"),
                Ipv4.parse("192.0.2.12"), d.leaseTime(), d.gateway(), d.dns(), "node{n}", d.biosBinary(),
                d.efiBinary(), d.efiIa32Binary(), d.arm64Binary(), List.of(), d.declineProbation(), List.of(
                        new Config.Relay(Ipv4Subnet.parse("198.18.20.0/24"), Ipv4.parse("198.18.20.10"),
                                Ipv4.parse("198.18.20.11"), null, null),
                        new Config.Relay(Ipv4Subnet.parse("198.18.30.0/25"), Ipv4.parse("198.18.30.5"),
                                Ipv4.parse("198.18.30.5"), Ipv4.parse("198.18.30.1"), null))));
    }

    LeaseTable table(Config cfg, List<LeaseTable.Fixed> fixed) {
        return new LeaseTable(DhcpService.pool(cfg).addresses(), fixed, List.of(), DhcpService.pool(cfg).hostnames(),
                written::add, DhcpService.pool(cfg).relaySubnets());
    }

    @Test
    void poolHoldsEveryRangeAndScopesFollowTheRelayedSubnets() {
        Config cfg = config();
        assertEquals(List.of(ip("192.0.2.10"), ip("192.0.2.11"), ip("192.0.2.12"), ip("198.18.20.10"),
                ip("198.18.20.11"), ip("198.18.30.5")),
                java.util.Arrays.stream(DhcpService.pool(cfg).addresses()).boxed().toList());
        LeaseTable t = table(cfg, List.of());
        assertEquals(3, t.scopes());
        assertEquals(0, t.scopeOf(ip("192.0.2.10")));
        assertEquals(0, t.scopeOf(ip("10.0.0.1")));
        assertEquals(1, t.scopeOf(ip("198.18.20.200")));
        assertEquals(2, t.scopeOf(ip("198.18.30.127")));
        assertEquals(0, t.scopeOf(ip("198.18.30.128")));
        assertEquals(new LeaseTable.Stats(3, 3, 0, 0, 0), t.stats(0, 0));
        assertEquals(new LeaseTable.Stats(2, 2, 0, 0, 0), t.stats(0, 1));
        assertEquals(new LeaseTable.Stats(1, 1, 0, 0, 0), t.stats(0, 2));
        assertEquals(new LeaseTable.Stats(6, 6, 0, 0, 0), t.stats(0));
        // {n} is the host number in the address's own subnet
        assertEquals("node5", DhcpService.pool(cfg).hostnames().name(ip("198.18.30.5"), A));
    }

    @Test
    void eachScopeHandsOutOnlyItsOwnAddresses() {
        LeaseTable t = table(config(), List.of());
        assertEquals(ip("192.0.2.10"), t.candidate(A, 0, 0, 0).address());
        assertEquals(ip("198.18.20.10"), t.candidate(A, 0, 0, 1).address());
        assertEquals(ip("198.18.30.5"), t.candidate(A, 0, 0, 2).address());
        // A requested address (option 50) of another scope is not given.
        assertEquals(ip("198.18.20.10"), t.candidate(A, ip("192.0.2.12"), 0, 1).address());
        assertEquals(ip("192.0.2.10"), t.candidate(A, ip("198.18.20.11"), 0, 0).address());
        // ... one of the same scope is.
        assertEquals(ip("198.18.20.11"), t.candidate(A, ip("198.18.20.11"), 0, 1).address());
        // The form without a scope is scope 0.
        assertEquals(ip("192.0.2.10"), t.candidate(A, 0, 0).address());
    }

    @Test
    void anExhaustedScopeGetsNoCandidateWhileOthersHaveRoom() {
        LeaseTable t = table(config(), List.of());
        t.assign(t.candidate(A, 0, 0, 2), A, LeaseState.BOUND, 0, HOUR);
        assertNull(t.candidate(B, 0, 1, 2));
        assertEquals(new LeaseTable.Stats(1, 0, 0, 1, 0), t.stats(1, 2));
        assertNotNull(t.candidate(B, 0, 1, 1));
        assertNotNull(t.candidate(B, 0, 1, 0));
        // Once A's lease expires the address is available again, to that scope only.
        assertEquals(ip("198.18.30.5"), t.candidate(B, 0, HOUR, 2).address());
        assertEquals(ip("198.18.20.10"), t.candidate(B, 0, HOUR, 1).address());
    }

    @Test
    void aMacThatMovesGetsAnAddressInItsNewSubnetAndFreesTheOldOne() {
        LeaseTable t = table(config(), List.of());
        Lease main = t.assign(t.candidate(A, 0, 0, 0), A, LeaseState.BOUND, 0, HOUR);
        assertEquals(ip("192.0.2.10"), main.address());
        // Same scope: sticky.
        assertEquals(main.address(), t.candidate(A, 0, 10, 0).address());
        Lease moved = t.assign(t.candidate(A, 0, 20, 1), A, LeaseState.BOUND, 20, HOUR);
        assertEquals(ip("198.18.20.10"), moved.address());
        assertEquals(LeaseState.RELEASED, t.at(ip("192.0.2.10")).state());
        assertEquals(moved, t.forMac(A));
        // Back in the main subnet: an address of the main pool again.
        assertEquals(0, t.scopeOf(t.candidate(A, 0, 30, 0).address()));
    }

    @Test
    void reuseIsLeastRecentlyUsedFirstWithinAScope() {
        LeaseTable t = table(config(), List.of());
        Lease a = t.assign(t.candidate(A, 0, 0, 1), A, LeaseState.BOUND, 0, HOUR);
        Lease b = t.assign(t.candidate(B, 0, 0, 1), B, LeaseState.BOUND, 0, HOUR);
        assertEquals(ip("198.18.20.10"), a.address());
        assertEquals(ip("198.18.20.11"), b.address());
        // Activity in the main scope does not disturb the relay scope's order.
        t.release(t.assign(t.candidate(C, 0, 50, 0), C, LeaseState.BOUND, 50, HOUR), 60);
        t.release(t.forMac(B), 100); // .11 free since 100
        t.release(t.forMac(A), 200); // .10 free since 200
        MacAddress d = MacAddress.parse("52:54:00:00:00:0d");
        assertEquals(ip("198.18.20.11"), t.candidate(d, 0, 300, 1).address());
        // Never-used addresses come before released ones: the main pool offers .11, not C's .10.
        assertEquals(ip("192.0.2.11"), t.candidate(d, 0, 300, 0).address());
    }

    @Test
    void aReservationAppliesOnlyInItsOwnSubnet() {
        LeaseTable t = table(config(), List.of(new LeaseTable.Fixed(A, ip("198.18.20.50"), "rack1")));
        assertEquals(ip("198.18.20.50"), t.candidate(A, 0, 0, 1).address());
        assertEquals(ip("192.0.2.10"), t.candidate(A, 0, 0, 0).address());
    }

    @Test
    void withoutRelaysEverythingIsScopeZero() {
        Config c = Config.defaults("abd0", Ipv4.parse("192.0.2.1"), 24, Path.of("/nonexistent"));
        LeaseTable t = new LeaseTable(DhcpService.pool(c).addresses(), List.of(), List.of(),
                DhcpService.pool(c).hostnames(), written::add);
        assertEquals(1, t.scopes());
        assertEquals(0, t.scopeOf(ip("198.18.20.10")));
        assertEquals(ip("192.0.2.2"), t.candidate(A, 0, 0).address()); // .1 is the server
    }
}

package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.astralboot.boot.MachineAccess.Facts;
import org.astralboot.boot.MachineAccess.Via;
import org.astralboot.db.Database;
import org.astralboot.net.HostInfo;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineAccessTest {
    static final MacAddress M = MacAddress.parse("52:54:00:a1:00:01");
    static final MacAddress OTHER = MacAddress.parse("52:54:00:a1:00:02");

    @Test
    void keyLeaseOrNeighbourProveTheMachine() {
        assertEquals(Optional.of(Via.KEY), MachineAccess.decide(M, "198.18.0.9", new Facts(false, "", Set.of(), true)).via());
        assertEquals(Optional.of(Via.LEASE),
                MachineAccess.decide(M, "192.0.2.10", new Facts(true, "192.0.2.10", Set.of(), false)).via());
        assertEquals(Optional.of(Via.NEIGHBOUR),
                MachineAccess.decide(M, "192.0.2.10", new Facts(false, "", Set.of(M), false)).via());
        assertEquals(Optional.of(Via.NEIGHBOUR),
                MachineAccess.decide(M, "192.0.2.10", new Facts(true, "192.0.2.77", Set.of(M), false)).via(),
                "on-link in any mode, even with a lease elsewhere (another NIC's request)");
    }

    @Test
    void everythingElseIsRefusedWithAReason() {
        var d = MachineAccess.decide(M, "192.0.2.200", new Facts(true, "192.0.2.10", Set.of(OTHER), false));
        assertFalse(d.allowed());
        assertTrue(d.reason().contains("its lease is 192.0.2.10") && d.reason().contains(OTHER.toString()), d.reason());
        assertFalse(MachineAccess.decide(M, "192.0.2.10", new Facts(false, "192.0.2.10", Set.of(), false)).allowed(),
                "a lease is proof in full mode only");
        assertFalse(MachineAccess.decide(M, "192.0.2.10", new Facts(true, "", Set.of(), false)).allowed());
        assertFalse(MachineAccess.decide(M, "", new Facts(true, "", Set.of(), false)).allowed());
        assertFalse(MachineAccess.decide(M, "192.0.2.10", new Facts(false, "", Set.of(M, OTHER), false)).allowed(),
                "an address two NICs claim proves neither");
    }

    @Test
    void checkGathersFactsFromLeasesNeighboursAndKeys(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(dir.resolve("a.db"))) {
            MachineKeys keys = MachineKeys.open(db);
            HostLookup hosts = new HostLookup() {
                @Override
                public Optional<HostInfo> byMac(MacAddress mac) {
                    return mac.equals(M) ? Optional.of(new HostInfo(mac, Ipv4.parse("192.0.2.10"), "m")) : Optional.empty();
                }

                @Override
                public Optional<HostInfo> byAddress(Inet4Address address) {
                    return Optional.empty();
                }
            };
            List<String> asked = new ArrayList<>();
            Map<String, Set<MacAddress>> arp = Map.of("192.0.2.200", Set.of(OTHER));
            MachineAccess full = new MachineAccess(true, hosts, ip -> {
                asked.add(ip);
                return arp.getOrDefault(ip, Set.of());
            }, keys);
            assertEquals(Optional.of(Via.LEASE), full.check(M, "192.0.2.10", null).via());
            assertEquals(List.of(), asked, "a lease match needs no neighbour table read");
            assertFalse(full.check(M, "192.0.2.200", "").allowed());
            assertEquals(Optional.of(Via.NEIGHBOUR), full.check(OTHER, "192.0.2.200", "").via());
            assertEquals(Optional.of(Via.KEY), full.check(M, "192.0.2.200", keys.of(M)).via());
            assertEquals(Optional.of(Via.KEY), full.check(M, "192.0.2.200", keys.of(M).toUpperCase()).via());
            assertFalse(full.check(M, "192.0.2.200", keys.of(OTHER)).allowed(), "another machine's key");
            assertFalse(full.check(M, "192.0.2.200", keys.of(M).substring(1)).allowed());

            MachineAccess proxy = new MachineAccess(false, hosts, ip -> arp.getOrDefault(ip, Set.of()), keys);
            assertFalse(proxy.check(M, "192.0.2.10", "").allowed(), "proxy mode: leases are not ours");
        }
    }

    @Test
    void keysAreStablePerMachineAcrossRestartsAndDifferPerDatabase(@TempDir Path dir) throws Exception {
        String k1;
        String k2;
        try (Database db = Database.open(dir.resolve("a.db"))) {
            MachineKeys keys = MachineKeys.open(db);
            k1 = keys.of(M);
            k2 = keys.of(OTHER);
            assertTrue(k1.matches("[0-9a-f]{32}"), k1);
            assertNotEquals(k1, k2);
        }
        try (Database db = Database.open(dir.resolve("a.db"))) {
            assertEquals(k1, MachineKeys.open(db).of(M), "the server key survives a restart");
        }
        try (Database db = Database.open(dir.resolve("b.db"))) {
            assertNotEquals(k1, MachineKeys.open(db).of(M), "each database has its own random server key");
        }
    }

    @Test
    void overIpv6TheDhcp6BindingOfTheSourceProvesTheMachine(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(dir.resolve("a.db"))) {
            HostLookup hosts = new HostLookup() {
                @Override
                public Optional<HostInfo> byMac(MacAddress mac) {
                    return Optional.empty();
                }

                @Override
                public Optional<HostInfo> byAddress(Inet4Address address) {
                    return Optional.empty();
                }

                @Override
                public Optional<MacAddress> macAtIpv6(java.net.Inet6Address a) {
                    return a.getHostAddress().equals("2001:db8:e2:0:0:0:0:100") ? Optional.of(M) : Optional.empty();
                }
            };
            MachineAccess access = new MachineAccess(false, hosts, ip -> Set.of(), MachineKeys.open(db));
            assertEquals(Optional.of(Via.LEASE), access.check(M, "2001:db8:e2:0:0:0:0:100", "").via());
            assertEquals(Optional.of(Via.LEASE), access.check(M, "2001:db8:e2::100", "").via());
            assertFalse(access.check(OTHER, "2001:db8:e2::100", "").allowed(), "the binding is another machine's");
            assertFalse(access.check(M, "2001:db8:e2::101", "").allowed(), "no binding there");
        }
    }
}

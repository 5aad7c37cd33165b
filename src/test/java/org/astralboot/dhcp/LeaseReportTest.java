package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

class LeaseReportTest {
    static final long NOW = 1_800_000_000_000L; // 2027-01-15T08:00:00Z

    @Test
    void linesAreSortedByAddressAndFreeOnesHiddenUnlessAsked() {
        List<Lease> leases = List.of(
                new Lease(Ipv4.toInt(Ipv4.parse("198.18.16.20")), null, "", LeaseState.FREE, 0, 0),
                new Lease(Ipv4.toInt(Ipv4.parse("198.18.16.12")), MacAddress.parse("52:54:00:00:00:02"), "node12",
                        LeaseState.BOUND, NOW - 1, NOW - 10),
                new Lease(Ipv4.toInt(Ipv4.parse("198.18.16.11")), MacAddress.parse("52:54:00:00:00:01"), "node11",
                        LeaseState.BOUND, NOW + 3_600_000, NOW));
        List<String> lines = LeaseReport.format(leases, false, NOW).lines().toList();
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("ADDRESS"), lines.get(0));
        assertEquals("198.18.16.11     52:54:00:00:00:01  node11                bound      2027-01-15T09:00:00Z".replace('T', ' '),
                lines.get(1));
        assertTrue(lines.get(2).startsWith("198.18.16.12 ") && lines.get(2).contains(" expired "), lines.get(2));
        assertEquals("2 of 3 addresses shown", lines.get(3));
        String all = LeaseReport.format(leases, true, NOW);
        assertTrue(all.contains("198.18.16.20     -                  -                     free       -"), all);
        assertTrue(all.endsWith("3 of 3 addresses shown\n"), all);
    }
}

package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeighboursTest {
    /** As Linux prints it (net/ipv4/arp.c, arp_seq_show): complete, incomplete, permanent, another device. */
    static final String TABLE = """
            IP address       HW type     Flags       HW address            Mask     Device
            192.0.2.10       0x1         0x2         52:54:00:a1:00:01     *        br0
            192.0.2.11       0x1         0x0         00:00:00:00:00:00     *        br0
            192.0.2.12       0x1         0x6         52:54:00:a1:00:02     *        br0
            192.0.2.13       0x1         0x2         52:54:00:a1:00:03     *        br0
            192.0.2.13       0x1         0x2         52:54:00:a1:00:04     *        eth1
            192.0.2.14       0x20        0x2         80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:1b:2c     *        ib0
            garbage
            """;

    @Test
    void completeEntriesOnly() {
        Map<String, Set<MacAddress>> t = Neighbours.parse(TABLE);
        assertEquals(Set.of(MacAddress.parse("52:54:00:a1:00:01")), t.get("192.0.2.10"));
        assertEquals(null, t.get("192.0.2.11"), "incomplete entry names nobody");
        assertEquals(Set.of(MacAddress.parse("52:54:00:a1:00:02")), t.get("192.0.2.12"), "permanent and complete");
        assertEquals(Set.of(MacAddress.parse("52:54:00:a1:00:03"), MacAddress.parse("52:54:00:a1:00:04")),
                t.get("192.0.2.13"));
        assertEquals(null, t.get("192.0.2.14"), "not an Ethernet address");
        assertEquals(Set.of("192.0.2.10", "192.0.2.12", "192.0.2.13"), t.keySet(), "garbage and header skipped");
    }

    @Test
    void headerOnlyAndEmptyTablesNameNobody() {
        assertEquals(Map.of(), Neighbours.parse("IP address       HW type     Flags       HW address            Mask     Device\n"));
        assertEquals(Map.of(), Neighbours.parse(""));
    }

    @Test
    void readsTheFileAndAMissingFileNamesNobody(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("arp");
        Files.writeString(f, TABLE);
        assertEquals(Set.of(MacAddress.parse("52:54:00:a1:00:01")), new Neighbours(f).macsOf("192.0.2.10"));
        assertEquals(Set.of(), new Neighbours(f).macsOf("192.0.2.99"));
        assertEquals(Set.of(), new Neighbours(dir.resolve("missing")).macsOf("192.0.2.10"));
    }

    @Test
    void anIpv6SourceIsLookedUpInTheIpv6Table(@TempDir Path dir) throws Exception {
        // A machine booting over IPv6 by SLAAC: its address is in no DHCPv6 binding, and the ARP
        // table has no IPv6 entries; before, such a source had no neighbour proof at all.
        Path f = dir.resolve("arp");
        Files.writeString(f, TABLE);
        MacAddress vm = MacAddress.parse("52:54:00:e2:06:11");
        java.net.InetAddress slaac = java.net.InetAddress.getByName("2001:db8:e2::5054:ff:fee2:611");
        Neighbours n = new Neighbours(f, a -> a.equals(slaac) ? Set.of(vm) : Set.of());
        assertEquals(Set.of(vm), n.macsOf("2001:db8:e2:0:5054:ff:fee2:611"), "as the HTTP request names its source");
        assertEquals(Set.of(vm), n.macsOf("2001:db8:e2::5054:ff:fee2:611"));
        assertEquals(Set.of(), n.macsOf("2001:db8:e2::99"));
        assertEquals(Set.of(MacAddress.parse("52:54:00:a1:00:01")), n.macsOf("192.0.2.10"), "IPv4 still from the file");
        Neighbours unreadable = new Neighbours(f, a -> {
            throw new java.io.IOException("no netlink");
        });
        assertEquals(Set.of(), unreadable.macsOf("2001:db8:e2::5054:ff:fee2:611"), "no table, no proof");
    }
}

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
}

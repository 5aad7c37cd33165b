package org.astralboot.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RecentBootsTest {
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:01");

    @Test
    void keepsTheLatestTime() {
        RecentBoots b = new RecentBoots(60_000);
        assertEquals(OptionalLong.empty(), b.lastSeen(A));
        b.seen(A, 1000);
        b.seen(A, 500); // a late thread does not move it back
        assertEquals(OptionalLong.of(1000), b.lastSeen(A));
        b.seen(A, 2000);
        assertEquals(OptionalLong.of(2000), b.lastSeen(A));
    }

    @Test
    void staysBoundedUnderAFloodOfInventedMacs() {
        RecentBoots b = new RecentBoots(60_000);
        for (int i = 0; i < RecentBoots.MAX_ENTRIES + 1000; i++) {
            b.seen(new MacAddress(i + 1), 0);
        }
        assertEquals(RecentBoots.MAX_ENTRIES, b.size());
        // Once the old entries are past the keep time, a new machine gets in.
        b.seen(A, 120_000);
        assertEquals(OptionalLong.of(120_000), b.lastSeen(A));
        assertTrue(b.size() < RecentBoots.MAX_ENTRIES, "expired entries pruned: " + b.size());
    }
}

package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

class NewMachineLimitTest {
    @Test
    void burstThenOneTokenPerInterval() {
        ManualClock c = new ManualClock(1_000_000);
        NewMachineLimit l = new NewMachineLimit(3, 2_000, 100, c);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, l.acquire("192.0.2.7"), "burst " + i);
        }
        assertEquals(2, l.acquire("192.0.2.7"), "empty: Retry-After is the time to the next token");
        c.advance(1_500);
        assertEquals(1, l.acquire("192.0.2.7"), "500 ms left rounds up to 1 s");
        c.advance(500);
        assertEquals(0, l.acquire("192.0.2.7"));
        assertEquals(2, l.acquire("192.0.2.7"));
        c.advance(60_000);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, l.acquire("192.0.2.7"), "refilled to the burst, not beyond");
        }
        assertEquals(2, l.acquire("192.0.2.7"));
    }

    @Test
    void eachSourceHasItsOwnBucket() {
        ManualClock c = new ManualClock(1_000_000);
        NewMachineLimit l = new NewMachineLimit(2, 1_000, 100, c);
        assertEquals(0, l.acquire("192.0.2.7"));
        assertEquals(0, l.acquire("192.0.2.7"));
        assertEquals(1, l.acquire("192.0.2.7"));
        assertEquals(0, l.acquire("192.0.2.8"), "another client is not held back by the first");
    }

    @Test
    void theDefaultsHold315PerSecondFromOneClientToTheBurst() {
        ManualClock c = new ManualClock(1_000_000);
        NewMachineLimit l = new NewMachineLimit(c);
        int allowed = 0;
        for (int i = 0; i < 315; i++) {
            if (l.acquire("192.0.2.7") == 0) {
                allowed++;
            }
            c.advance(3); // 315 requests in about a second
        }
        assertEquals(NewMachineLimit.BURST, allowed);
    }

    @Test
    void bucketsAreBoundedLeastRecentlyUsedFirst() {
        ManualClock c = new ManualClock(1_000_000);
        NewMachineLimit l = new NewMachineLimit(1, 10_000, 2, c);
        assertEquals(0, l.acquire("a"));
        assertEquals(0, l.acquire("b"));
        assertEquals(10, l.acquire("a")); // a used again: b is the eldest
        assertEquals(0, l.acquire("c")); // evicts b
        assertEquals(10, l.acquire("a"), "a kept its empty bucket");
    }
}

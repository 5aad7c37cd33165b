package org.astralboot.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.junit.jupiter.api.Test;

class EventRingTest {
    private static BootEvent ev(String mac, String detail) {
        return BootEvent.of(Kind.DHCP_DISCOVER, mac, "", "", detail);
    }

    @Test
    void keepsTheNewestUpToCapacityInOrder() {
        EventRing r = new EventRing(3);
        assertTrue(r.snapshot().isEmpty());
        assertEquals(0, r.lastSeq());
        for (int i = 1; i <= 5; i++) {
            r.emit(ev("52:54:00:00:00:01", "e" + i));
        }
        List<BootEvent> s = r.snapshot();
        assertEquals(3, s.size());
        assertEquals(List.of("e3", "e4", "e5"), s.stream().map(BootEvent::detail).toList());
        assertEquals(List.of(3L, 4L, 5L), s.stream().map(BootEvent::seq).toList());
        assertEquals(5, r.lastSeq());
        assertEquals(List.of("e5"), r.since(4).stream().map(BootEvent::detail).toList());
    }

    @Test
    void filtersByMac() {
        EventRing r = new EventRing(10);
        r.emit(ev("52:54:00:00:00:01", "a"));
        r.emit(ev("52:54:00:00:00:02", "b"));
        r.emit(ev("52:54:00:00:00:01", "c"));
        assertEquals(List.of("a", "c"), r.byMac("52:54:00:00:00:01").stream().map(BootEvent::detail).toList());
    }

    @Test
    void staysBoundedUnderConcurrentWriters() throws Exception {
        EventRing r = new EventRing(100);
        int threads = 4;
        int each = 5_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    r.emit(ev("52:54:00:00:00:01", "x"));
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        List<BootEvent> s = r.snapshot();
        assertEquals(100, s.size());
        assertEquals(threads * each, r.lastSeq());
        for (int i = 1; i < s.size(); i++) {
            assertEquals(s.get(i - 1).seq() + 1, s.get(i).seq(), "kept events are the newest, consecutive");
        }
        assertEquals(threads * each, s.get(99).seq());
    }

    @Test
    void subscriberGetsNewEventsAndASlowOneIsCutOff() throws Exception {
        EventRing r = new EventRing(10);
        r.emit(ev("", "before"));
        try (EventRing.Subscription sub = r.subscribe()) {
            r.emit(ev("", "after"));
            assertEquals("after", sub.poll(1000).detail());
            assertNull(sub.poll(10));
            for (int i = 0; i < EventRing.SUBSCRIBER_QUEUE + 1; i++) {
                r.emit(ev("", "flood"));
            }
            assertTrue(sub.overflowed());
        }
        try (EventRing.Subscription sub = r.subscribe()) {
            assertFalse(sub.overflowed());
        }
    }
}

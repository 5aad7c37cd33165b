package org.astralboot.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuirkCounterTest {
    enum Q { A, B, C }

    @Test
    void countsEachValueApart() {
        QuirkCounter<Q> c = new QuirkCounter<>(Q.class);
        c.tolerated(Q.B);
        c.tolerated(Q.B);
        c.tolerated(Q.C);
        assertEquals(0, c.count(Q.A));
        assertEquals(2, c.count(Q.B));
        assertEquals(1, c.count(Q.C));
        assertEquals(3, c.total());
        assertEquals(Map.of(Q.A, 0L, Q.B, 2L, Q.C, 1L), c.snapshot());
        assertEquals(List.of(Q.A, Q.B, Q.C), new ArrayList<>(c.snapshot().keySet()));
    }

    @Test
    void countsFromManyThreadsWithoutLoss() throws Exception {
        QuirkCounter<Q> c = new QuirkCounter<>(Q.class);
        Thread[] ts = new Thread[4];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = Thread.ofPlatform().start(() -> {
                for (int k = 0; k < 100_000; k++) {
                    c.tolerated(Q.A);
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(400_000, c.count(Q.A));
        assertEquals(400_000, c.total());
    }
}

package org.astralboot.ipfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which cache files go when the cache is over its limit: the choice alone, without a folder. */
class EvictionTest {
    private static Eviction.Entry e(String cid, long size, long lastUse) {
        return new Eviction.Entry(cid, size, lastUse, false);
    }

    private static List<String> cids(List<Eviction.Entry> l) {
        return l.stream().map(Eviction.Entry::cid).toList();
    }

    @Test
    void nothingGoesWithinTheLimit() {
        List<Eviction.Entry> all = List.of(e("a", 10, 1), e("b", 10, 2));
        assertEquals(List.of(), Eviction.choose(all, 20, 20));
        assertEquals(List.of(), Eviction.choose(all, 20, 100));
    }

    @Test
    void leastRecentlyUsedGoFirstAndOnlyAsManyAsNeeded() {
        List<Eviction.Entry> all = List.of(e("new", 10, 300), e("old", 10, 100), e("mid", 10, 200));
        assertEquals(List.of("old"), cids(Eviction.choose(all, 30, 20)), "one is enough to reach the limit");
        assertEquals(List.of("old", "mid"), cids(Eviction.choose(all, 30, 19)), "in use order, oldest first");
        assertEquals(List.of("old", "mid", "new"), cids(Eviction.choose(all, 30, 0)));
    }

    @Test
    void stopsAsSoonAsTheTotalIsWithinTheLimitEvenIfABigFileIsNext() {
        List<Eviction.Entry> all = List.of(e("small", 5, 1), e("big", 1000, 2), e("recent", 5, 3));
        assertEquals(List.of("small", "big"), cids(Eviction.choose(all, 1010, 100)));
        assertEquals(List.of("small"), cids(Eviction.choose(all, 1010, 1005)));
    }

    @Test
    void aFileInUseIsNeverChosenAndTheNextOneGoesInstead() {
        List<Eviction.Entry> all = List.of(new Eviction.Entry("busy", 10, 1, true), e("b", 10, 2), e("c", 10, 3));
        assertEquals(List.of("b"), cids(Eviction.choose(all, 30, 20)));
        assertEquals(List.of("b", "c"), cids(Eviction.choose(all, 30, 0)), "not enough: all that may go, no more");
    }

    @Test
    void theTotalGivenCountsEvenFilesNotListed() {
        // The total includes files in use elsewhere (just added, being written): 25 over 20 needs one out.
        assertEquals(List.of("a"), cids(Eviction.choose(List.of(e("a", 10, 1), e("b", 5, 2)), 25, 20)));
    }
}

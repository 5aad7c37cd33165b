package org.astralboot.ipfs.cache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which cache files to evict, as a pure function of the entries and their use times: least
 * recently used first, never a file in use (being downloaded, or the one just added), and no more
 * than it takes to bring the total within the limit. Deleting the files is the caller's job
 * ({@link CacheFiles#evict}).
 */
final class Eviction {
    private Eviction() {
    }

    /**
     * A complete cache file: {@code lastUse} in epoch milliseconds, {@code busy} when it must not
     * be evicted now.
     */
    record Entry(String cid, long size, long lastUse, boolean busy) {
    }

    /**
     * The files to evict, in the order to evict them (least recently used first), so that
     * {@code total} minus their sizes is at most {@code maxBytes}; fewer (possibly none) when the
     * files that may go are not enough. Empty when {@code total} is already within the limit.
     */
    static List<Entry> choose(List<Entry> entries, long total, long maxBytes) {
        List<Entry> out = new ArrayList<>();
        if (total <= maxBytes) {
            return out;
        }
        List<Entry> byUse = new ArrayList<>(entries);
        byUse.sort(Comparator.comparingLong(Entry::lastUse));
        long left = total;
        for (Entry e : byUse) {
            if (left <= maxBytes) {
                break;
            }
            if (e.busy()) {
                continue;
            }
            out.add(e);
            left -= e.size();
        }
        return out;
    }
}

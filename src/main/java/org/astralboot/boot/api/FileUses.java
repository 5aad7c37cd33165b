package org.astralboot.boot.api;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The size cap's bookkeeping for {@link ContentCache}: each content's size, when it was last handed
 * out and how many streams are open on it, and which content goes when the folder is over its cap
 * (least recently served first, never one being served: a stream open, or handed out within the
 * grace time, as the HTTP service opens its stream just after). No I/O: the cache deletes what
 * {@link #evict} names. Thread-safe.
 */
final class FileUses {
    /** What {@link #evict} chose: content to delete, and bytes still over the cap (held by content in use). */
    record Evicted(List<String> victims, long stillOver) {
    }

    private static final class Use {
        final long size;
        long lastUse;
        int open;

        Use(long size, long lastUse) {
            this.size = size;
            this.lastUse = lastUse;
        }
    }

    private final long maxBytes;
    private final long graceMillis;
    private final Clock clock;
    private final Map<String, Use> uses = new HashMap<>();
    private long bytes;
    private long evictions;

    FileUses(long maxBytes, Duration grace, Clock clock) {
        this.maxBytes = maxBytes;
        this.graceMillis = grace.toMillis();
        this.clock = clock;
    }

    long maxBytes() {
        return maxBytes;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long evictions() {
        return evictions;
    }

    /** Content found in the folder at start, last served at {@code lastUse} or earlier, never within the grace time. */
    synchronized void found(String hex, long size, long lastUse) {
        if (uses.putIfAbsent(hex, new Use(size, Math.min(lastUse, clock.millis() - graceMillis - 1))) == null) {
            bytes += size;
        }
    }

    /** New content (a fetch) is in the folder, handed out now. */
    synchronized void added(String hex, long size) {
        Use u = uses.get(hex);
        if (u == null) {
            uses.put(hex, new Use(size, clock.millis()));
            bytes += size;
        } else {
            u.lastUse = clock.millis();
        }
    }

    /** {@code hex} is handed out now; false when it is no longer cached (evicted). */
    synchronized boolean touch(String hex) {
        Use u = uses.get(hex);
        if (u == null) {
            return false;
        }
        u.lastUse = Math.max(u.lastUse, clock.millis());
        return true;
    }

    /** A stream opens on {@code hex}. */
    synchronized void opened(String hex) {
        Use u = uses.get(hex);
        if (u != null) {
            u.open++;
            u.lastUse = Math.max(u.lastUse, clock.millis());
        }
    }

    /** A stream on {@code hex} closes; true when the folder is over its cap (time to {@link #evict}). */
    synchronized boolean closed(String hex) {
        Use u = uses.get(hex);
        if (u != null) {
            u.open--;
        }
        return bytes > maxBytes;
    }

    /** Takes least recently served content out, none in use, until within the cap (or nothing more may go). */
    synchronized Evicted evict() {
        if (bytes <= maxBytes) {
            return new Evicted(List.of(), 0);
        }
        long now = clock.millis();
        long over = bytes - maxBytes;
        List<Map.Entry<String, Use>> lru = new ArrayList<>(uses.entrySet());
        lru.sort(Comparator.comparingLong(e -> e.getValue().lastUse));
        List<String> victims = new ArrayList<>();
        for (Map.Entry<String, Use> e : lru) {
            if (over <= 0) {
                break;
            }
            Use u = e.getValue();
            if (u.open > 0 || now - u.lastUse < graceMillis) {
                continue; // being served
            }
            victims.add(e.getKey());
            uses.remove(e.getKey());
            bytes -= u.size;
            over -= u.size;
            evictions++;
        }
        return new Evicted(victims, Math.max(0, over));
    }
}

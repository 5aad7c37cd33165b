package org.astralboot.boot;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per source address for requests that would create a machine record (a MAC the
 * registry does not know yet): each record costs a database commit, and one client could otherwise
 * create hundreds a second. A source may create {@code burst} records at once, then one every
 * {@code intervalMillis}. Known machines are never limited. At most {@code maxSources} buckets
 * are kept, the least recently used dropped first.
 */
public final class NewMachineLimit {
    /** New machines one address may announce at once: a host with a few NICs, or a VM host. */
    public static final int BURST = 16;
    /** Then one every 2 s. */
    public static final long INTERVAL_MILLIS = 2_000;
    static final int MAX_SOURCES = 4096;

    private final int burst;
    private final long intervalMillis;
    private final Clock clock;
    private final Map<String, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long at;
    }

    public NewMachineLimit(Clock clock) {
        this(BURST, INTERVAL_MILLIS, MAX_SOURCES, clock);
    }

    NewMachineLimit(int burst, long intervalMillis, int maxSources, Clock clock) {
        this.burst = burst;
        this.intervalMillis = intervalMillis;
        this.clock = clock;
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> e) {
                return size() > maxSources;
            }
        };
    }

    /**
     * Takes a token for a new machine from {@code source}.
     *
     * @return 0 when allowed, else the whole seconds (at least 1) until the next token: Retry-After
     */
    public synchronized long acquire(String source) {
        long now = clock.millis();
        Bucket b = buckets.get(source);
        if (b == null) {
            b = new Bucket();
            b.tokens = burst;
            b.at = now;
            buckets.put(source, b);
        } else if (now > b.at) {
            b.tokens = Math.min(burst, b.tokens + (double) (now - b.at) / intervalMillis);
            b.at = now;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return 0;
        }
        long waitMillis = (long) Math.ceil((1 - b.tokens) * intervalMillis);
        return Math.max(1, (waitMillis + 999) / 1000);
    }
}

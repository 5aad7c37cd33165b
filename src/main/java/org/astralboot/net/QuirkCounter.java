package org.astralboot.net;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many times each quirk of one protocol was tolerated since start, for metrics. Lock-free and
 * allocation-free on {@link #tolerated}: one atomic slot per enum value.
 *
 * @param <E> the protocol's quirk enum
 */
public final class QuirkCounter<E extends Enum<E>> implements QuirkSink<E> {
    private final Class<E> type;
    private final AtomicLongArray counts;

    public QuirkCounter(Class<E> type) {
        this.type = type;
        this.counts = new AtomicLongArray(type.getEnumConstants().length);
    }

    @Override
    public void tolerated(E quirk) {
        counts.incrementAndGet(quirk.ordinal());
    }

    /** Times {@code quirk} was tolerated. */
    public long count(E quirk) {
        return counts.get(quirk.ordinal());
    }

    /** Every quirk with its count, zeros included, in declaration order. */
    public Map<E, Long> snapshot() {
        Map<E, Long> m = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            m.put(e, counts.get(e.ordinal()));
        }
        return m;
    }

    /** The sum over all quirks. */
    public long total() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The quirk enum counted here. */
    public Class<E> type() {
        return type;
    }
}

package org.astralboot.net;

import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The machines network-booting right now: each MAC with the time (epoch milliseconds) of its last
 * PXE or iPXE DHCP request. DHCP writes it, the router-advertisement answer (issue 16) reads it:
 * only a machine seen here within a few minutes gets an answer to its router solicitation.
 * Thread-safe. It holds at most {@value #MAX_ENTRIES} machines: past that, entries older than the
 * last prune horizon go, and a table still full (a flood of invented MACs) takes no new ones
 * until they do, so its memory stays bounded.
 */
public final class RecentBoots {
    /** Most machines kept at once. */
    public static final int MAX_ENTRIES = 65_536;

    private final ConcurrentHashMap<MacAddress, Long> seen = new ConcurrentHashMap<>();
    private final long keepMillis;

    /** @param keepMillis how long an entry is worth keeping (the longest window any reader asks about) */
    public RecentBoots(long keepMillis) {
        if (keepMillis <= 0) {
            throw new IllegalArgumentException("keepMillis " + keepMillis);
        }
        this.keepMillis = keepMillis;
    }

    /** {@code mac} sent a PXE or iPXE DHCP request at {@code nowMillis}. */
    public void seen(MacAddress mac, long nowMillis) {
        if (seen.size() >= MAX_ENTRIES && !seen.containsKey(mac)) {
            prune(nowMillis);
            if (seen.size() >= MAX_ENTRIES) {
                return;
            }
        }
        seen.merge(mac, nowMillis, Math::max);
    }

    /** When {@code mac} was last seen booting, or empty. */
    public OptionalLong lastSeen(MacAddress mac) {
        Long t = seen.get(mac);
        return t == null ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /** Machines held now (for tests and the status page). */
    public int size() {
        return seen.size();
    }

    private void prune(long nowMillis) {
        seen.values().removeIf(t -> nowMillis - t > keepMillis);
    }
}

package org.astralboot.dhcp;

import java.util.HashMap;
import java.util.Map;
import org.astralboot.net.MacAddress;

/**
 * The DHCP requests waiting for a boot source's decision ({@link
 * org.astralboot.dhcp.engine.DhcpEngine.Answer#deferred()}): how many per MAC and in all, so a
 * client that retransmits, or a crowd of new MACs asking a slow API, holds a bounded number of
 * requests. A request past either cap gets no reply now, as before the deferral existed: the
 * client's retransmission asks again.
 *
 * <p>Confined to the DHCP event-loop thread (admissions, completions and expiries all run there), so
 * it takes no lock.
 */
final class DeferredReplies {
    /** Requests of one MAC waiting at once: a firmware DISCOVER and its port-4011 request, or one retransmission. */
    static final int PER_MAC = 2;
    /** Requests waiting at once, all MACs together. */
    static final int TOTAL = 1024;

    private final int perMac;
    private final int total;
    private final Map<MacAddress, Integer> waiting = new HashMap<>();
    private int count;
    private long refused;

    DeferredReplies() {
        this(PER_MAC, TOTAL);
    }

    DeferredReplies(int perMac, int total) {
        this.perMac = perMac;
        this.total = total;
    }

    /** Whether one more request of {@code mac} may wait; if so it is counted until {@link #done}. */
    boolean admit(MacAddress mac) {
        int n = waiting.getOrDefault(mac, 0);
        if (n >= perMac || count >= total) {
            refused++;
            return false;
        }
        waiting.put(mac, n + 1);
        count++;
        return true;
    }

    /** One admitted request of {@code mac} is answered, or given up. */
    void done(MacAddress mac) {
        Integer n = waiting.get(mac);
        if (n == null) {
            throw new IllegalStateException("no request of " + mac + " is waiting");
        }
        if (n == 1) {
            waiting.remove(mac);
        } else {
            waiting.put(mac, n - 1);
        }
        count--;
    }

    /** Requests waiting now. */
    int waiting() {
        return count;
    }

    /** Requests not admitted since start (past a cap). */
    long refused() {
        return refused;
    }
}

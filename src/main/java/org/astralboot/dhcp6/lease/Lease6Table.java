package org.astralboot.dhcp6.lease;

import static org.astralboot.net.Ipv6.fromBig;
import static org.astralboot.net.Ipv6.toBig;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The DHCPv6 bindings in memory, one per DUID+IAID, over one or more disjoint pools: pool 0 the
 * server's own link's ({@code [ipv6] range_start}-{@code range_end}), pool {@code k} the {@code k}-th
 * {@code [[ipv6.relay]]} link's (the same design as the IPv4 lease table's scopes). Changes
 * go to the {@link Lease6Sink} (the database) as they are made; Advertise holds are in memory only.
 * Addresses are handed out lowest unused first, then the one whose binding ended longest ago.
 * Not thread-safe: the engine's thread only.
 */
public final class Lease6Table {
    /** First and last address of each pool. */
    private final BigInteger[] starts;
    private final BigInteger[] ends;
    private Lease6Sink sink;
    private final Map<Lease6.Key, Lease6> byKey = new HashMap<>();
    private final NavigableMap<BigInteger, Lease6> byAddress = new TreeMap<>();
    /** Addresses offered in an Advertise: address → (key, until). */
    private final Map<BigInteger, Hold> holds = new HashMap<>();

    private record Hold(Lease6.Key key, long until) {
    }

    /** A pool: {@code start} to {@code end}, both included. */
    public record Range(Inet6Address start, Inet6Address end) {
        public Range {
            if (toBig(start).compareTo(toBig(end)) > 0) {
                throw new IllegalArgumentException("range_start " + start.getHostAddress() + " is after range_end "
                        + end.getHostAddress());
            }
        }
    }

    /** One pool: {@code [start, end]}. */
    public Lease6Table(Inet6Address start, Inet6Address end, Collection<Lease6> leases, Lease6Sink sink) {
        this(List.of(new Range(start, end)), leases, sink);
    }

    /**
     * @param pools  pool 0 first, then the relayed links' in configuration order; disjoint (the config checks)
     * @param leases the stored bindings ({@link Lease6Store#load()}); those outside every pool are kept but never reassigned
     */
    public Lease6Table(List<Range> pools, Collection<Lease6> leases, Lease6Sink sink) {
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("no pool");
        }
        this.starts = pools.stream().map(r -> toBig(r.start())).toArray(BigInteger[]::new);
        this.ends = pools.stream().map(r -> toBig(r.end())).toArray(BigInteger[]::new);
        // The store keeps one record per address: a binding that moved to another address left its
        // old record behind, older than the new one, so replaying them by start time ends right.
        List<Lease6> sorted = new ArrayList<>(leases);
        // Declined first among equals: a client that declined an address is bound to another at once.
        sorted.sort(java.util.Comparator.comparingLong(Lease6::start)
                .thenComparing(l -> l.state() != Lease6.State.DECLINED));
        this.sink = Lease6Sink.NONE;
        sorted.forEach(this::put);
        this.sink = sink;
    }

    /** The binding of {@code key}, or {@code null}. */
    public Lease6 get(Lease6.Key key) {
        return byKey.get(key);
    }

    /** The binding holding {@code a}, or {@code null}. */
    public Lease6 at(Inet6Address a) {
        return byAddress.get(toBig(a));
    }

    /** Whether {@code a} is in any pool. */
    public boolean inPool(Inet6Address a) {
        for (int k = 0; k < starts.length; k++) {
            if (inPool(a, k)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code a} is in pool {@code pool}. */
    public boolean inPool(Inet6Address a, int pool) {
        BigInteger v = toBig(a);
        return v.compareTo(starts[pool]) >= 0 && v.compareTo(ends[pool]) <= 0;
    }

    /** How many pools: 1 + the relayed links. */
    public int pools() {
        return starts.length;
    }

    /**
     * The pool at {@code now}, for the bindings gauge.
     *
     * @param pool     addresses from range_start to range_end (at most {@link Long#MAX_VALUE})
     * @param bound    pool addresses a client holds
     * @param declined pool addresses out of use after a Decline (RFC 8415 §18.3.8)
     */
    public record Counts(long pool, long bound, long declined) {
        /** Pool addresses neither bound nor declined (those held for an Advertise included). */
        public long free() {
            return Math.max(0, pool - bound - declined);
        }
    }

    /** The figures of every pool together at {@code now}. */
    public Counts counts(long now) {
        BigInteger size = BigInteger.ZERO;
        long bound = 0;
        long declined = 0;
        for (int k = 0; k < starts.length; k++) {
            size = size.add(ends[k].subtract(starts[k]).add(BigInteger.ONE));
            for (Lease6 l : byAddress.subMap(starts[k], true, ends[k], true).values()) {
                if (l.activeAt(now)) {
                    bound++;
                } else if (l.state() == Lease6.State.DECLINED && l.expires() > now) {
                    declined++;
                }
            }
        }
        return new Counts(size.bitLength() < 64 ? size.longValue() : Long.MAX_VALUE, bound, declined);
    }

    /** Every binding, in address order. */
    public List<Lease6> all() {
        return new ArrayList<>(byAddress.values());
    }

    /** {@link #free(Inet6Address, Lease6.Key, long, int)} in pool 0. */
    public boolean free(Inet6Address a, Lease6.Key key, long now) {
        return free(a, key, now, 0);
    }

    /**
     * Whether {@code key} may take {@code a} at {@code now}: in pool {@code pool}, not bound, declined
     * or held for another IA.
     */
    public boolean free(Inet6Address a, Lease6.Key key, long now, int pool) {
        if (!inPool(a, pool)) {
            return false;
        }
        BigInteger v = toBig(a);
        Lease6 l = byAddress.get(v);
        if (l != null && !l.key().equals(key) && !l.availableAt(now)) {
            return false;
        }
        if (l != null && l.key().equals(key) && l.state() == Lease6.State.DECLINED && l.expires() > now) {
            return false;
        }
        Hold h = holds.get(v);
        return h == null || h.key.equals(key) || h.until <= now;
    }

    /** {@link #candidate(Lease6.Key, long, int)} in pool 0. */
    public Inet6Address candidate(Lease6.Key key, long now) {
        return candidate(key, now, 0);
    }

    /**
     * The address of pool {@code pool} for {@code key}: its own binding's (unless declined), an address
     * held for it, else the lowest never-used pool address, else the binding that ended longest ago.
     * {@code null} when the pool is exhausted.
     */
    public Inet6Address candidate(Lease6.Key key, long now, int pool) {
        BigInteger start = starts[pool];
        BigInteger end = ends[pool];
        Lease6 own = byKey.get(key);
        if (own != null && own.state() != Lease6.State.DECLINED && free(own.address(), key, now, pool)) {
            return own.address();
        }
        for (Map.Entry<BigInteger, Hold> e : holds.entrySet()) {
            if (e.getValue().key.equals(key) && e.getValue().until > now && inPool(fromBig(e.getKey()), pool)) {
                return fromBig(e.getKey());
            }
        }
        BigInteger c = start;
        for (BigInteger used : byAddress.tailMap(start, true).keySet()) {
            if (used.compareTo(end) > 0) {
                break;
            }
            while (c.compareTo(used) < 0) {
                if (!heldAt(c, now)) {
                    return fromBig(c);
                }
                c = c.add(BigInteger.ONE);
            }
            c = used.add(BigInteger.ONE);
        }
        while (c.compareTo(end) <= 0) {
            if (!heldAt(c, now)) {
                return fromBig(c);
            }
            c = c.add(BigInteger.ONE);
        }
        Lease6 oldest = null;
        for (Lease6 l : byAddress.subMap(start, true, end, true).values()) {
            if (l.availableAt(now) && !heldAt(toBig(l.address()), now)
                    && (oldest == null || l.expires() < oldest.expires())) {
                oldest = l;
            }
        }
        return oldest == null ? null : oldest.address();
    }

    private boolean heldAt(BigInteger a, long now) {
        Hold h = holds.get(a);
        return h != null && h.until > now;
    }

    /**
     * Holds {@code a} for {@code key} until {@code until} (an Advertise; not written to the database).
     * Lapsed holds are dropped here, so Solicits that never become Requests cannot grow the map.
     */
    public void hold(Inet6Address a, Lease6.Key key, long now, long until) {
        holds.values().removeIf(h -> h.key.equals(key) || h.until <= now);
        holds.put(toBig(a), new Hold(key, until));
    }

    /** Advertise holds not yet lapsed or taken (for tests and counters). */
    public int holds(long now) {
        return (int) holds.values().stream().filter(h -> h.until > now).count();
    }

    /** Binds {@code a} to {@code key} until {@code expires}; the old binding of either is replaced. */
    public Lease6 bind(Lease6.Key key, Inet6Address a, long now, long expires) {
        return put(new Lease6(key.duid(), key.iaid(), a, Lease6.State.BOUND, now, expires));
    }

    /** Marks {@code l} released at {@code now}. */
    public Lease6 release(Lease6 l, long now) {
        return put(new Lease6(l.duid(), l.iaid(), l.address(), Lease6.State.RELEASED, l.start(), now));
    }

    /** Marks {@code l} declined until {@code until}. */
    public Lease6 decline(Lease6 l, long now, long until) {
        return put(new Lease6(l.duid(), l.iaid(), l.address(), Lease6.State.DECLINED, now, until));
    }

    private Lease6 put(Lease6 l) {
        BigInteger v = toBig(l.address());
        Lease6 old = byKey.put(l.key(), l);
        if (old != null && !old.address().equals(l.address()) && old.state() != Lease6.State.DECLINED) {
            // A declined address stays out of the pool for its probation, whoever declined it.
            byAddress.remove(toBig(old.address()));
        }
        Lease6 displaced = byAddress.put(v, l);
        if (displaced != null && !displaced.key().equals(l.key()) && byKey.get(displaced.key()) == displaced) {
            byKey.remove(displaced.key());
        }
        holds.remove(v);
        sink.put(l);
        return l;
    }
}

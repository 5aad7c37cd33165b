package org.astralboot.dhcp6.lease;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The DHCPv6 bindings in memory, one per DUID+IAID, over the pool {@code [start, end]}. Changes
 * go to the {@link Lease6Sink} (the database) as they are made; Advertise holds are in memory only.
 * Addresses are handed out lowest unused first, then the one whose binding ended longest ago.
 * Not thread-safe: the engine's thread only.
 */
public final class Lease6Table {
    private final BigInteger start;
    private final BigInteger end;
    private Lease6Sink sink;
    private final Map<Lease6.Key, Lease6> byKey = new HashMap<>();
    private final NavigableMap<BigInteger, Lease6> byAddress = new TreeMap<>();
    /** Addresses offered in an Advertise: address → (key, until). */
    private final Map<BigInteger, Hold> holds = new HashMap<>();

    private record Hold(Lease6.Key key, long until) {
    }

    /** @param leases the stored bindings ({@link Lease6Store#load()}); those outside the pool are kept but never reassigned */
    public Lease6Table(Inet6Address start, Inet6Address end, Collection<Lease6> leases, Lease6Sink sink) {
        this.start = toBig(start);
        this.end = toBig(end);
        if (this.start.compareTo(this.end) > 0) {
            throw new IllegalArgumentException("range_start " + start.getHostAddress() + " is after range_end "
                    + end.getHostAddress());
        }
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

    /** Whether {@code a} is in the pool. */
    public boolean inPool(Inet6Address a) {
        BigInteger v = toBig(a);
        return v.compareTo(start) >= 0 && v.compareTo(end) <= 0;
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

    /** The pool's figures at {@code now}. */
    public Counts counts(long now) {
        BigInteger size = end.subtract(start).add(BigInteger.ONE);
        long bound = 0;
        long declined = 0;
        for (Lease6 l : byAddress.subMap(start, true, end, true).values()) {
            if (l.activeAt(now)) {
                bound++;
            } else if (l.state() == Lease6.State.DECLINED && l.expires() > now) {
                declined++;
            }
        }
        return new Counts(size.bitLength() < 64 ? size.longValue() : Long.MAX_VALUE, bound, declined);
    }

    /** Every binding, in address order. */
    public List<Lease6> all() {
        return new ArrayList<>(byAddress.values());
    }

    /**
     * Whether {@code key} may take {@code a} at {@code now}: in the pool, not bound, declined or held
     * for another IA.
     */
    public boolean free(Inet6Address a, Lease6.Key key, long now) {
        if (!inPool(a)) {
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

    /**
     * The address for {@code key}: its own binding's (unless declined), an address held for it, else
     * the lowest never-used pool address, else the binding that ended longest ago. {@code null} when
     * the pool is exhausted.
     */
    public Inet6Address candidate(Lease6.Key key, long now) {
        Lease6 own = byKey.get(key);
        if (own != null && own.state() != Lease6.State.DECLINED && free(own.address(), key, now)) {
            return own.address();
        }
        for (Map.Entry<BigInteger, Hold> e : holds.entrySet()) {
            if (e.getValue().key.equals(key) && e.getValue().until > now) {
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

    /** The address as an unsigned 128-bit number. */
    public static BigInteger toBig(Inet6Address a) {
        return new BigInteger(1, a.getAddress());
    }

    /** The address of an unsigned 128-bit number. */
    public static Inet6Address fromBig(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] a = new byte[16];
        int n = Math.min(16, raw.length);
        System.arraycopy(raw, raw.length - n, a, 16 - n, n);
        try {
            return Inet6Address.getByAddress(null, a, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

package org.astralboot.dhcp.lease;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.astralboot.net.MacAddress;

/**
 * The lease table in memory: every pool address and every reservation, indexed by address and by
 * MAC, with the free addresses ordered for reuse. Every change goes to the {@link LeaseSink} before
 * the method returns; the caller commits and only then answers the client.
 *
 * <p>Allocation order for a MAC (RFC 2131 §4.3.1): its reservation; else the address it holds or
 * last held, if nobody else took it since (sticky); else the address it asks for (option 50) when
 * free; else the free address unused longest: never-used addresses first (lowest first), then
 * released or expired ones, least recently used first.
 *
 * <p>Thread-safe: every method synchronizes on the table.
 */
public final class LeaseTable {
    /** A fixed address (and host name) for one MAC, outside the dynamic allocation. */
    public record Fixed(MacAddress mac, int address, String hostname) {
    }

    /** Host name for a dynamic lease. */
    @FunctionalInterface
    public interface Hostnames {
        String name(int address, MacAddress mac);
    }

    /** Counts for logs and the exhaustion warning. */
    public record Stats(int pool, int available, int offered, int bound, int declined) {
    }

    private static final Comparator<Lease> BY_FREE_SINCE = (a, b) -> {
        int c = Long.compare(freeSince(a), freeSince(b));
        return c != 0 ? c : Integer.compareUnsigned(a.address(), b.address());
    };
    private static final Comparator<Lease> BY_EXPIRY = (a, b) -> {
        int c = Long.compare(a.expiresAt(), b.expiresAt());
        return c != 0 ? c : Integer.compareUnsigned(a.address(), b.address());
    };

    private final Map<Integer, Lease> byAddress = new HashMap<>();
    private final Map<MacAddress, Integer> byMac = new HashMap<>();
    private final Map<MacAddress, Fixed> fixedByMac = new HashMap<>();
    private final Set<Integer> fixedAddresses = new HashSet<>();
    private final Set<Integer> pool = new HashSet<>();
    private final TreeSet<Lease> available = new TreeSet<>(BY_FREE_SINCE);
    private final TreeSet<Lease> expiring = new TreeSet<>(BY_EXPIRY);
    private final Hostnames hostnames;
    private final LeaseSink sink;

    /**
     * @param poolAddresses the dynamic pool (already without network, broadcast, server and gateway)
     * @param fixed         reservations; their addresses are removed from the pool
     * @param stored        leases read from the database (any address); missing pool addresses are
     *                      created FREE and written to {@code sink}
     * @param hostnames     host name for an address without a reservation
     */
    public LeaseTable(int[] poolAddresses, Collection<Fixed> fixed, Collection<Lease> stored,
            Hostnames hostnames, LeaseSink sink) {
        this.hostnames = hostnames;
        this.sink = sink;
        for (Fixed f : fixed) {
            fixedByMac.put(f.mac(), f);
            fixedAddresses.add(f.address());
        }
        for (int a : poolAddresses) {
            if (!fixedAddresses.contains(a)) {
                pool.add(a);
            }
        }
        for (Lease l : stored) {
            byAddress.put(l.address(), l);
        }
        for (int a : pool) {
            if (!byAddress.containsKey(a)) {
                Lease l = new Lease(a, null, "", LeaseState.FREE, 0, 0);
                byAddress.put(a, l);
                sink.put(l);
            }
        }
        // Rebuild the MAC index: a MAC maps to its most recently changed lease.
        for (Lease l : byAddress.values()) {
            if (l.mac() != null && l.state() != LeaseState.DECLINED) {
                Integer cur = byMac.get(l.mac());
                if (cur == null || byAddress.get(cur).changedAt() < l.changedAt()) {
                    byMac.put(l.mac(), l.address());
                }
            }
            index(l);
        }
    }

    private static long freeSince(Lease l) {
        return switch (l.state()) {
            case FREE -> 0;
            case RELEASED -> l.changedAt();
            default -> l.expiresAt();
        };
    }

    private void index(Lease l) {
        if (!pool.contains(l.address())) {
            return;
        }
        if (l.state() == LeaseState.FREE || l.state() == LeaseState.RELEASED) {
            available.add(l);
        } else {
            expiring.add(l);
        }
    }

    private void unindex(Lease l) {
        if (!available.remove(l)) {
            expiring.remove(l);
        }
    }

    /** Moves offers, bindings and probations that ended by {@code now} to the available set. */
    private void sweep(long now) {
        while (!expiring.isEmpty() && expiring.first().expiresAt() <= now) {
            available.add(expiring.pollFirst());
        }
    }

    private void store(Lease old, Lease l) {
        if (old != null) {
            unindex(old);
        }
        byAddress.put(l.address(), l);
        index(l);
        sink.put(l);
    }

    public synchronized Lease at(int address) {
        return byAddress.get(address);
    }

    /** The lease this MAC holds or last held (possibly expired or released), or {@code null}. */
    public synchronized Lease forMac(MacAddress mac) {
        Integer a = byMac.get(mac);
        return a == null ? null : byAddress.get(a);
    }

    /** The reservation of {@code mac}, or {@code null}. */
    public synchronized Fixed fixed(MacAddress mac) {
        return fixedByMac.get(mac);
    }

    /** True when {@code address} is in the dynamic pool or reserved. */
    public synchronized boolean manages(int address) {
        return pool.contains(address) || fixedAddresses.contains(address);
    }

    /**
     * The address {@code mac} should get now, or {@code null} when the pool is exhausted. Does not
     * change anything.
     */
    public synchronized Lease candidate(MacAddress mac, int requested, long now) {
        Fixed f = fixedByMac.get(mac);
        if (f != null) {
            Lease l = byAddress.get(f.address());
            return l != null ? l : new Lease(f.address(), mac, f.hostname(), LeaseState.FREE, 0, 0);
        }
        sweep(now);
        Integer mine = byMac.get(mac);
        if (mine != null) {
            Lease l = byAddress.get(mine);
            if (mac.equals(l.mac()) && pool.contains(mine) && (l.activeAt(now) || l.availableAt(now))) {
                return l;
            }
        }
        if (requested != 0 && pool.contains(requested)) {
            Lease l = byAddress.get(requested);
            if (l.availableAt(now) && (l.mac() == null || l.mac().equals(mac) || l.state() == LeaseState.FREE)) {
                return l;
            }
        }
        return available.isEmpty() ? null : available.first();
    }

    /**
     * Gives {@code lease}'s address to {@code mac} in {@code state} until {@code until}. The caller
     * got {@code lease} from {@link #candidate} or checked it is this MAC's or available.
     */
    public synchronized Lease assign(Lease lease, MacAddress mac, LeaseState state, long now, long until) {
        Lease old = byAddress.get(lease.address());
        if (old != null && old.mac() != null && !old.mac().equals(mac)) {
            Integer prev = byMac.get(old.mac());
            if (prev != null && prev == lease.address()) {
                byMac.remove(old.mac());
            }
        }
        Integer prevOfMac = byMac.get(mac);
        if (prevOfMac != null && prevOfMac != lease.address()) {
            // The MAC moves: free its previous dynamic address now rather than at expiry.
            Lease p = byAddress.get(prevOfMac);
            if (p != null && mac.equals(p.mac()) && p.activeAt(now)) {
                store(p, new Lease(p.address(), mac, p.hostname(), LeaseState.RELEASED, 0, now));
            }
        }
        Fixed f = fixedByMac.get(mac);
        String host = f != null && f.address() == lease.address() && f.hostname() != null && !f.hostname().isEmpty()
                ? f.hostname() : hostnames.name(lease.address(), mac);
        Lease l = new Lease(lease.address(), mac, host, state, until, now);
        store(old, l);
        byMac.put(mac, l.address());
        return l;
    }

    /** Client released {@code address}: available again, still remembered for this MAC. */
    public synchronized Lease release(Lease l, long now) {
        Lease n = new Lease(l.address(), l.mac(), l.hostname(), LeaseState.RELEASED, 0, now);
        store(l, n);
        return n;
    }

    /** Client found {@code address} in use: unusable until {@code until}, forgotten for its MAC. */
    public synchronized Lease decline(Lease l, long now, long until) {
        if (l.mac() != null) {
            Integer a = byMac.get(l.mac());
            if (a != null && a == l.address()) {
                byMac.remove(l.mac());
            }
        }
        Lease n = new Lease(l.address(), null, "", LeaseState.DECLINED, until, now);
        store(l, n);
        return n;
    }

    public synchronized Stats stats(long now) {
        sweep(now);
        int offered = 0;
        int bound = 0;
        int declined = 0;
        for (Lease l : expiring) {
            switch (l.state()) {
                case OFFERED -> offered++;
                case BOUND -> bound++;
                case DECLINED -> declined++;
                default -> { }
            }
        }
        return new Stats(pool.size(), available.size(), offered, bound, declined);
    }

    /** Every known lease, sorted by address. */
    public synchronized List<Lease> all() {
        List<Lease> r = new ArrayList<>(byAddress.values());
        r.sort(Comparator.comparingInt(l -> l.address() ^ Integer.MIN_VALUE));
        return r;
    }
}

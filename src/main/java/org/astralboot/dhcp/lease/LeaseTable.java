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
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;
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
 * <p>Scopes: scope 0 is the main pool (every address outside the relayed subnets); scope {@code k}
 * is the pool of the {@code k}-th relayed subnet given to the constructor. A candidate for scope
 * {@code k} is always an address of that scope (a MAC that moved to another subnet gets a new
 * address there), and each scope keeps its own reuse order.
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
    private final Map<Integer, Fixed> fixedByAddress = new HashMap<>();
    /** Host name (lower case) to address: reservations, and every lease that carries a name. */
    private final Map<String, Fixed> fixedByName = new HashMap<>();
    private final Map<String, Integer> byName = new HashMap<>();
    private final Set<Integer> pool = new HashSet<>();
    /** Free addresses per scope, in reuse order. */
    private final TreeSet<Lease>[] available;
    private final int[] poolSize;
    /** Relayed subnets: scope k+1 is {@code relayNet[k]/relayMask[k]}. */
    private final int[] relayNet;
    private final int[] relayMask;
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
        this(poolAddresses, fixed, stored, hostnames, sink, List.of());
    }

    /**
     * @param relaySubnets the relayed subnets; scope {@code k+1} is {@code relaySubnets.get(k)}, scope 0
     *                     every other address. They must not overlap.
     */
    @SuppressWarnings("unchecked")
    public LeaseTable(int[] poolAddresses, Collection<Fixed> fixed, Collection<Lease> stored,
            Hostnames hostnames, LeaseSink sink, List<Ipv4Subnet> relaySubnets) {
        this.hostnames = hostnames;
        relayNet = new int[relaySubnets.size()];
        relayMask = new int[relaySubnets.size()];
        for (int k = 0; k < relayNet.length; k++) {
            relayNet[k] = Ipv4.toInt(relaySubnets.get(k).network());
            relayMask[k] = relaySubnets.get(k).maskInt();
        }
        available = new TreeSet[relayNet.length + 1];
        for (int k = 0; k < available.length; k++) {
            available[k] = new TreeSet<>(BY_FREE_SINCE);
        }
        poolSize = new int[available.length];
        this.sink = sink;
        for (Fixed f : fixed) {
            fixedByMac.put(f.mac(), f);
            fixedByAddress.put(f.address(), f);
            if (f.hostname() != null && !f.hostname().isEmpty()) {
                fixedByName.put(lower(f.hostname()), f);
            }
        }
        for (int a : poolAddresses) {
            if (!fixedByAddress.containsKey(a) && pool.add(a)) {
                poolSize[scopeOf(a)]++;
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
            name(null, l);
        }
    }

    private static long freeSince(Lease l) {
        return switch (l.state()) {
            case FREE -> 0;
            case RELEASED -> l.changedAt();
            default -> l.expiresAt();
        };
    }

    /** The scope of {@code address}: the relayed subnet holding it (1..), else 0 (the main pool). */
    public int scopeOf(int address) {
        for (int k = 0; k < relayNet.length; k++) {
            if ((address & relayMask[k]) == relayNet[k]) {
                return k + 1;
            }
        }
        return 0;
    }

    /** Number of scopes: 1 + the relayed subnets. */
    public int scopes() {
        return available.length;
    }

    private void index(Lease l) {
        if (!pool.contains(l.address())) {
            return;
        }
        if (l.state() == LeaseState.FREE || l.state() == LeaseState.RELEASED) {
            available[scopeOf(l.address())].add(l);
        } else {
            expiring.add(l);
        }
    }

    private void unindex(Lease l) {
        if (!available[scopeOf(l.address())].remove(l)) {
            expiring.remove(l);
        }
    }

    /** Moves offers, bindings and probations that ended by {@code now} to the available sets. */
    private void sweep(long now) {
        while (!expiring.isEmpty() && expiring.first().expiresAt() <= now) {
            Lease l = expiring.pollFirst();
            available[scopeOf(l.address())].add(l);
        }
    }

    private void store(Lease old, Lease l) {
        if (old != null) {
            unindex(old);
        }
        byAddress.put(l.address(), l);
        index(l);
        name(old, l);
        sink.put(l);
    }

    /** Keeps {@link #byName} in step: the newest lease to carry a name owns it. */
    private void name(Lease old, Lease l) {
        if (old != null && !old.hostname().isEmpty()) {
            byName.remove(lower(old.hostname()), old.address());
        }
        if (!l.hostname().isEmpty()) {
            String n = lower(l.hostname());
            Integer cur = byName.get(n);
            if (cur == null || byAddress.get(cur).changedAt() <= l.changedAt()) {
                byName.put(n, l.address());
            }
        }
    }

    private static String lower(String name) {
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The address known by host name {@code name} (ASCII case-insensitive) at {@code now}: a
     * reservation's, else a binding's that has not expired (an offer is not yet the client's).
     * What the DNS answers for {@code name.<domain>}.
     *
     * @return the address, or -1 when no machine holds that name now
     */
    public synchronized long addressNamed(String name, long now) {
        String n = lower(name);
        Fixed f = fixedByName.get(n);
        if (f != null) {
            return f.address() & 0xFFFFFFFFL;
        }
        Integer a = byName.get(n);
        if (a == null) {
            return -1;
        }
        Lease l = byAddress.get(a);
        return l.state() == LeaseState.BOUND && l.expiresAt() > now && n.equals(lower(l.hostname()))
                ? a & 0xFFFFFFFFL : -1;
    }

    /**
     * The host name of {@code address} at {@code now}: its reservation's, else that of a binding that
     * has not expired; {@code null} when none (the DNS PTR answer).
     */
    public synchronized String nameAt(int address, long now) {
        Fixed f = fixedByAddress.get(address);
        if (f != null && f.hostname() != null && !f.hostname().isEmpty()) {
            return f.hostname();
        }
        Lease l = byAddress.get(address);
        return l != null && l.state() == LeaseState.BOUND && l.expiresAt() > now && !l.hostname().isEmpty()
                ? l.hostname() : null;
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
        return pool.contains(address) || fixedByAddress.containsKey(address);
    }

    /** The reservation of {@code address}, whichever MAC holds it, or {@code null}. */
    public synchronized Fixed reservationAt(int address) {
        return fixedByAddress.get(address);
    }

    /**
     * The address {@code mac} should get now, or {@code null} when the pool is exhausted. Does not
     * change anything.
     */
    public synchronized Lease candidate(MacAddress mac, int requested, long now) {
        return candidate(mac, requested, now, 0);
    }

    /**
     * The address {@code mac} should get now in {@code scope}, or {@code null} when that scope's pool is
     * exhausted. A reservation counts only when its address is in {@code scope}. Does not change anything.
     */
    public synchronized Lease candidate(MacAddress mac, int requested, long now, int scope) {
        Fixed f = fixedByMac.get(mac);
        if (f != null && scopeOf(f.address()) == scope) {
            Lease l = byAddress.get(f.address());
            return l != null ? l : new Lease(f.address(), mac, f.hostname(), LeaseState.FREE, 0, 0);
        }
        sweep(now);
        Integer mine = byMac.get(mac);
        if (mine != null) {
            Lease l = byAddress.get(mine);
            if (mac.equals(l.mac()) && pool.contains(mine) && scopeOf(mine) == scope
                    && (l.activeAt(now) || l.availableAt(now))) {
                return l;
            }
        }
        if (requested != 0 && pool.contains(requested) && scopeOf(requested) == scope) {
            Lease l = byAddress.get(requested);
            if (l.availableAt(now) && (l.mac() == null || l.mac().equals(mac) || l.state() == LeaseState.FREE)) {
                return l;
            }
        }
        TreeSet<Lease> free = available[scope];
        return free.isEmpty() ? null : free.first();
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
        return stats(now, -1);
    }

    /** Counts of one scope, or of all when {@code scope} is negative. */
    public synchronized Stats stats(long now, int scope) {
        sweep(now);
        int offered = 0;
        int bound = 0;
        int declined = 0;
        for (Lease l : expiring) {
            if (scope >= 0 && scopeOf(l.address()) != scope) {
                continue;
            }
            switch (l.state()) {
                case OFFERED -> offered++;
                case BOUND -> bound++;
                case DECLINED -> declined++;
                default -> { }
            }
        }
        if (scope >= 0) {
            return new Stats(poolSize[scope], available[scope].size(), offered, bound, declined);
        }
        int free = 0;
        for (TreeSet<Lease> a : available) {
            free += a.size();
        }
        return new Stats(pool.size(), free, offered, bound, declined);
    }

    /** Every known lease, sorted by address. */
    public synchronized List<Lease> all() {
        List<Lease> r = new ArrayList<>(byAddress.values());
        r.sort(Comparator.comparingInt(l -> l.address() ^ Integer.MIN_VALUE));
        return r;
    }
}

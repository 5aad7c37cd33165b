package org.astralboot.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.astralboot.db.Database;
import org.astralboot.net.MacAddress;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Machine records in the MapDB file (map {@code machines}: MAC hex → JSON). A decision (a choice,
 * an install, a reset, a removal) is committed before the method returns, so it survives a crash or
 * restart; concurrent requests share commits through {@link Database#commitAsync()}. A sighting
 * ({@link #seen}: a new record, or a new source address) is committed too but not waited for: losing
 * it in a crash only makes the machine new again at its next boot, and a rack of 1,000 machines
 * powering on together would otherwise wait for a commit each before it gets its menu (issue 16
 * §3, bench/fleet: 0.7 s per commit behind the lease commits).
 *
 * <p>The records are decoded once, at open, into in-memory indexes by MAC, by last source address
 * and by cluster (OS and class), kept in step with the map under this object's lock. A boot script
 * or file request then costs a hash lookup, not a decode of every record: with 100,000 records a
 * scan took up to 2.6 s per {@code choose} (issue 11, {@code MachineScaleTest}).
 */
public final class MachineRegistry {
    private static final Logger log = LoggerFactory.getLogger(MachineRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;
    private final HTreeMap<String, String> map;
    private final Clock clock;
    private final MachineKeys keys;
    /** Decoded records; guarded by {@code this}, like the two indexes below. */
    private final Map<MacAddress, Machine> byMac = new HashMap<>();
    /** Last source address → MACs whose last request came from it. */
    private final Map<String, Set<MacAddress>> byIp = new HashMap<>();
    /** Cluster key ({@link #clusterKey}) → members (chosen or installed), sorted by MAC. */
    private final Map<String, NavigableSet<MacAddress>> byCluster = new HashMap<>();

    public MachineRegistry(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.map = db.db().hashMap("machines", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.keys = MachineKeys.open(db);
        synchronized (this) {
            for (var e : map.getEntries()) {
                Machine m = decode(e.getKey(), e.getValue());
                if (m != null) {
                    index(m);
                }
            }
        }
    }

    /** The per-machine keys, whose server key lives in the same database. */
    public MachineKeys keys() {
        return keys;
    }

    public synchronized Optional<Machine> get(MacAddress mac) {
        return Optional.ofNullable(byMac.get(mac));
    }

    /** Number of readable records. */
    public synchronized int size() {
        return byMac.size();
    }

    /** All records, by MAC. */
    public synchronized List<Machine> all() {
        List<Machine> out = new ArrayList<>(byMac.values());
        out.sort(Comparator.comparing(Machine::mac));
        return out;
    }

    /** Machines whose last request came from {@code ip}, by MAC. */
    public synchronized List<Machine> byLastIp(String ip) {
        Set<MacAddress> macs = byIp.get(ip);
        if (macs == null) {
            return List.of();
        }
        return macs.stream().sorted().map(byMac::get).toList();
    }

    /** Machines that chose {@code os} and {@code osClass} (chosen or installed): a cluster, by MAC. */
    public synchronized List<Machine> cluster(String os, String osClass) {
        NavigableSet<MacAddress> macs = byCluster.get(clusterKey(os, osClass));
        if (macs == null) {
            return List.of();
        }
        List<Machine> out = new ArrayList<>(macs.size());
        for (MacAddress mac : macs) {
            out.add(byMac.get(mac));
        }
        return out;
    }

    private static String clusterKey(String os, String osClass) {
        return os + "\0" + osClass; // NUL is in neither an OS name nor a class
    }

    private void index(Machine m) {
        byMac.put(m.mac(), m);
        if (!m.lastIp().isEmpty()) {
            byIp.computeIfAbsent(m.lastIp(), k -> new HashSet<>()).add(m.mac());
        }
        if (m.state() != MachineState.NEW) {
            byCluster.computeIfAbsent(clusterKey(m.os(), m.osClass()), k -> new TreeSet<>()).add(m.mac());
        }
    }

    private void unindex(Machine m) {
        byMac.remove(m.mac());
        Set<MacAddress> ips = byIp.get(m.lastIp());
        if (ips != null && ips.remove(m.mac()) && ips.isEmpty()) {
            byIp.remove(m.lastIp());
        }
        if (m.state() != MachineState.NEW) {
            String k = clusterKey(m.os(), m.osClass());
            NavigableSet<MacAddress> c = byCluster.get(k);
            if (c != null && c.remove(m.mac()) && c.isEmpty()) {
                byCluster.remove(k);
            }
        }
    }

    /**
     * Records a boot request: creates a {@link MachineState#NEW} record, or updates the address.
     * Visible at once; its commit is started, not waited for (see the class comment).
     */
    public Machine seen(MacAddress mac, String ip) throws IOException {
        return update(mac, ip, m -> m, false);
    }

    public Machine choose(MacAddress mac, String ip, String os, String osClass) throws IOException {
        Instant now = clock.instant();
        return update(mac, ip, m -> m.choose(os, osClass, now), true);
    }

    /** @throws IllegalStateException when the machine has not chosen an OS */
    public Machine markInstalled(MacAddress mac, String ip) throws IOException {
        Instant now = clock.instant();
        return update(mac, ip, m -> m.installed(now), true);
    }

    public Machine reset(MacAddress mac) throws IOException {
        Instant now = clock.instant();
        return update(mac, null, m -> m.reset(now), true);
    }

    /**
     * Removes the record (an operator's "forget"): the machine's next boot creates a new one, as
     * for a machine never seen. No-op for an unknown MAC.
     */
    public void forget(MacAddress mac) throws IOException {
        synchronized (this) {
            Machine before = byMac.get(mac);
            if (before == null) {
                return;
            }
            map.remove(mac.toHex());
            unindex(before);
        }
        db.commit();
        log.info("machine {} forgotten", mac);
    }

    /** @param durable wait for the commit; else start it and return (a failure is logged) */
    private Machine update(MacAddress mac, String ip, UnaryOperator<Machine> change, boolean durable) throws IOException {
        Machine before;
        Machine after;
        synchronized (this) {
            before = get(mac).orElse(null);
            Machine base = before != null ? before : Machine.fresh(mac, ip == null ? "" : ip, clock.instant());
            if (ip != null && !ip.equals(base.lastIp())) {
                base = base.seenFrom(ip);
            }
            after = change.apply(base);
            if (after.equals(before)) {
                return after;
            }
            map.put(mac.toHex(), encode(after));
            if (before != null) {
                unindex(before);
            }
            index(after);
        }
        if (durable) {
            db.commit();
        } else {
            db.commitAsync().whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("machine {}: commit of its sighting failed: {}", mac, e.toString());
                }
            });
        }
        if (before == null || before.state() != after.state() || !before.os().equals(after.os())
                || !before.osClass().equals(after.osClass())) {
            if (after.state() == MachineState.NEW) {
                log.info("machine {} new{}", mac, after.lastIp().isEmpty() ? "" : " (from " + after.lastIp() + ")");
            } else {
                log.info("machine {} {} {}{}", mac, after.state().name().toLowerCase(Locale.ROOT), after.os(),
                        after.osClass().isEmpty() ? "" : "/" + after.osClass());
            }
        }
        return after;
    }

    static String encode(Machine m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("state", m.state().name());
        n.put("os", m.os());
        n.put("class", m.osClass());
        n.put("ip", m.lastIp());
        n.put("firstSeen", m.firstSeen().toEpochMilli());
        n.put("updated", m.updated().toEpochMilli());
        return n.toString();
    }

    static Machine decode(String hex, String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new Machine(MacAddress.parse(hex), MachineState.valueOf(n.path("state").asText()),
                    n.path("os").asText(""), n.path("class").asText(""), n.path("ip").asText(""),
                    Instant.ofEpochMilli(n.path("firstSeen").asLong()), Instant.ofEpochMilli(n.path("updated").asLong()));
        } catch (IOException | IllegalArgumentException e) {
            log.warn("machine record {} unreadable ({}), ignored", hex, e.getMessage());
            return null;
        }
    }
}

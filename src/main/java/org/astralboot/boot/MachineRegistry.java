package org.astralboot.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.astralboot.db.Database;
import org.astralboot.net.MacAddress;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Machine records in the MapDB file (map {@code machines}: MAC hex → JSON). Every change is
 * committed before the method returns, so a choice survives a crash or restart; concurrent
 * requests share commits through {@link Database#commitAsync()}.
 */
public final class MachineRegistry {
    private static final Logger log = LoggerFactory.getLogger(MachineRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;
    private final HTreeMap<String, String> map;
    private final Clock clock;

    public MachineRegistry(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.map = db.db().hashMap("machines", Serializer.STRING, Serializer.STRING).createOrOpen();
    }

    public Optional<Machine> get(MacAddress mac) {
        String v = map.get(mac.toHex());
        return v == null ? Optional.empty() : Optional.ofNullable(decode(mac.toHex(), v));
    }

    /** All records, by MAC. */
    public List<Machine> all() {
        List<Machine> out = new ArrayList<>();
        for (var e : map.getEntries()) {
            Machine m = decode(e.getKey(), e.getValue());
            if (m != null) {
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(Machine::mac));
        return out;
    }

    /** Machines that chose {@code os} and {@code osClass} (chosen or installed): a cluster. */
    public List<Machine> cluster(String os, String osClass) {
        return all().stream()
                .filter(m -> m.state() != MachineState.NEW && m.os().equals(os) && m.osClass().equals(osClass))
                .toList();
    }

    /** Records a boot request: creates a {@link MachineState#NEW} record, or updates the address. */
    public Machine seen(MacAddress mac, String ip) throws IOException {
        return update(mac, ip, m -> m);
    }

    public Machine choose(MacAddress mac, String ip, String os, String osClass) throws IOException {
        Instant now = clock.instant();
        return update(mac, ip, m -> m.choose(os, osClass, now));
    }

    /** @throws IllegalStateException when the machine has not chosen an OS */
    public Machine markInstalled(MacAddress mac, String ip) throws IOException {
        Instant now = clock.instant();
        return update(mac, ip, m -> m.installed(now));
    }

    public Machine reset(MacAddress mac) throws IOException {
        Instant now = clock.instant();
        return update(mac, null, m -> m.reset(now));
    }

    private Machine update(MacAddress mac, String ip, UnaryOperator<Machine> change) throws IOException {
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
        }
        db.commit();
        if (before == null || before.state() != after.state() || !before.os().equals(after.os())
                || !before.osClass().equals(after.osClass())) {
            if (after.state() == MachineState.NEW) {
                log.info("machine {} new (from {})", mac, after.lastIp());
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

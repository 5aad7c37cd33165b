package org.astralboot.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.events.BootEvent.Step;
import org.astralboot.events.Events;

/**
 * Each machine's latest boot as the events tell it: how far it got ({@link Step}), its address and
 * firmware, bytes sent, its last error. Bounded: the machines heard of least recently are dropped
 * past {@link #MAX_MACHINES} (their database records stay). Thread-safe.
 */
public final class MachineBoard implements Events {
    static final int MAX_MACHINES = 10_000;

    /** One machine's latest boot. */
    public record Progress(String mac, String ip, String firmware, Step step, Instant bootStarted, Instant lastSeen,
            String lastEvent, long bytes, long bootMillis, String lastError, Instant lastErrorTime) {
    }

    private final Map<String, Progress> byMac = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Progress> e) {
            return size() > MAX_MACHINES;
        }
    };

    @Override
    public void emit(BootEvent e) {
        if (e.mac().isEmpty()) {
            return;
        }
        synchronized (byMac) {
            Progress p = byMac.get(e.mac());
            byMac.put(e.mac(), next(p, e));
        }
    }

    /** The progress after event {@code e}, given the one before ({@code null} for none). */
    static Progress next(Progress p, BootEvent e) {
        Kind k = e.kind();
        boolean newBoot = p == null || (k == Kind.DHCP_DISCOVER || k == Kind.DHCP6_SOLICIT) && startsABoot(p, e);
        String ip = !e.ip().isEmpty() ? e.ip() : p == null ? "" : p.ip();
        // The firmware DHCP or DHCPv6 told (the architecture) stays; HTTP's "iPXE" only fills a blank.
        boolean fromDhcp = k.name().startsWith("DHCP_") || k.name().startsWith("DHCP6_");
        String fw = p == null || p.firmware().isEmpty() || fromDhcp && !e.firmware().isEmpty() ? e.firmware() : p.firmware();
        Instant started = newBoot ? e.time() : p.bootStarted();
        Step step = newBoot ? Step.NONE : p.step();
        if (k.step().ordinal() > step.ordinal()) {
            step = k.step();
        }
        long bytes = (newBoot ? 0 : p.bytes()) + Math.max(0, e.bytes());
        long millis = Duration.between(started, e.time()).toMillis();
        String err = newBoot ? "" : p.lastError();
        Instant errTime = newBoot ? null : p.lastErrorTime();
        if (e.failure()) {
            err = e.kind().name().toLowerCase() + ": " + e.detail();
            errTime = e.time();
        }
        String what = e.kind().name().toLowerCase() + (e.detail().isEmpty() ? "" : " " + e.detail());
        return new Progress(e.mac(), ip, fw, step, started, e.time(), what, bytes, millis, err, errTime);
    }

    /**
     * Whether a DISCOVER, or a Solicit of a machine booting over IPv6, starts a new boot rather than
     * going on with {@code p}'s. An operator watching a rack expects each row to move forward only,
     * so iPXE's own DHCP (or DHCPv6) after the firmware loaded it over TFTP is the same boot: the row
     * stays at the first stage, its last event says "dhcp_discover iPXE" (BootMetrics, too, counts
     * it as part of the boot). A new boot is: more than 60 s after this one began; any DHCP after the first
     * stage (the menu or later: the machine restarted); or the firmware's own DHCP again once the
     * first stage was sent (it restarted before iPXE ran). Retries while at the DHCP step are the
     * same boot.
     */
    static boolean startsABoot(Progress p, BootEvent e) {
        if (Duration.between(p.bootStarted(), e.time()).toSeconds() > 60) {
            return true;
        }
        int at = p.step().ordinal();
        if (at > Step.FIRST_STAGE.ordinal()) {
            return true;
        }
        return at == Step.FIRST_STAGE.ordinal() && !e.fromIpxe();
    }

    public Optional<Progress> get(String mac) {
        synchronized (byMac) {
            return Optional.ofNullable(byMac.get(mac));
        }
    }

    public List<Progress> all() {
        synchronized (byMac) {
            return new ArrayList<>(byMac.values());
        }
    }

    /** Forgets a machine (the operator's "forget"). */
    public void remove(String mac) {
        synchronized (byMac) {
            byMac.remove(mac);
        }
    }
}

package org.astralboot.ndp.engine;

import java.net.Inet6Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.astralboot.ndp.codec.NdpCodec;
import org.astralboot.ndp.codec.RouterAdvertisement;
import org.astralboot.ndp.codec.RouterSolicitation;
import org.astralboot.net.MacAddress;
import org.astralboot.net.RecentBoots;

/**
 * Decides which router solicitations get Astralboot's advertisement (issue 16), and keeps the two
 * pieces of state that decision needs: until when another router on the segment makes us stand
 * down, and when each machine was last answered. Thread-safe; time from the injected clock.
 *
 * <p>A solicitation is answered when all of these hold, in this order (the first that fails is
 * the {@link NdpDecision.Reason}): the answer is on; the source is not {@code ::}; the machine's
 * MAC is known, from the source link-layer address option (RFC 4861 §4.6.1) or else from an
 * EUI-64 link-local source (RFC 4291 §2.5.1); that MAC sent a PXE or iPXE DHCP request within the
 * booting window; no other router has advertised within the hold time; and this machine was not
 * answered within the minimum interval. The answer is unicast to the solicitation's source after a
 * random delay of at most MAX_RA_DELAY_TIME (RFC 4861 §6.2.6), and carries the settings'
 * {@link RaContent} (M/O flags and on-link prefix when Astralboot serves DHCPv6).
 *
 * <p>A solicitation whose MAC is not booting yet is not dropped at once: the decision is a
 * {@link NdpDecision.Recheck} after each of {@link NdpSettings#rechecks()} in turn, because a
 * machine's first solicitation and its first DHCP or DHCPv6 request leave together and the
 * solicitation may be looked at first. Only a machine that is booting by then is answered, so the
 * rule "only network-booting machines" holds; at most {@value #MAX_PENDING} solicitations wait for
 * a second look at once (a flood of solicitations from invented MACs is dropped, not queued).
 */
public final class RouterAnswerEngine {
    /** Above this many machines answered recently, the old entries are dropped. */
    static final int MAX_ANSWERED = 4096;
    /** At most this many solicitations wait for a second look at once. */
    static final int MAX_PENDING = 1024;

    private final NdpSettings settings;
    private final RecentBoots boots;
    private final Clock clock;
    private final RandomGenerator random;
    private final Map<MacAddress, Instant> answered = new HashMap<>();
    private Instant standDownUntil = Instant.MIN;
    private long foreignAdvertisements;
    private int pending;

    public RouterAnswerEngine(NdpSettings settings, RecentBoots boots, Clock clock, RandomGenerator random) {
        this.settings = settings;
        this.boots = boots;
        this.clock = clock;
        this.random = random;
    }

    public NdpSettings settings() {
        return settings;
    }

    /** The decision for {@code rs}, received from {@code source} just now. */
    public NdpDecision solicited(RouterSolicitation rs, Inet6Address source) {
        return solicited(rs, source, 0);
    }

    /**
     * The decision for {@code rs} from {@code source}: first look ({@code attempt} 0) or the
     * {@code attempt}-th second look that a {@link NdpDecision.Recheck} asked for.
     */
    public synchronized NdpDecision solicited(RouterSolicitation rs, Inet6Address source, int attempt) {
        if (attempt > 0) {
            pending--;
        }
        if (!settings.answerRs()) {
            return silence(NdpDecision.Reason.DISABLED, null);
        }
        if (source.isAnyLocalAddress()) {
            return silence(NdpDecision.Reason.UNSPECIFIED_SOURCE, null);
        }
        Optional<MacAddress> mac = rs.sourceLinkLayer().or(() -> NdpCodec.eui64Mac(source));
        if (mac.isEmpty()) {
            return silence(NdpDecision.Reason.NO_MAC, null);
        }
        Instant now = clock.instant();
        OptionalLong seen = boots.lastSeen(mac.get());
        if (seen.isEmpty() || now.toEpochMilli() - seen.getAsLong() > settings.bootingWindow().toMillis()) {
            if (attempt < settings.rechecks().size() && (attempt > 0 || pending < MAX_PENDING)) {
                pending++;
                return new NdpDecision.Recheck(settings.rechecks().get(attempt), attempt + 1, mac.get());
            }
            return silence(NdpDecision.Reason.NOT_BOOTING, mac.get());
        }
        if (now.isBefore(standDownUntil)) {
            return silence(NdpDecision.Reason.FOREIGN_ROUTER, mac.get());
        }
        Instant last = answered.get(mac.get());
        if (last != null && now.isBefore(last.plus(settings.minInterval()))) {
            return silence(NdpDecision.Reason.RATE_LIMITED, mac.get());
        }
        if (answered.size() >= MAX_ANSWERED) {
            answered.values().removeIf(t -> !now.isBefore(t.plus(settings.minInterval())));
        }
        answered.put(mac.get(), now);
        long maxDelay = settings.maxDelay().toMillis();
        Duration delay = Duration.ofMillis(maxDelay <= 0 ? 0 : random.nextLong(maxDelay + 1));
        return new NdpDecision.Answer(settings.content().advertisement(settings.serverMac()), source, mac.get(),
                delay);
    }

    /**
     * Another router's advertisement, from {@code source}: stand down for the hold time, or for its
     * router lifetime when that is longer.
     *
     * @return true when this begins a stand-down (the transport logs that once)
     */
    public synchronized boolean advertised(RouterAdvertisement ra, Inet6Address source) {
        Instant now = clock.instant();
        boolean began = !now.isBefore(standDownUntil);
        Duration hold = settings.foreignHold();
        Duration lifetime = Duration.ofSeconds(ra.routerLifetime());
        Instant until = now.plus(lifetime.compareTo(hold) > 0 ? lifetime : hold);
        if (until.isAfter(standDownUntil)) {
            standDownUntil = until;
        }
        foreignAdvertisements++;
        return began;
    }

    /** Whether another router's advertisement keeps the answer silent now. */
    public synchronized boolean standingDown() {
        return clock.instant().isBefore(standDownUntil);
    }

    /** Solicitations waiting for a second look now. */
    public synchronized int pendingRechecks() {
        return pending;
    }

    /** Advertisements of other routers seen since start. */
    public synchronized long foreignAdvertisements() {
        return foreignAdvertisements;
    }

    private static NdpDecision silence(NdpDecision.Reason r, MacAddress mac) {
        return new NdpDecision.Silence(r, Optional.ofNullable(mac));
    }
}

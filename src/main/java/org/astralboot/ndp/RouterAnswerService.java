package org.astralboot.ndp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.events.BootEvent;
import org.astralboot.events.Events;
import org.astralboot.ndp.codec.NdpCodec;
import org.astralboot.ndp.codec.RouterAdvertisement;
import org.astralboot.ndp.codec.RouterSolicitation;
import org.astralboot.ndp.engine.NdpDecision;
import org.astralboot.ndp.engine.RaContent;
import org.astralboot.ndp.engine.RouterAnswerEngine;
import org.astralboot.net.Ipv6;
import org.astralboot.server.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router-advertisement answer's transport (issue 16): an ICMPv6 raw socket on the configured
 * interface ({@link RawIcmp6Socket}), a thread that receives router solicitations and other
 * routers' advertisements and asks the {@link RouterAnswerEngine}, and a second one that sends the
 * answers after their random delay, from the interface's link-local address (the kernel chooses it
 * for a link-local destination) to the soliciting machine's link-local address.
 *
 * <p>It never stops the server: when the socket cannot be opened (no CAP_NET_RAW, no IPv6, an
 * unknown interface) it logs why and what that costs, and the other services run on without it.
 * While the interface has no usable link-local address yet (just up, address still tentative),
 * solicitations are left unanswered: iPXE repeats them, and a later one is answered.
 */
public final class RouterAnswerService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(RouterAnswerService.class);
    /** How long one wait for a packet lasts, so that {@link #close()} is noticed. */
    static final int POLL_MILLIS = 200;

    private final String iface;
    private final RouterAnswerEngine engine;
    private final Events events;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile RawIcmp6Socket socket;
    private volatile ScheduledExecutorService sender;
    private volatile Thread receiver;
    private volatile boolean closed;
    private volatile boolean running;
    private boolean waitingForLinkLocalLogged;
    private boolean standingDown;

    /**
     * @param iface  the interface machines boot on ({@code interface})
     * @param engine who gets an answer
     * @param events where each advertisement sent is reported
     */
    public RouterAnswerService(String iface, RouterAnswerEngine engine, Events events) {
        this.iface = iface;
        this.engine = engine;
        this.events = events;
    }

    /**
     * The service for {@code cfg}'s interface with the default timings, reading the booting
     * machines from {@code booting} (which DHCP and DHCPv6 fill). With {@code [ipv6] dhcp} on, the
     * answer carries the M/O flags and the on-link prefix of {@code [ipv6] address} ({@link RaContent}),
     * its length as the interface has it.
     */
    public static RouterAnswerService of(org.astralboot.config.Config cfg, org.astralboot.net.RecentBoots booting,
            Events events) {
        org.astralboot.net.MacAddress mac = null;
        int prefixLength = RaContent.SLAAC_LENGTH;
        try {
            NetworkInterface ni = NetworkInterface.getByName(cfg.iface());
            byte[] hw = ni == null ? null : ni.getHardwareAddress();
            mac = hw != null && hw.length == 6 ? org.astralboot.net.MacAddress.of(hw, 0) : null;
            if (ni != null && cfg.dhcp6().address() != null) {
                prefixLength = prefixLength(ni, cfg.dhcp6().address());
            }
        } catch (SocketException e) {
            // no source link-layer address option then; start() reports an unusable interface
        }
        RaContent content = content(cfg.dhcp6(), prefixLength);
        org.astralboot.ndp.engine.NdpSettings settings = org.astralboot.ndp.engine.NdpSettings.defaults(
                cfg.ipv6().answerRs(), mac, content);
        return new RouterAnswerService(cfg.iface(), new RouterAnswerEngine(settings, booting,
                java.time.Clock.systemUTC(), new java.security.SecureRandom()), events);
    }

    /** What the answer carries for {@code [ipv6]}: nothing without DHCPv6, else the flags and the prefix. */
    static RaContent content(org.astralboot.config.Config.Dhcp6 v6, int prefixLength) {
        if (!v6.on() || v6.address() == null) {
            return RaContent.NONE;
        }
        RaContent c = v6.mode() == org.astralboot.config.Config.Dhcp6Mode.FULL
                ? RaContent.full(v6.address(), prefixLength)
                : RaContent.stateless(v6.address(), prefixLength);
        for (Inet6Address a : java.util.Arrays.asList(v6.rangeStart(), v6.rangeEnd())) {
            if (v6.mode() == org.astralboot.config.Config.Dhcp6Mode.FULL && a != null && !c.prefix().contains(a)) {
                LOG.warn("ndp: [ipv6] pool address {} is outside the on-link prefix {} the router advertisement"
                        + " names: machines given it may not reach the server", Ipv6.text(a), c.prefix());
            }
        }
        if (v6.mode() == org.astralboot.config.Config.Dhcp6Mode.STATELESS && !c.prefix().autonomous()) {
            LOG.warn("ndp: [ipv6] dhcp = \"stateless\" but the prefix of {} is a /{}, not a /64: machines cannot form"
                    + " their own address in it (RFC 4862 §5.5.3), so they have no global IPv6 address",
                    Ipv6.text(v6.address()), prefixLength);
        }
        return c;
    }

    /** The prefix length the interface has {@code address} with; 64 when it is not found there. */
    static int prefixLength(NetworkInterface ni, Inet6Address address) {
        for (java.net.InterfaceAddress ia : ni.getInterfaceAddresses()) {
            if (java.util.Arrays.equals(ia.getAddress().getAddress(), address.getAddress())) {
                return ia.getNetworkPrefixLength();
            }
        }
        return RaContent.SLAAC_LENGTH;
    }

    @Override
    public String name() {
        return "ndp";
    }

    /** Whether the socket is open and solicitations are being answered. */
    public boolean running() {
        return running;
    }

    /**
     * Solicitations and advertisements by outcome since start: {@code answered}, each
     * {@link NdpDecision.Reason} in lower case, {@code recheck} (each second look at a solicitation
     * from a machine not booting yet), {@code no_link_local}, {@code malformed},
     * {@code foreign_advertisement}, {@code send_failed}.
     */
    public Map<String, Long> counts() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    @Override
    public void start() {
        if (!engine.settings().answerRs()) {
            LOG.info("ndp: router solicitations are not answered ([ipv6] answer_rs = false): iPXE waits about 16 s"
                    + " for an IPv6 router on each boot unless the segment has one");
            return;
        }
        int ifindex;
        try {
            NetworkInterface ni = NetworkInterface.getByName(iface);
            if (ni == null) {
                throw new IOException("no interface " + iface);
            }
            ifindex = ni.getIndex();
            socket = RawIcmp6Socket.open(iface, ifindex);
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.error("ndp: cannot answer IPv6 router solicitations on {}: {}. The other services run on; iPXE"
                    + " will wait about 16 s for an IPv6 router on each boot (set [ipv6] answer_rs = false to"
                    + " silence this)", iface, e.getMessage() != null ? e.getMessage() : e.toString());
            return;
        }
        sender = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("ndp-send").daemon().factory());
        running = true;
        receiver = Thread.ofPlatform().name("ndp").daemon().start(this::loop);
        LOG.info("ndp: answering router solicitations of network-booting machines on {} ({}), standing down while"
                + " another router advertises", iface,
                engine.settings().content().advertisement(null).summary());
    }

    private void loop() {
        RawIcmp6Socket s = socket;
        while (!closed) {
            try {
                RawIcmp6Socket.Received r = s.receive(POLL_MILLIS);
                noteStandDownEnd();
                if (r != null) {
                    handle(r);
                }
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                LOG.warn("ndp: receive on {}: {}", iface, e.getMessage());
                sleep(1000);
            } catch (RuntimeException e) {
                LOG.error("ndp: a packet could not be handled", e);
            }
        }
    }

    private void handle(RawIcmp6Socket.Received r) {
        switch (NdpCodec.decode(r.icmp(), r.icmp().length, r.source(), r.hopLimit())) {
            case NdpCodec.Malformed m -> {
                count("malformed");
                LOG.debug("ndp: from {}: {}", Ipv6.text(r.source()), m.why());
            }
            case NdpCodec.Ignored i -> count("ignored");
            case NdpCodec.Decoded d -> {
                switch (d.message()) {
                    case RouterSolicitation rs -> solicited(rs, r.source());
                    case RouterAdvertisement ra -> advertised(ra, r.source());
                }
            }
        }
    }

    private void solicited(RouterSolicitation rs, Inet6Address source) {
        solicited(rs, source, 0);
    }

    /** {@code attempt}: 0 when it just arrived, n for the n-th second look ({@link NdpDecision.Recheck}). */
    private void solicited(RouterSolicitation rs, Inet6Address source, int attempt) {
        List<Inet6Address> own = InterfaceAddresses.usableLinkLocal(iface);
        if (own.contains(source)) {
            count("own");
            return; // this host's own solicitation, looped back
        }
        if (own.isEmpty()) {
            count("no_link_local");
            if (!waitingForLinkLocalLogged) {
                waitingForLinkLocalLogged = true;
                LOG.info("ndp: {} has no usable link-local address yet (still tentative?): router solicitations wait"
                        + " for one", iface);
            }
            return;
        }
        NdpDecision decision = engine.solicited(rs, source, attempt);
        switch (decision) {
            case NdpDecision.Recheck r -> {
                count("recheck");
                LOG.debug("ndp: router solicitation from {} ({}), not booting yet: looking again in {} ms",
                        Ipv6.text(source), r.mac(), r.after().toMillis());
                sender.schedule(() -> recheck(rs, source, r.attempt()), r.after().toMillis(), TimeUnit.MILLISECONDS);
            }
            case NdpDecision.Silence s -> {
                count(s.reason().name().toLowerCase(Locale.ROOT));
                LOG.debug("ndp: router solicitation from {} ({}) not answered: {}", Ipv6.text(source),
                        s.mac().map(Object::toString).orElse("MAC unknown"), s.reason());
            }
            case NdpDecision.Answer a -> sender.schedule(() -> send(a, attempt), a.delay().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void recheck(RouterSolicitation rs, Inet6Address source, int attempt) {
        try {
            solicited(rs, source, attempt);
        } catch (RuntimeException e) {
            LOG.error("ndp: a router solicitation could not be looked at again", e);
        }
    }

    /** {@code attempt}: which look at the solicitation answered it (0: the first). */
    private void send(NdpDecision.Answer a, int attempt) {
        try {
            socket.send(NdpCodec.encode(a.advertisement()), a.to());
            count("answered");
            String what = a.advertisement().summary();
            LOG.info("ndp: router advertisement ({}) to {} ({}){}{}", what, a.mac(), Ipv6.text(a.to()),
                    a.advertisement().managed() || a.advertisement().other() ? ": it asks DHCPv6 next"
                            : ": its IPv6 configuration is done", attempt > 0 ? " (second look)" : "");
            events.emit(BootEvent.of(BootEvent.Kind.NDP_ROUTER_ADVERTISEMENT, a.mac().toString(), "", "",
                    "router advertisement to " + Ipv6.text(a.to()) + " (" + what + ")"));
        } catch (IOException | RuntimeException e) {
            count("send_failed");
            if (!closed) {
                LOG.warn("ndp: router advertisement to {} ({}) not sent: {}", a.mac(), Ipv6.text(a.to()),
                        e.getMessage());
            }
        }
    }

    private void advertised(RouterAdvertisement ra, Inet6Address source) {
        count("foreign_advertisement");
        if (engine.advertised(ra, source)) {
            standingDown = true;
            LOG.warn("ndp: another IPv6 router advertises on {} ({}, router lifetime {} s, {} prefix(es), M={} O={}):"
                    + " Astralboot does not answer router solicitations while it does", iface, Ipv6.text(source),
                    ra.routerLifetime(), ra.prefixes(), ra.managed() ? 1 : 0, ra.other() ? 1 : 0);
        }
    }

    private void noteStandDownEnd() {
        if (standingDown && !engine.standingDown()) {
            standingDown = false;
            LOG.info("ndp: no other router has advertised on {} for a while: answering router solicitations again",
                    iface);
        }
    }

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        running = false;
        Thread t = receiver;
        if (t != null) {
            try {
                t.join(2L * POLL_MILLIS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ScheduledExecutorService x = sender;
        if (x != null) {
            x.shutdownNow();
        }
        RawIcmp6Socket s = socket;
        if (s != null) {
            s.close();
        }
    }
}

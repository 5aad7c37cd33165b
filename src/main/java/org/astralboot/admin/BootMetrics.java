package org.astralboot.admin;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.events.Events;

/**
 * The server's Prometheus metrics ({@code /metrics} of the admin listener), counted from the boot
 * events and the request reports the services send ({@link Events}), plus gauges read at scrape
 * time from the parts that hold the figures (lease pool, blob cache, quirk counters).
 *
 * <p>Cheap on the hot paths: the DHCP packet counters and the TFTP error counters are bound to
 * their label values once, here, so counting a packet is one striped-adder increment (no label
 * lookup, no allocation, no lock); the lease commit histogram is observed once per group commit.
 * No exemplars: they come from an OpenTelemetry span, and this server has none, so the sampler
 * would only look for one on every increment (and load its classes on the first: ~20 ms, on the
 * first DHCP answer after start).
 *
 * <p>Names follow the Prometheus conventions (base units, {@code _total} on counters, added by
 * the text writer); they are listed in {@link #NAMES} and in {@code docs/operator.md}.
 *
 * <p>A boot starts at a machine's DHCP DISCOVER or DHCPv6 Solicit (or its first step over TFTP or HTTP when no boot
 * of it is in progress) and completes when its initrd has been sent after its kernel: from then
 * on the machine runs its kernel and no longer needs this server.
 */
public final class BootMetrics implements Events {
    /** Every metric family this class exposes, as written (counters with {@code _total}). */
    public static final java.util.List<String> NAMES = java.util.List.of(
            "astralboot_dhcp_packets_total",
            "astralboot_dhcp_malformed_total",
            "astralboot_dhcp_leases",
            "astralboot_dhcp_shed_discovers_total",
            "astralboot_dhcp_commit_seconds",
            "astralboot_dhcp6_packets_total",
            "astralboot_dhcp6_unanswered_total",
            "astralboot_dhcp6_refusals_total",
            "astralboot_dhcp6_commit_seconds",
            "astralboot_dhcp6_bindings",
            "astralboot_tftp_transfers_active",
            "astralboot_tftp_transfers_total",
            "astralboot_tftp_errors_total",
            "astralboot_tftp_retransmissions_total",
            "astralboot_tftp_bytes_total",
            "astralboot_http_requests_total",
            "astralboot_http_bytes_total",
            "astralboot_boots_started_total",
            "astralboot_boots_completed_total",
            "astralboot_boots_running_total",
            "astralboot_boot_duration_seconds",
            "astralboot_boot_errors_total",
            "astralboot_ipfs_fetches_total",
            "astralboot_ipfs_cache_hits_total",
            "astralboot_ipfs_cache_misses_total",
            "astralboot_ipfs_cache_evictions_total",
            "astralboot_ipfs_verification_failures_total",
            "astralboot_ipfs_cache_corruptions_total",
            "astralboot_ipfs_cache_bytes",
            "astralboot_ipfs_cache_limit_bytes",
            "astralboot_ipfs_node_up",
            "astralboot_quirks_total",
            "astralboot_ndp_router_solicitations_total");

    /** Boots in progress tracked at most (oldest forgotten): memory stays bounded. */
    static final int MAX_OPEN_BOOTS = 10_000;
    /** DHCP message types (RFC 2132 §9.6) by code, as the {@code type} label writes them. */
    private static final String[] DHCP_TYPES = {null, "discover", "offer", "request", "decline", "ack", "nak",
        "release", "inform"};
    /** DHCPv6 message types (RFC 8415 §7.3) by code, as the {@code type} label writes them. */
    private static final String[] DHCP6_TYPES = {null, "solicit", "advertise", "request", "confirm", "renew", "rebind",
        "reply", "release", "decline", "reconfigure", "information_request", "relay_forw", "relay_repl"};
    /** DHCPv6 status codes (RFC 8415 §21.13) by code, as the {@code status} label writes them. */
    private static final String[] DHCP6_STATUS = {"success", "unspec_fail", "no_addrs_avail", "no_binding",
        "not_on_link", "use_multicast", "no_prefix_avail"};
    /** Upper bounds of the lease commit histogram: one fdatasync is 0.1-20 ms on most disks. */
    static final double[] COMMIT_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter dhcpPackets;
    /** Pre-bound {@code astralboot_dhcp_packets_total} series by message type code; null where none. */
    private final CounterDataPoint[] dhcpReceived = new CounterDataPoint[DHCP_TYPES.length];
    private final CounterDataPoint[] dhcpSent = new CounterDataPoint[DHCP_TYPES.length];
    private final CounterDataPoint dhcpProxyOffers;
    private final Histogram dhcpCommit;
    /** Pre-bound {@code astralboot_dhcp6_packets_total} series by message type code; null where none. */
    private final CounterDataPoint[] dhcp6Received = new CounterDataPoint[DHCP6_TYPES.length];
    private final CounterDataPoint[] dhcp6Sent = new CounterDataPoint[DHCP6_TYPES.length];
    private final Counter dhcp6Unanswered;
    private final Counter dhcp6Refusals;
    private final Histogram dhcp6Commit;
    private final Gauge tftpActive;
    private final Counter tftpTransfers;
    /** Pre-bound {@code astralboot_tftp_errors_total} by code 0-8; index 9: no ERROR exchanged. */
    private final CounterDataPoint[] tftpErrors = new CounterDataPoint[10];
    private final Counter tftpRetransmissions;
    private final Counter tftpBytes;
    private final Counter httpRequests;
    private final Counter httpBytes;
    private final Counter bootsStarted;
    private final Counter bootsCompleted;
    private final Counter bootsRunning;
    private final Histogram bootDuration;
    private final Counter bootErrors;
    /** MAC → the boot in progress; access-ordered so the oldest goes first. Guarded by itself. */
    private final Map<String, OpenBoot> open = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, OpenBoot> e) {
            return size() > MAX_OPEN_BOOTS;
        }
    };
    private volatile Supplier<LeaseCounts> leases = () -> null;
    private volatile Supplier<LeaseCounts> bindings6 = () -> null;
    private volatile Supplier<CacheCounts> cache = () -> null;
    private volatile Supplier<Map<String, Long>> quirks = Map::of;
    private volatile java.util.function.LongSupplier shed = () -> 0;
    private volatile java.util.function.LongSupplier malformed = () -> 0;
    private volatile String source = "menu";
    private volatile Supplier<Map<String, Long>> ndp = Map::of;

    private static final class OpenBoot {
        final Instant started;
        final String firmware;
        final String source;
        boolean kernel;
        boolean completed;

        OpenBoot(Instant started, String firmware, String source) {
            this.started = started;
            this.firmware = firmware;
            this.source = source;
        }
    }

    /** Lease pool figures at scrape time. */
    public record LeaseCounts(long pool, long bound, long free) {
    }

    /**
     * IPFS figures at scrape time (counters since start).
     *
     * @param fetches              files fetched from the node into the cache (downloads started)
     * @param corruptions          cache files found truncated or altered (removed, fetched again)
     * @param bytes                bytes of the complete files in the cache
     * @param hits                 reads served from a complete cache file
     * @param misses               reads of files not in the cache
     * @param evictions            cache files evicted to stay within the limit
     * @param verificationFailures blocks that did not verify against their CID (content refused)
     * @param limitBytes           the cache limit ({@code cache_max_bytes})
     * @param nodeUp               whether the IPFS node answered lately
     */
    public record CacheCounts(long fetches, long corruptions, long bytes, long hits, long misses, long evictions,
            long verificationFailures, long limitBytes, boolean nodeUp) {
    }

    public BootMetrics() {
        dhcpPackets = Counter.builder().withoutExemplars().name("astralboot_dhcp_packets")
                .help("DHCP messages by type, received from clients or sent to them")
                .labelNames("type", "outcome").register(registry);
        for (String t : List.of("discover", "request", "decline", "release", "inform")) {
            dhcpReceived[code(t)] = dhcpPackets.labelValues(t, "received");
        }
        for (String t : List.of("offer", "ack", "nak")) {
            dhcpSent[code(t)] = dhcpPackets.labelValues(t, "sent");
        }
        dhcpProxyOffers = dhcpPackets.labelValues("proxy_offer", "sent");
        dhcpCommit = Histogram.builder().withoutExemplars().name("astralboot_dhcp_commit_seconds")
                .help("Lease group commits: time to make a batch of lease changes durable before its replies go out")
                .classicOnly().classicUpperBounds(COMMIT_BUCKETS).register(registry);
        Counter packets6 = Counter.builder().withoutExemplars().name("astralboot_dhcp6_packets")
                .help("DHCPv6 messages by type, received from clients or sent to them (every client, booting or not)")
                .labelNames("type", "outcome").register(registry);
        for (String t : List.of("solicit", "request", "confirm", "renew", "rebind", "release", "decline",
                "information_request")) {
            dhcp6Received[code6(t)] = packets6.labelValues(t, "received");
        }
        for (String t : List.of("advertise", "reply")) {
            dhcp6Sent[code6(t)] = packets6.labelValues(t, "sent");
        }
        dhcp6Unanswered = Counter.builder().withoutExemplars().name("astralboot_dhcp6_unanswered")
                .help("DHCPv6 messages that got no reply, by reason (other_server, stateless_mode, invalid,"
                        + " not_client_message, unknown_link, malformed, unsupported, commit_failed, error)")
                .labelNames("reason").register(registry);
        dhcp6Refusals = Counter.builder().withoutExemplars().name("astralboot_dhcp6_refusals")
                .help("Status codes other than Success sent in DHCPv6 replies, by status (no_addrs_avail: the"
                        + " pool is exhausted; no_binding; not_on_link)")
                .labelNames("status").register(registry);
        dhcp6Commit = Histogram.builder().withoutExemplars().name("astralboot_dhcp6_commit_seconds")
                .help("DHCPv6 binding commits: time to make a Reply's binding changes durable before it goes out")
                .classicOnly().classicUpperBounds(COMMIT_BUCKETS).register(registry);
        tftpActive = Gauge.builder().name("astralboot_tftp_transfers_active")
                .help("TFTP transfers in progress").register(registry);
        tftpTransfers = Counter.builder().withoutExemplars().name("astralboot_tftp_transfers")
                .help("TFTP transfers started").register(registry);
        Counter errors = Counter.builder().withoutExemplars().name("astralboot_tftp_errors")
                .help("TFTP transfers and requests that ended in an error, by the TFTP error code sent or received"
                        + " (none: no ERROR was exchanged)")
                .labelNames("code").register(registry);
        for (int c = 0; c < tftpErrors.length; c++) {
            tftpErrors[c] = errors.labelValues(c < 9 ? Integer.toString(c) : "none");
        }
        tftpRetransmissions = Counter.builder().withoutExemplars().name("astralboot_tftp_retransmissions")
                .help("TFTP OACKs and windows resent after a timeout").register(registry);
        tftpBytes = Counter.builder().withoutExemplars().name("astralboot_tftp_bytes").unit(io.prometheus.metrics.model.snapshots.Unit.BYTES)
                .help("Bytes of files sent over TFTP").register(registry);
        httpRequests = Counter.builder().withoutExemplars().name("astralboot_http_requests")
                .help("HTTP requests of the boot service by route and status").labelNames("route", "status")
                .register(registry);
        httpBytes = Counter.builder().withoutExemplars().name("astralboot_http_bytes").unit(io.prometheus.metrics.model.snapshots.Unit.BYTES)
                .help("Response bytes of the boot service by route").labelNames("route").register(registry);
        bootsStarted = Counter.builder().withoutExemplars().name("astralboot_boots_started")
                .help("Boots started (a DHCP DISCOVER, or a first TFTP or HTTP step), by firmware and boot source")
                .labelNames("firmware", "source").register(registry);
        bootsCompleted = Counter.builder().withoutExemplars().name("astralboot_boots_completed")
                .help("Boots that got their kernel and initrd, by firmware and boot source")
                .labelNames("firmware", "source").register(registry);
        bootsRunning = Counter.builder().withoutExemplars().name("astralboot_boots_running")
                .help("Boots whose kernel was seen running after its initrd (its own DHCP client, a template"
                        + " fetch or the end hook), by firmware and boot source")
                .labelNames("firmware", "source").register(registry);
        bootDuration = Histogram.builder().withoutExemplars().name("astralboot_boot_duration_seconds")
                .help("From the start of a boot to its initrd sent").classicOnly()
                .classicUpperBounds(1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800).labelNames("firmware", "source")
                .register(registry);
        bootErrors = Counter.builder().withoutExemplars().name("astralboot_boot_errors")
                .help("Refusals and errors reported to machines, by event kind").labelNames("kind").register(registry);
        GaugeWithCallback.builder().name("astralboot_dhcp_leases")
                .help("Addresses of the lease pool: pool size, bound, free").labelNames("state")
                .callback(cb -> {
                    LeaseCounts l = leases.get();
                    if (l != null) {
                        cb.call(l.pool(), "pool");
                        cb.call(l.bound(), "bound");
                        cb.call(l.free(), "free");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("astralboot_dhcp6_bindings")
                .help("Addresses of the DHCPv6 pool (full mode): pool size, bound, free (neither bound nor declined)")
                .labelNames("state")
                .callback(cb -> {
                    LeaseCounts l = bindings6.get();
                    if (l != null) {
                        cb.call(l.pool(), "pool");
                        cb.call(l.bound(), "bound");
                        cb.call(l.free(), "free");
                    }
                }).register(registry);
        cacheCounter("astralboot_ipfs_fetches", "Files fetched from the IPFS node into the cache (shared downloads once)",
                CacheCounts::fetches);
        cacheCounter("astralboot_ipfs_cache_hits", "Reads served from a complete file of the IPFS cache",
                CacheCounts::hits);
        cacheCounter("astralboot_ipfs_cache_misses",
                "Reads of files not in the IPFS cache (a download started or joined, or a range from the node)",
                CacheCounts::misses);
        cacheCounter("astralboot_ipfs_cache_evictions",
                "Files evicted from the IPFS cache (least recently used) to stay within cache_max_bytes",
                CacheCounts::evictions);
        cacheCounter("astralboot_ipfs_verification_failures",
                "Content from the IPFS node or gateway refused because a block did not verify against its CID",
                CacheCounts::verificationFailures);
        cacheCounter("astralboot_ipfs_cache_corruptions", "Cache files found truncated or altered (fetched again)",
                CacheCounts::corruptions);
        GaugeWithCallback.builder().name("astralboot_ipfs_cache_bytes")
                .help("Bytes of the complete files in the IPFS cache")
                .callback(cb -> {
                    CacheCounts c = cache.get();
                    if (c != null) {
                        cb.call(c.bytes());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("astralboot_ipfs_cache_limit_bytes")
                .help("The IPFS cache's size limit (cache_max_bytes)")
                .callback(cb -> {
                    CacheCounts c = cache.get();
                    if (c != null) {
                        cb.call(c.limitBytes());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("astralboot_ipfs_node_up")
                .help("1 while the IPFS node answers, 0 after a failure to reach it (uncached files then fail at once)")
                .callback(cb -> {
                    CacheCounts c = cache.get();
                    if (c != null) {
                        cb.call(c.nodeUp() ? 1 : 0);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("astralboot_dhcp_shed_discovers")
                .help("DISCOVERs dropped unanswered because lease commits fell behind (dhcp.shed_backlog)")
                .callback(cb -> cb.call(shed.getAsLong())).register(registry);
        CounterWithCallback.builder().name("astralboot_dhcp_malformed")
                .help("DHCP datagrams dropped because they could not be decoded")
                .callback(cb -> cb.call(malformed.getAsLong())).register(registry);
        CounterWithCallback.builder().name("astralboot_quirks")
                .help("Client quirks tolerated, by quirk").labelNames("quirk")
                .callback(cb -> quirks.get().forEach((q, n) -> cb.call(n, q))).register(registry);
        CounterWithCallback.builder().name("astralboot_ndp_router_solicitations")
                .help("IPv6 router solicitations and advertisements received, by outcome (answered, not_booting,"
                        + " foreign_router, rate_limited, foreign_advertisement, ...)").labelNames("outcome")
                .callback(cb -> ndp.get().forEach((o, n) -> cb.call(n, o))).register(registry);
    }

    private void cacheCounter(String name, String help, java.util.function.ToLongFunction<CacheCounts> figure) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> {
                    CacheCounts c = cache.get();
                    if (c != null) {
                        cb.call(figure.applyAsLong(c));
                    }
                }).register(registry);
    }

    private static int code(String type) {
        return java.util.Arrays.asList(DHCP_TYPES).indexOf(type);
    }

    private static int code6(String type) {
        return java.util.Arrays.asList(DHCP6_TYPES).indexOf(type);
    }

    /** Where the lease pool gauge reads its figures (DHCP in server mode); null for none. */
    public void leases(Supplier<LeaseCounts> source) {
        leases = source;
    }

    /** Where the DHCPv6 pool gauge reads its figures (DHCPv6 in full mode); null for none. */
    public void bindings6(Supplier<LeaseCounts> source) {
        bindings6 = source;
    }

    /** Where the cache counters read their figures (IPFS boot store); null for none. */
    public void cache(Supplier<CacheCounts> source) {
        cache = source;
    }

    /** Where the quirk counters read their figures: quirk name → times tolerated. */
    public void quirks(Supplier<Map<String, Long>> source) {
        quirks = source;
    }

    /** Where the router-advertisement answer's counters come from, by outcome (issue 16). */
    public void ndp(Supplier<Map<String, Long>> source) {
        ndp = source;
    }

    /** Where the shed-DISCOVER counter reads its figure (DHCP in server mode). */
    public void shed(java.util.function.LongSupplier source) {
        shed = source;
    }

    /** Where the malformed-DHCP counter reads its figure. */
    public void malformed(java.util.function.LongSupplier source) {
        malformed = source;
    }

    /**
     * The boot source that decides this server's boots, the {@code source} label of the boot
     * counters: {@code menu} (the boot tree's OS menu), {@code api} (an external boot API) or
     * {@code static} (one kernel for every machine, {@code astralboot boot}).
     */
    public void source(String name) {
        source = java.util.Objects.requireNonNull(name, "source");
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Writes every metric in the Prometheus text format (version 0.0.4). */
    public void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }

    /** The content type of {@link #write}. */
    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /**
     * A DHCP message of a client that is not network-booting (or a DECLINE or INFORM): counted like
     * a boot's, no event. One increment of a pre-bound series: no allocation, no lock.
     */
    @Override
    public void dhcpPacket(int type, boolean received, long mac) {
        CounterDataPoint[] by = received ? dhcpReceived : dhcpSent;
        if (type > 0 && type < by.length && by[type] != null) {
            by[type].inc();
        }
    }

    @Override
    public void dhcpCommit(long nanos, int leases) {
        dhcpCommit.observe(nanos / 1e9);
    }

    /**
     * A DHCPv6 message, booting client or not: every one is counted here (the DHCPv6 boot events
     * count nothing, unlike DHCPv4's). One increment of a pre-bound series.
     */
    @Override
    public void dhcp6Packet(int type, boolean received, long mac, boolean booting) {
        CounterDataPoint[] by = received ? dhcp6Received : dhcp6Sent;
        if (type > 0 && type < by.length && by[type] != null) {
            by[type].inc();
        }
    }

    @Override
    public void dhcp6Unanswered(String reason) {
        dhcp6Unanswered.labelValues(reason).inc();
    }

    @Override
    public void dhcp6Refused(int status) {
        dhcp6Refusals.labelValues(status >= 0 && status < DHCP6_STATUS.length ? DHCP6_STATUS[status]
                : "status_" + status).inc();
    }

    @Override
    public void dhcp6Commit(long nanos, int bindings) {
        dhcp6Commit.observe(nanos / 1e9);
    }

    @Override
    public void tftpRetransmit() {
        tftpRetransmissions.inc();
    }

    @Override
    public void tftpError(int code) {
        tftpErrors[code >= 0 && code < 9 ? code : 9].inc();
    }

    @Override
    public void request(String route, int status, long bytes) {
        httpRequests.labelValues(route, Integer.toString(status)).inc();
        if (bytes > 0) {
            httpBytes.labelValues(route).inc(bytes);
        }
    }

    @Override
    public void tftpActive(int delta) {
        tftpActive.inc(delta);
    }

    @Override
    public void emit(BootEvent e) {
        Kind k = e.kind();
        switch (k) {
            case DHCP_DISCOVER -> dhcpReceived[1].inc();
            case DHCP_REQUEST -> dhcpReceived[3].inc();
            case DHCP_RELEASE -> dhcpReceived[7].inc();
            case DHCP_OFFER -> dhcpSent[2].inc();
            case DHCP_PROXY_OFFER -> dhcpProxyOffers.inc();
            case DHCP_ACK -> dhcpSent[5].inc();
            case DHCP_NAK -> dhcpSent[6].inc();
            case TFTP_START -> tftpTransfers.inc();
            case TFTP_END, TFTP_ERROR -> tftpBytes.inc(Math.max(0, e.bytes()));
            default -> { }
        }
        if (e.failure()) {
            bootErrors.labelValues(k.name().toLowerCase(Locale.ROOT)).inc();
        }
        boots(e);
    }

    /** Boot start, completion, kernel running and duration from one machine's events. */
    private void boots(BootEvent e) {
        if (e.mac().isEmpty()) {
            return;
        }
        Kind k = e.kind();
        synchronized (open) {
            OpenBoot b = open.get(e.mac());
            // A Solicit starts a boot over IPv6 as a DISCOVER does over IPv4.
            boolean starts = k == Kind.DHCP_DISCOVER || k == Kind.DHCP6_SOLICIT
                    ? b == null || b.kernel || Duration.between(b.started, e.time()).toSeconds() > 60
                    : b == null && (k == Kind.TFTP_START || k == Kind.HTTP_ENTRY || k == Kind.HTTP_START);
            if (starts) {
                // A DISCOVER while a boot is on its way (retries of the same firmware) is the same boot.
                b = new OpenBoot(e.time(), e.firmware(), source);
                open.put(e.mac(), b);
                bootsStarted.labelValues(label(e.firmware()), b.source).inc();
                return;
            }
            if (b == null) {
                return;
            }
            String fw = label(b.firmware.isEmpty() ? e.firmware() : b.firmware);
            if (k == Kind.HTTP_KERNEL && !b.completed) {
                b.kernel = true;
            } else if (k == Kind.HTTP_INITRD && b.kernel && !b.completed) {
                // Kept until the kernel is seen running, or the next boot's DISCOVER.
                b.completed = true;
                bootsCompleted.labelValues(fw, b.source).inc();
                bootDuration.labelValues(fw, b.source)
                        .observe(Math.max(0, Duration.between(b.started, e.time()).toMillis()) / 1000.0);
            } else if (b.completed && (k.step() == BootEvent.Step.RUNNING || k.step() == BootEvent.Step.INSTALLED)) {
                bootsRunning.labelValues(fw, b.source).inc();
                open.remove(e.mac());
            }
        }
    }

    private static String label(String firmware) {
        return firmware.isEmpty() ? "unknown" : firmware;
    }
}

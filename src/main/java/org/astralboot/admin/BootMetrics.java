package org.astralboot.admin;

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
 * <p>Names follow the Prometheus conventions (base units, {@code _total} on counters, added by
 * the text writer); they are listed in {@link #NAMES} and in {@code docs/operator.md}.
 *
 * <p>A boot starts at a machine's DHCP DISCOVER (or its first step over TFTP or HTTP when no boot
 * of it is in progress) and completes when its initrd has been sent after its kernel: from then
 * on the machine runs its kernel and no longer needs this server.
 */
public final class BootMetrics implements Events {
    /** Every metric family this class exposes, as written (counters with {@code _total}). */
    public static final java.util.List<String> NAMES = java.util.List.of(
            "astralboot_dhcp_packets_total",
            "astralboot_dhcp_leases",
            "astralboot_dhcp_shed_discovers_total",
            "astralboot_tftp_transfers_active",
            "astralboot_tftp_transfers_total",
            "astralboot_tftp_errors_total",
            "astralboot_tftp_bytes_total",
            "astralboot_http_requests_total",
            "astralboot_http_bytes_total",
            "astralboot_boots_started_total",
            "astralboot_boots_completed_total",
            "astralboot_boot_duration_seconds",
            "astralboot_boot_errors_total",
            "astralboot_ipfs_fetches_total",
            "astralboot_ipfs_cache_corruptions_total",
            "astralboot_ipfs_cache_bytes",
            "astralboot_quirks_total",
            "astralboot_ndp_router_solicitations_total");

    /** Boots in progress tracked at most (oldest forgotten): memory stays bounded. */
    static final int MAX_OPEN_BOOTS = 10_000;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter dhcpPackets;
    private final Gauge tftpActive;
    private final Counter tftpTransfers;
    private final Counter tftpErrors;
    private final Counter tftpBytes;
    private final Counter httpRequests;
    private final Counter httpBytes;
    private final Counter bootsStarted;
    private final Counter bootsCompleted;
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
    private volatile Supplier<CacheCounts> cache = () -> null;
    private volatile Supplier<Map<String, Long>> quirks = Map::of;
    private volatile java.util.function.LongSupplier shed = () -> 0;
    private volatile Supplier<Map<String, Long>> ndp = Map::of;

    private static final class OpenBoot {
        final Instant started;
        final String firmware;
        boolean kernel;

        OpenBoot(Instant started, String firmware) {
            this.started = started;
            this.firmware = firmware;
        }
    }

    /** Lease pool figures at scrape time. */
    public record LeaseCounts(long pool, long bound, long free) {
    }

    /**
     * IPFS figures at scrape time (counters since start): files fetched from the node (cache
     * misses), and cache files found truncated or altered.
     */
    public record CacheCounts(long fetches, long corruptions, long bytes) {
    }

    public BootMetrics() {
        dhcpPackets = Counter.builder().name("astralboot_dhcp_packets")
                .help("DHCP messages by type, received from clients or sent to them")
                .labelNames("type", "outcome").register(registry);
        tftpActive = Gauge.builder().name("astralboot_tftp_transfers_active")
                .help("TFTP transfers in progress").register(registry);
        tftpTransfers = Counter.builder().name("astralboot_tftp_transfers")
                .help("TFTP transfers started").register(registry);
        tftpErrors = Counter.builder().name("astralboot_tftp_errors")
                .help("TFTP transfers that ended with an error").register(registry);
        tftpBytes = Counter.builder().name("astralboot_tftp_bytes").unit(io.prometheus.metrics.model.snapshots.Unit.BYTES)
                .help("Bytes of files sent over TFTP").register(registry);
        httpRequests = Counter.builder().name("astralboot_http_requests")
                .help("HTTP requests of the boot service by route and status").labelNames("route", "status")
                .register(registry);
        httpBytes = Counter.builder().name("astralboot_http_bytes").unit(io.prometheus.metrics.model.snapshots.Unit.BYTES)
                .help("Response bytes of the boot service by route").labelNames("route").register(registry);
        bootsStarted = Counter.builder().name("astralboot_boots_started")
                .help("Boots started (a DHCP DISCOVER, or a first TFTP or HTTP step)").labelNames("firmware")
                .register(registry);
        bootsCompleted = Counter.builder().name("astralboot_boots_completed")
                .help("Boots that got their kernel and initrd").labelNames("firmware").register(registry);
        bootDuration = Histogram.builder().name("astralboot_boot_duration_seconds")
                .help("From the start of a boot to its initrd sent").classicOnly()
                .classicUpperBounds(1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800).labelNames("firmware")
                .register(registry);
        bootErrors = Counter.builder().name("astralboot_boot_errors")
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
        CounterWithCallback.builder().name("astralboot_ipfs_fetches")
                .help("Files fetched from the IPFS node into the cache (cache misses)")
                .callback(cb -> {
                    CacheCounts c = cache.get();
                    if (c != null) {
                        cb.call(c.fetches());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("astralboot_ipfs_cache_corruptions")
                .help("Cache files found truncated or altered (fetched again)")
                .callback(cb -> {
                    CacheCounts c = cache.get();
                    if (c != null) {
                        cb.call(c.corruptions());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("astralboot_ipfs_cache_bytes")
                .help("Bytes of the complete files in the IPFS cache")
                .callback(cb -> {
                    CacheCounts c = cache.get();
                    if (c != null) {
                        cb.call(c.bytes());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("astralboot_dhcp_shed_discovers")
                .help("DISCOVERs dropped unanswered because lease commits fell behind (dhcp.shed_backlog)")
                .callback(cb -> cb.call(shed.getAsLong())).register(registry);
        CounterWithCallback.builder().name("astralboot_quirks")
                .help("Client quirks tolerated, by quirk").labelNames("quirk")
                .callback(cb -> quirks.get().forEach((q, n) -> cb.call(n, q))).register(registry);
        CounterWithCallback.builder().name("astralboot_ndp_router_solicitations")
                .help("IPv6 router solicitations and advertisements received, by outcome (answered, not_booting,"
                        + " foreign_router, rate_limited, foreign_advertisement, ...)").labelNames("outcome")
                .callback(cb -> ndp.get().forEach((o, n) -> cb.call(n, o))).register(registry);
    }

    /** Where the lease pool gauge reads its figures (DHCP in server mode); null for none. */
    public void leases(Supplier<LeaseCounts> source) {
        leases = source;
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

    /** A DHCP message of a client that is not network-booting: counted like a boot's, no event. */
    public void dhcpPacket(String type, boolean received) {
        dhcpPackets.labelValues(type, received ? "received" : "sent").inc();
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
            case DHCP_DISCOVER, DHCP_REQUEST, DHCP_RELEASE -> dhcpPackets.labelValues(type(k), "received").inc();
            case DHCP_OFFER, DHCP_PROXY_OFFER, DHCP_ACK, DHCP_NAK -> dhcpPackets.labelValues(type(k), "sent").inc();
            case TFTP_START -> tftpTransfers.inc();
            case TFTP_END -> tftpBytes.inc(Math.max(0, e.bytes()));
            case TFTP_ERROR -> {
                tftpErrors.inc();
                tftpBytes.inc(Math.max(0, e.bytes()));
            }
            default -> { }
        }
        if (e.failure()) {
            bootErrors.labelValues(k.name().toLowerCase(Locale.ROOT)).inc();
        }
        boots(e);
    }

    private static String type(Kind k) {
        return k.name().substring("DHCP_".length()).toLowerCase(Locale.ROOT);
    }

    /** Boot start, completion and duration from one machine's events. */
    private void boots(BootEvent e) {
        if (e.mac().isEmpty()) {
            return;
        }
        Kind k = e.kind();
        synchronized (open) {
            OpenBoot b = open.get(e.mac());
            boolean starts = k == Kind.DHCP_DISCOVER
                    ? b == null || b.kernel || Duration.between(b.started, e.time()).toSeconds() > 60
                    : b == null && (k == Kind.TFTP_START || k == Kind.HTTP_ENTRY || k == Kind.HTTP_START);
            if (starts) {
                // A DISCOVER while a boot is on its way (retries of the same firmware) is the same boot.
                b = new OpenBoot(e.time(), e.firmware());
                open.put(e.mac(), b);
                bootsStarted.labelValues(label(e.firmware())).inc();
                return;
            }
            if (b == null) {
                return;
            }
            if (k == Kind.HTTP_KERNEL) {
                b.kernel = true;
            } else if (k == Kind.HTTP_INITRD && b.kernel) {
                open.remove(e.mac());
                String fw = label(b.firmware.isEmpty() ? e.firmware() : b.firmware);
                bootsCompleted.labelValues(fw).inc();
                bootDuration.labelValues(fw).observe(Math.max(0, Duration.between(b.started, e.time()).toMillis()) / 1000.0);
            }
        }
    }

    private static String label(String firmware) {
        return firmware.isEmpty() ? "unknown" : firmware;
    }
}

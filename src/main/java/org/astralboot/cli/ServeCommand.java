package org.astralboot.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigException;
import org.astralboot.config.ConfigLoader;
import org.astralboot.config.ConfigWriter;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseDamagedException;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.server.Service;
import org.astralboot.store.BootStore;
import org.astralboot.store.LocalBootStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;

/**
 * Runs the server: loads the config, opens the database and the boot tree, starts DHCP, TFTP and
 * HTTP, logs {@code Astralboot ready}, and stops all of them cleanly on SIGTERM or SIGINT.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve DHCP, TFTP and HTTP (the default).")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger SUMMARY = LoggerFactory.getLogger(Logging.SUMMARY);

    @Mixin
    ServeOptions options = new ServeOptions();

    public ServeCommand() {
    }

    ServeCommand(ServeOptions options) {
        this.options = options;
    }

    @Override
    public Integer call() throws Exception {
        Logging.configure(options.verbosity());
        PrintStream err = System.err;
        if (!Files.exists(options.common.file())) {
            Console console = System.console();
            if (console == null) {
                err.println("astralboot: no config file " + options.common.file() + ". Run 'astralboot setup -c "
                        + options.common.file() + "' or copy config.toml.dist to " + options.common.file() + " and edit it.");
                return ExitCode.CONFIG;
            }
            err.println("No config file " + options.common.file() + ": starting the first-run setup.");
            int rc = new SetupCommand(options.common.file()).call();
            if (rc != 0 || !Files.exists(options.common.file())) {
                return rc == 0 ? ExitCode.CONFIG : rc;
            }
        }
        Config cfg;
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.load(options.common.file(), ConfigLoader.Network.REQUIRED);
            loaded.warnings().forEach(w -> SUMMARY.warn("{}: {}", options.common.file(), w));
            cfg = loaded.config();
        } catch (ConfigException e) {
            err.println("astralboot: " + e.getMessage());
            return ExitCode.CONFIG;
        }
        boolean local = options.local || !cfg.ipfs();
        if (options.verbosity() >= 1) {
            System.out.println("-- Implied Config Start --");
            System.out.print(ConfigWriter.toToml(cfg));
            System.out.println("-- Implied Config Finish --");
            System.out.flush();
        }
        if (options.api != null) {
            String scheme = options.api.getScheme();
            if (options.api.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                err.println("astralboot: --api " + options.api + " is not an http:// or https:// URL");
                return ExitCode.CONFIG;
            }
            cfg = cfg.withApi(cfg.api().withUrl(options.api)); // --api URL: [api] url for this run
        }
        BootSourceWiring.Factory source = BootSourceWiring.TREE;
        if (cfg.api().on()) {
            Config.Api a = cfg.api();
            source = BootSourceWiring.api(new org.astralboot.boot.api.ApiPolicy.Settings(a.url(), a.timeout(),
                    a.cacheTtl(), a.fallbackMenu()));
            SUMMARY.info("API mode: {}/v1/boot/<mac> (timeout {} s, answers kept {} s{})",
                    a.url().toString().replaceAll("/+$", ""),
                    a.timeout().toMillis() / 1000.0, a.cacheTtl().toSeconds(), a.fallbackMenu() ? ", fallback menu" : "");
        }
        return serve(cfg, local, source);
    }

    /** Runs the services with {@code source} deciding what machines boot, until SIGTERM or SIGINT. */
    static int serve(Config loaded, boolean local, BootSourceWiring.Factory source) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());

        Config cfg = loaded;
        if (loaded.dhcp6().on()) {
            try {
                cfg = loaded.withDhcp6(loaded.dhcp6().withAddress(ipv6Address(loaded)));
            } catch (IOException e) {
                SUMMARY.error("{}", e.getMessage());
                return ExitCode.CONFIG;
            }
        }
        return serveResolved(cfg, local, source, stop);
    }

    private static int serveResolved(Config cfg, boolean local, BootSourceWiring.Factory source, CountDownLatch stop)
            throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            Database db = Database.open(cfg.database());
            open.add(db);
            BootStore store = openStore(cfg, local, db);
            open.add(store);
            if (store instanceof org.astralboot.ipfs.IpfsBootStore ipfs) {
                Signal.handle(new Signal("HUP"), s -> ipfs.reloadLogged()); // refs.toml and /ipns/ names again
                if (hangupIgnored()) {
                    // The JVM leaves a signal alone that was ignored when it started (nohup does that).
                    SUMMARY.warn("SIGHUP is ignored in this process (started under nohup?): kill -HUP will not reload"
                            + " refs.toml; restart to reload, or start it without nohup");
                }
            }
            BootSourceWiring wired = source.open(cfg, db);
            HostLookup hosts = HostLookup.NONE;
            List<Service> services = new ArrayList<>();
            // Boot events and metrics for the admin listener; the services only see the Events sink.
            org.astralboot.admin.BootWatch watch = new org.astralboot.admin.BootWatch(
                    org.astralboot.admin.BootWatch.DEFAULT_CAPACITY);
            // Service wiring: one line per protocol.
            org.astralboot.dhcp.DhcpService dhcp = null;
            org.astralboot.dhcp6.Dhcp6Service dhcp6 = null;
            org.astralboot.ndp.RouterAnswerService ndp = null;
            // DHCP and DHCPv6 note the machines booting now; the router-advertisement answer serves only them.
            org.astralboot.net.RecentBoots booting = new org.astralboot.net.RecentBoots(
                    org.astralboot.ndp.engine.NdpSettings.BOOTING_WINDOW.toMillis());
            // A lease store that cannot commit stops the process (issue 11): no OFFER or ACK could be durable.
            java.util.concurrent.atomic.AtomicReference<String> broken = new java.util.concurrent.atomic.AtomicReference<>();
            if (cfg.dhcp().mode() != Config.DhcpMode.OFF) {
                dhcp = new org.astralboot.dhcp.DhcpService(cfg, db, watch).gate(wired.gate()).booting(booting)
                        .onStoreFailure(storeFailure(cfg.database(), broken, stop, System.err));
                hosts = dhcp.hosts();
                services.add(dhcp);
            }
            if (cfg.dhcp6().on()) {
                dhcp6 = new org.astralboot.dhcp6.Dhcp6Service(cfg, db, watch).booting(booting)
                        .onStoreFailure(storeFailure(cfg.database(), broken, stop, System.err));
                services.add(dhcp6);
                org.astralboot.dhcp6.Dhcp6Service v6 = dhcp6;
                hosts = withIpv6(hosts, v6::leases, v6::macAt, cfg.dhcp6().mode() == Config.Dhcp6Mode.FULL);
                watch.metrics().bindings6(() -> v6.counts().map(c -> new org.astralboot.admin.BootMetrics.LeaseCounts(
                        c.pool(), c.bound(), c.free())).orElse(null));
            }
            // With [dhcp] mode = "off" and DHCPv6 on, the answer still runs: a UEFI machine booting over
            // IPv6 alone needs its M flag and on-link prefix.
            boolean answering = cfg.ipv6().answerRs() && (dhcp != null || cfg.dhcp6().on());
            org.astralboot.ndp.Dhcp4Watch dhcp4Watch = null;
            if (org.astralboot.ndp.Dhcp4Watch.wanted(cfg.dhcp().mode(), answering)) {
                // No DHCP service to note booting machines: a BIOS iPXE's DHCPv4 DISCOVER, only looked at,
                // is what gets its router solicitation answered (and so its DHCPv6 started).
                dhcp4Watch = new org.astralboot.ndp.Dhcp4Watch(cfg.iface(), booting, java.time.Clock.systemUTC());
                services.add(dhcp4Watch);
            }
            if (answering) {
                ndp = org.astralboot.ndp.RouterAnswerService.of(cfg, booting, watch);
                services.add(ndp);
            }
            if (cfg.dns().enabled()) {
                services.add(new org.astralboot.dns.DnsService(org.astralboot.dns.DnsService.settings(cfg), hosts,
                        cfg.dns().port()));
            }
            org.astralboot.tftp.TftpService tftp = new org.astralboot.tftp.TftpService(cfg, store, watch);
            services.add(tftp);
            org.astralboot.http.HttpService http = new org.astralboot.http.HttpService(cfg, store, db, hosts, wired.http(),
                    watch);
            services.add(http);
            org.astralboot.admin.AdminSettings admin = adminSettings(cfg);
            watch.metrics().source(wired.name());
            if (store instanceof org.astralboot.ipfs.IpfsBootStore ipfs) {
                watch.metrics().cache(() -> new org.astralboot.admin.BootMetrics.CacheCounts(ipfs.fetches(),
                        ipfs.corruptions(), ipfs.cacheBytes(), ipfs.cacheHits(), ipfs.cacheMisses(), ipfs.evictions(),
                        ipfs.verificationFailures(), cfg.cacheMaxBytes(), ipfs.nodeUp()));
            }
            watch.macsBy(macsByAddress(hosts));
            org.astralboot.dhcp.DhcpService dhcpService = dhcp;
            watch.metrics().leases(() -> dhcpService == null ? null : dhcpService.leaseStats()
                    .map(st -> new org.astralboot.admin.BootMetrics.LeaseCounts(st.pool(), st.bound(), st.available()))
                    .orElse(null));
            watch.metrics().shed(() -> dhcpService == null ? 0 : dhcpService.shedDiscovers());
            watch.metrics().malformed(() -> dhcpService == null ? 0 : dhcpService.malformedPackets());
            org.astralboot.ndp.RouterAnswerService ndpService = ndp;
            org.astralboot.dhcp6.Dhcp6Service dhcp6Service = dhcp6;
            watch.metrics().ndp(() -> ndpService == null ? java.util.Map.of() : ndpService.counts());
            watch.metrics().quirks(() -> {
                java.util.Map<String, Long> q = new java.util.TreeMap<>();
                tftp.quirks().snapshot().forEach((k, n) -> q.put("tftp_" + k.name().toLowerCase(java.util.Locale.ROOT), n));
                if (dhcpService != null) {
                    dhcpService.quirks().snapshot().forEach((k, n) -> q.put("dhcp_" + k.name().toLowerCase(java.util.Locale.ROOT), n));
                }
                return q;
            });

            for (Service s : services) {
                try {
                    s.start();
                } catch (IOException e) {
                    throw new IOException(s.name() + ": " + e.getMessage(), e);
                }
                open.add(s);
            }
            if (ndp != null && !ndp.running()) {
                services.remove(ndp); // it said why (no CAP_NET_RAW, no IPv6); the summary lists what runs
            }
            if (dhcp4Watch != null && !dhcp4Watch.running()) {
                services.remove(dhcp4Watch); // said why, as the answer does
            }
            if (admin.listen() != null) {
                HostLookup h = hosts;
                org.astralboot.admin.AdminService a = new org.astralboot.admin.AdminService(admin, watch, http.machines(),
                        http.catalog(), h, () -> adminStatus(cfg, store, dhcpService, dhcp6Service));
                try {
                    a.start();
                    open.add(a);
                    services.add(a);
                } catch (IOException e) {
                    // The machines still boot without it: say so loudly, do not stop serving them.
                    SUMMARY.error("{} (boot services keep running without the admin interface)", e.getMessage());
                }
            }
            SUMMARY.info("Astralboot ready: {} on {} ({}), boot tree {}, services {}", Ipv4.text(cfg.address()),
                    cfg.iface(), cfg.subnet(), store.describe(), services.stream().map(Service::name).toList());
            stop.await();
            if (broken.get() != null) {
                return ExitCode.FAILURE; // said by storeFailure; the services close below
            }
            SUMMARY.info("stopping");
            return ExitCode.OK;
        } catch (DatabaseDamagedException e) {
            closeAll(open);
            damaged(e, System.err);
            return ExitCode.FAILURE;
        } catch (IOException e) {
            SUMMARY.error("{}", e.getMessage());
            return ExitCode.FAILURE;
        } finally {
            closeAll(open);
        }
    }

    /**
     * The server's IPv6 address for {@code [ipv6]}: the configured one, which must be on the
     * interface, else the interface's first global address; without zone.
     */
    static java.net.Inet6Address ipv6Address(Config cfg) throws IOException {
        List<java.net.Inet6Address> global = org.astralboot.dhcp6.Dhcp6Service.globalAddresses(cfg.iface());
        java.net.Inet6Address a = cfg.dhcp6().address();
        if (a != null) {
            for (java.net.Inet6Address g : global) {
                if (java.util.Arrays.equals(g.getAddress(), a.getAddress())) {
                    return a;
                }
            }
            throw new IOException("[ipv6] address = \"" + org.astralboot.net.Ipv6.text(a) + "\" is not a global address"
                    + " of interface " + cfg.iface() + " (it has: " + global.stream().map(org.astralboot.net.Ipv6::text)
                    .toList() + ")");
        }
        if (global.isEmpty()) {
            throw new IOException("[ipv6] dhcp = \"" + cfg.dhcp6().mode().name().toLowerCase(java.util.Locale.ROOT)
                    + "\" but interface " + cfg.iface() + " has no global IPv6 address: add one (ip -6 addr add"
                    + " 2001:db8::1/64 dev " + cfg.iface() + ") or set [ipv6] dhcp = \"off\"");
        }
        return java.net.Inet6Address.getByAddress(null, global.get(0).getAddress(), -1);
    }

    /**
     * The MAC at an event's address (TFTP knows only the address): an IPv4 lease, or a DHCPv6
     * binding ({@link HostLookup#macAtIpv6}) for a machine that boots over IPv6; "" when none.
     */
    static java.util.function.Function<String, String> macsByAddress(HostLookup hosts) {
        return ip -> {
            try {
                if (ip.indexOf(':') < 0) {
                    return hosts.byAddress(org.astralboot.net.Ipv4.parse(ip)).map(h -> h.mac().toString()).orElse("");
                }
                // A literal (never a name lookup); the zone of a link-local source is dropped.
                int zone = ip.indexOf('%');
                java.net.InetAddress a = java.net.InetAddress.ofLiteral(zone < 0 ? ip : ip.substring(0, zone));
                return a instanceof java.net.Inet6Address a6
                        ? hosts.macAtIpv6(a6).map(org.astralboot.net.MacAddress::toString).orElse("") : "";
            } catch (IllegalArgumentException e) {
                return ""; // not an address
            }
        };
    }

    /**
     * {@code hosts} that also knows who holds a DHCPv6 binding ({@link HostLookup#macAtIpv6}), and
     * whose lease report ({@code GET /leases}, {@code astralboot leases}) lists the DHCPv6 bindings
     * after the IPv4 leases: in full mode always (an empty pool says so), else when there are any.
     *
     * @param bindings the bindings now ({@code Dhcp6Service.leases})
     * @param macAt    the MAC bound to an address ({@code Dhcp6Service.macAt})
     * @param full     {@code [ipv6] dhcp = "full"}
     */
    static HostLookup withIpv6(HostLookup hosts, java.util.function.Supplier<List<org.astralboot.dhcp6.lease.Lease6>> bindings,
            java.util.function.Function<java.net.Inet6Address, java.util.Optional<org.astralboot.net.MacAddress>> macAt,
            boolean full) {
        return new HostLookup() {
            @Override
            public java.util.Optional<org.astralboot.net.HostInfo> byMac(org.astralboot.net.MacAddress mac) {
                return hosts.byMac(mac);
            }

            @Override
            public java.util.Optional<org.astralboot.net.HostInfo> byAddress(java.net.Inet4Address address) {
                return hosts.byAddress(address);
            }

            @Override
            public java.util.Optional<String> leaseReport(boolean all) {
                java.util.Optional<String> v4 = hosts.leaseReport(all);
                List<org.astralboot.dhcp6.lease.Lease6> v6 = bindings.get();
                if (v6.isEmpty() && !full) {
                    return v4;
                }
                String t = org.astralboot.dhcp6.Lease6Report.format(v6, System.currentTimeMillis());
                return java.util.Optional.of(v4.map(s -> s + "\n" + t).orElse(t));
            }

            @Override
            public java.util.Optional<java.net.Inet4Address> addressNamed(String hostname) {
                return hosts.addressNamed(hostname);
            }

            @Override
            public java.util.Optional<String> nameAt(java.net.Inet4Address address) {
                return hosts.nameAt(address);
            }

            @Override
            public java.util.Optional<org.astralboot.net.MacAddress> macAtIpv6(java.net.Inet6Address address) {
                return macAt.apply(address);
            }
        };
    }

    /** The {@code [admin]} settings of the config. */
    static org.astralboot.admin.AdminSettings adminSettings(Config cfg) {
        return new org.astralboot.admin.AdminSettings(cfg.admin().listen(), cfg.admin().token());
    }

    /** Figures for the status page: boot tree, IPFS node. */
    private static java.util.Map<String, Object> adminStatus(Config cfg, BootStore store,
            org.astralboot.dhcp.DhcpService dhcp, org.astralboot.dhcp6.Dhcp6Service dhcp6) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("server", Ipv4.text(cfg.address()));
        m.put("interface", cfg.iface());
        m.put("dhcp_mode", cfg.dhcp().mode().name().toLowerCase(java.util.Locale.ROOT));
        m.put("dhcp6_mode", cfg.dhcp6().mode().name().toLowerCase(java.util.Locale.ROOT));
        if (cfg.dhcp6().on() && cfg.dhcp6().address() != null) {
            m.put("server6", org.astralboot.net.Ipv6.text(cfg.dhcp6().address()));
        }
        m.put("boot_tree", store.describe());
        if (dhcp != null) {
            dhcp.leaseStats().ifPresent(st -> m.put("leases", java.util.Map.of("pool", st.pool(), "bound", st.bound(),
                    "offered", st.offered(), "free", st.available())));
        }
        if (dhcp6 != null) {
            dhcp6.counts().ifPresent(c -> m.put("bindings6", java.util.Map.of("pool", c.pool(), "bound", c.bound(),
                    "declined", c.declined(), "free", c.free())));
        }
        if (store instanceof org.astralboot.ipfs.IpfsBootStore ipfs) {
            m.put("ipfs_node", java.util.Map.of("api", cfg.ipfsApi().toString(), "up", ipfs.nodeUp()));
            m.put("ipfs_fetches", ipfs.fetches());
            m.put("cache_bytes", ipfs.cacheBytes());
            m.put("cache_max_bytes", cfg.cacheMaxBytes());
            m.put("cache_hits", ipfs.cacheHits());
            m.put("cache_misses", ipfs.cacheMisses());
            m.put("cache_evictions", ipfs.evictions());
            m.put("ipfs_verification_failures", ipfs.verificationFailures());
            m.put("ipfs_ref_problems", ipfs.refProblems());
        }
        return m;
    }

    /**
     * The database cannot be read (not something a crash leaves: commits are atomic). Moves it aside,
     * never deletes it, and says what happens next: one paragraph, no stack trace.
     */
    static void damaged(DatabaseDamagedException e, PrintStream err) {
        Path file = e.file();
        String where;
        try {
            where = "It has been moved aside to " + Database.moveAside(file) + " (kept, not deleted)";
        } catch (IOException m) {
            where = "It could not be moved aside (" + m.getMessage() + "): move or rename it yourself";
        }
        err.println("astralboot: the database " + file + " is damaged and cannot be repaired (" + e.detail()
                + "). " + where + ", and the next start creates a new, empty database."
                + " The leases are rebuilt from the clients as they renew their addresses, and machine"
                + " records are re-created as machines boot again (an OS chosen for a machine must be chosen again)."
                + " Start astralboot again to continue.");
    }

    /**
     * The DHCP and DHCPv6 services' handler for a lease database that cannot commit: an error naming the file
     * (in the log and on {@code err}, since the log may go elsewhere), the reason kept in {@code broken}
     * and {@code stop} released, so {@link #serve} closes the services and returns
     * {@link ExitCode#FAILURE}: the process exits with 1 rather than stalling without an answer.
     */
    static java.util.function.Consumer<String> storeFailure(java.nio.file.Path file,
            java.util.concurrent.atomic.AtomicReference<String> broken, CountDownLatch stop, java.io.PrintStream err) {
        return msg -> {
            if (!broken.compareAndSet(null, msg)) {
                return;
            }
            String line = "lease database " + file + " is broken, stopping with exit 1: " + msg;
            SUMMARY.error("{}", line);
            err.println("astralboot: " + line);
            err.flush();
            stop.countDown();
        };
    }

    private static void closeAll(List<AutoCloseable> open) {
        try {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    SUMMARY.warn("while stopping: {}", e.toString());
                }
            }
        } finally {
            open.clear();
        }
    }

    static BootStore openStore(Config cfg, boolean local, Database db) throws IOException {
        if (local) {
            try {
                return new LocalBootStore(cfg.data());
            } catch (IOException e) {
                throw new IOException("data folder " + cfg.data() + " is not usable: " + e.getMessage(), e);
            }
        }
        return org.astralboot.ipfs.IpfsBootStore.open(cfg, db);
    }

    /** Whether SIGHUP is still ignored here (Linux {@code /proc/self/status} SigIgn, bit 0 = signal 1). */
    static boolean hangupIgnored() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (l.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(l.substring(7).trim(), 16) & 1L) != 0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux, or a format we do not know: nothing to warn about
        }
        return false;
    }
}

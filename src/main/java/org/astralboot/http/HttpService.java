package org.astralboot.http;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.astralboot.boot.CatalogPolicy;
import org.astralboot.boot.MachineContext;
import org.astralboot.boot.MachineRegistry;
import org.astralboot.boot.OsCatalog;
import org.astralboot.boot.Templates;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.events.Events;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.server.Service;
import org.astralboot.store.BootStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * The HTTP boot service (Undertow): iPXE entry script and menus, per-machine boot scripts and
 * templates, the install end hook, and the files of the boot tree. Routes: {@code docs/http.md}.
 */
public final class HttpService implements Service {
    private static final Logger log = LoggerFactory.getLogger("org.astralboot.http");
    /**
     * Undertow's own worker threads: requests run on {@link Admission}'s file and script pools
     * instead, so these only serve Undertow's internal tasks.
     */
    static final int WORKER_THREADS = 4;

    private final Config cfg;
    private final BootStore store;
    private final MachineRegistry registry;
    private final OsCatalog catalog;
    private final Templates templates;
    private final MachineContext context;
    private final CatalogPolicy tree;
    private final org.astralboot.boot.BootPolicy policy;
    private final BootSources sources;
    private final Events events;
    private Undertow server;
    private Admission admission;
    private InetSocketAddress bound;

    public HttpService(Config cfg, BootStore store, Database db, HostLookup hosts) {
        this(cfg, store, db, hosts, BootSources.TREE, Events.NONE);
    }

    /** The service with a boot source other than the tree ({@code sources.policy()} wraps the tree's). */
    public HttpService(Config cfg, BootStore store, Database db, HostLookup hosts, BootSources sources) {
        this(cfg, store, db, hosts, sources, Events.NONE);
    }

    /** @param events where each boot step and refusal is reported (the admin interface) */
    public HttpService(Config cfg, BootStore store, Database db, HostLookup hosts, Events events) {
        this(cfg, store, db, hosts, BootSources.TREE, events);
    }

    /**
     * @param sources the boot source ({@code sources.policy()} wraps the tree's)
     * @param events  where each boot step and refusal is reported (the admin interface)
     */
    public HttpService(Config cfg, BootStore store, Database db, HostLookup hosts, BootSources sources,
            Events events) {
        this.sources = sources;
        this.cfg = cfg;
        this.events = events;
        this.store = store;
        this.templates = new Templates(store);
        this.catalog = new OsCatalog(store, templates);
        this.registry = new MachineRegistry(db, Clock.systemUTC());
        this.context = new MachineContext(cfg, hosts, registry, templates);
        this.tree = new CatalogPolicy(new CatalogPolicy.Settings(cfg.menu().defaultOs(), cfg.menu().timeoutSeconds()),
                store, catalog, registry, context);
        this.policy = sources.policy().apply(tree);
    }

    @Override
    public String name() {
        return "http";
    }

    public MachineRegistry machines() {
        return registry;
    }

    public OsCatalog catalog() {
        return catalog;
    }

    /** The address actually bound (after {@link #start()}). */
    public InetSocketAddress address() {
        return bound;
    }

    @Override
    public synchronized void start() throws IOException {
        String host = Ipv4.text(cfg.http().bind());
        int port = cfg.http().port();
        Admission a = new Admission(cfg.http());
        Undertow.Builder ub = Undertow.builder().addHttpListener(port, host);
        java.net.Inet6Address v6 = cfg.dhcp6().on() ? cfg.dhcp6().address() : null;
        if (v6 != null) {
            // Machines that booted over IPv6 get http://[address]/ URLs (Config.httpBaseFor).
            ub.addHttpListener(port, org.astralboot.net.Ipv6.text(v6));
        }
        Undertow u = ub
                .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setWorkerThreads(WORKER_THREADS)
                // Route on the raw path: %2e%2e, %2f and %5c stay visible and are refused by TreePath
                // instead of being decoded into something that looks harmless.
                .setServerOption(UndertowOptions.DECODE_URL, false)
                // Let a raw backslash (or other character RFC 3986 wants encoded) reach the handler,
                // which answers 404 for it like for every other path that could leave the tree.
                .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 64L * 1024)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                .setSocketOption(Options.REUSE_ADDRESSES, true)
                .setHandler(new BootHandler(cfg, store, catalog, templates, registry, context, tree, policy, a,
                        sources.files(), events))
                .build();
        try {
            u.start();
        } catch (RuntimeException e) {
            a.close();
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IOException("http cannot listen on " + host + ":" + port + ": " + c.getMessage(), e);
        }
        server = u;
        admission = a;
        bound = (InetSocketAddress) u.getListenerInfo().get(0).getAddress();
        log.info("http listening on {}:{} (boot tree {}, entry {}/boot.ipxe)", host, bound.getPort(),
                store.describe(), cfg.http().base());
        if (v6 != null) {
            log.info("http listening on [{}]:{} (entry {}/boot.ipxe)", org.astralboot.net.Ipv6.text(v6), port,
                    cfg.httpBaseFor("::"));
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop();
            server = null;
            admission.close();
            admission = null;
        }
    }
}

package org.astralboot.dhcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.RawUnixChannelOption;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpCodecException;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.codec.DhcpQuirk;
import org.astralboot.dhcp.engine.BootGate;
import org.astralboot.dhcp.engine.DhcpEngine;
import org.astralboot.dhcp.engine.DhcpReply;
import org.astralboot.dhcp.engine.DhcpSettings;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeasePool;
import org.astralboot.dhcp.lease.LeaseSink;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseStore;
import org.astralboot.dhcp.lease.LeaseTable;
import org.astralboot.net.HostInfo;
import org.astralboot.events.Events;
import org.astralboot.net.QuirkCounter;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.server.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCP service: UDP port 67 (and the PXE boot-server port 4011 in proxy mode), bound to the
 * configured interface with {@code SO_BINDTODEVICE}, so a request arriving through any other
 * interface never reaches it and every reply leaves by that interface (RFC 2131 §4.1 broadcast
 * replies included). The JDK cannot bind to a device, hence Netty's epoll transport (Linux only;
 * without it the service refuses to start rather than answer on every interface).
 *
 * <p>One event-loop thread decodes and runs the {@link DhcpEngine}; replies that change a lease go
 * out only after the {@link LeaseWriter} has committed the change.
 */
public final class DhcpService implements Service {
    private static final Logger log = LoggerFactory.getLogger(DhcpService.class);
    private static final Logger SUMMARY = LoggerFactory.getLogger("astralboot");
    /** SOL_SOCKET / SO_BINDTODEVICE from Linux {@code asm-generic/socket.h}. */
    private static final int SOL_SOCKET = 1;
    private static final int SO_BINDTODEVICE = 25;

    private final Config cfg;
    private final Database db;
    private final Clock clock;
    /** Whether a PXE client gets its boot file: {@link BootGate#ALL} unless a boot API decides. */
    private volatile BootGate gate = BootGate.ALL;
    /** Where PXE and iPXE clients are noted as booting now (the router-advertisement answer reads it). */
    private volatile org.astralboot.net.RecentBoots booting;
    private volatile LeaseTable table;
    private LeaseWriter writer;
    private volatile LeaseSink sink;
    private EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong shed = new AtomicLong();
    private final QuirkCounter<DhcpQuirk> quirks = new QuirkCounter<>(DhcpQuirk.class);
    private volatile long lastShedWarning;
    private final Events events;
    /** Requests waiting for the boot source's decision (touched on the DHCP event loop only). */
    private final DeferredReplies deferred = new DeferredReplies();
    /** The longest a request waits for the boot source: the API's timeout and a second. */
    private final java.time.Duration deferWait;

    public DhcpService(Config cfg, Database db) {
        this(cfg, db, Clock.systemUTC());
    }

    DhcpService(Config cfg, Database db, Clock clock) {
        this(cfg, db, clock, Events.NONE);
    }

    /** @param events where each message received and reply sent is reported (the admin interface) */
    public DhcpService(Config cfg, Database db, Events events) {
        this(cfg, db, Clock.systemUTC(), events);
    }

    DhcpService(Config cfg, Database db, Clock clock, Events events) {
        this.cfg = cfg;
        this.db = db;
        this.clock = clock;
        this.events = events;
        this.deferWait = cfg.api().timeout().plusSeconds(1);
    }

    /** DISCOVERs dropped unanswered since start because lease commits fell behind ({@code dhcp.shed_backlog}). */
    public long shedDiscovers() {
        return shed.get();
    }

    /** Datagrams dropped since start because they could not be decoded. */
    public long malformedPackets() {
        return malformed.get();
    }

    /** The lease pool's counts now; empty before {@link #start()} and in proxy mode. */
    public Optional<LeaseTable.Stats> leaseStats() {
        LeaseTable t = table;
        return t == null || cfg.dhcp().mode() != Config.DhcpMode.FULL ? Optional.empty() : Optional.of(t.stats(clock.millis()));
    }

    /** How often each client quirk was tolerated since this service was made (for metrics). */
    public QuirkCounter<DhcpQuirk> quirks() {
        return quirks;
    }

    /** Sets who decides whether a PXE client gets a boot file (before {@link #start()}). */
    public DhcpService gate(BootGate g) {
        this.gate = java.util.Objects.requireNonNull(g, "gate");
        return this;
    }

    /**
     * Notes in {@code table} every MAC that sends a PXE or iPXE DHCP request (DISCOVER, REQUEST or
     * INFORM with PXE or iPXE identification), with the time: the machines network-booting now.
     */
    public DhcpService booting(org.astralboot.net.RecentBoots table) {
        this.booting = table;
        return this;
    }

    /**
     * Who decides what happens when the lease database cannot commit (disk full, I/O error): called
     * once, on a thread of its own, with a message saying why; from then on no OFFER or ACK is sent,
     * since none could be made durable. The wiring ({@code astralboot serve}) stops the process with
     * exit 1 (issue 11: never a silent stall). Without one, the failure is only logged.
     */
    public DhcpService onStoreFailure(java.util.function.Consumer<String> handler) {
        this.storeFailure = java.util.Objects.requireNonNull(handler, "handler");
        return this;
    }

    private volatile java.util.function.Consumer<String> storeFailure =
            msg -> log.error("dhcp: no handler for a broken lease store, DHCP stops answering: {}", msg);

    @Override
    public String name() {
        return "dhcp";
    }

    private void noteBooting(DhcpPacket req) {
        org.astralboot.net.RecentBoots b = booting;
        if (b != null && bootingRequest(req)) {
            b.seen(req.mac(), clock.millis());
        }
    }

    /**
     * Whether {@code req} shows its machine network-booting now: a DISCOVER, REQUEST or INFORM with
     * PXE or iPXE identification (RFC 4578 §2.1 architecture, vendor class PXEClient/HTTPClient,
     * user class iPXE) and an Ethernet-like MAC. The router-advertisement answer serves only those.
     */
    public static boolean bootingRequest(DhcpPacket req) {
        DhcpMessageType t = req.messageType();
        return req.mac() != null
                && (t == DhcpMessageType.DISCOVER || t == DhcpMessageType.REQUEST || t == DhcpMessageType.INFORM)
                && DhcpEvents.booting(org.astralboot.dhcp.engine.Firmware.of(req));
    }

    /** Machines with a lease, for HTTP templates. Knows nobody in proxy or off mode. */
    public HostLookup hosts() {
        return new HostLookup() {
            @Override
            public Optional<HostInfo> byMac(MacAddress mac) {
                LeaseTable t = table;
                Lease l = t == null ? null : t.forMac(mac);
                return info(l);
            }

            @Override
            public Optional<HostInfo> byAddress(Inet4Address address) {
                LeaseTable t = table;
                Lease l = t == null ? null : t.at(Ipv4.toInt(address));
                return info(l);
            }

            @Override
            public Optional<String> leaseReport(boolean all) {
                LeaseTable t = table;
                return t == null ? Optional.empty() : Optional.of(LeaseReport.format(t.all(), all, clock.millis()));
            }

            @Override
            public Optional<Inet4Address> addressNamed(String hostname) {
                LeaseTable t = table;
                long a = t == null ? -1 : t.addressNamed(hostname, clock.millis());
                return a < 0 ? Optional.empty() : Optional.of(Ipv4.fromInt((int) a));
            }

            @Override
            public Optional<String> nameAt(Inet4Address address) {
                LeaseTable t = table;
                return t == null ? Optional.empty() : Optional.ofNullable(t.nameAt(Ipv4.toInt(address), clock.millis()));
            }

            private Optional<HostInfo> info(Lease l) {
                if (l == null || l.mac() == null || l.state() == LeaseState.DECLINED || l.state() == LeaseState.FREE) {
                    return Optional.empty();
                }
                return Optional.of(new HostInfo(l.mac(), l.inet(), l.hostname()));
            }
        };
    }

    /** The engine's settings from the configuration: the one place {@code dhcp/engine} meets {@code config}. */
    public static DhcpSettings settings(Config cfg) {
        Config.Dhcp d = cfg.dhcp();
        List<DhcpSettings.Relay> relays = d.relays().stream()
                .map(r -> new DhcpSettings.Relay(r.subnet(), r.gateway(), r.dns()))
                .toList();
        return new DhcpSettings(cfg.address(), cfg.subnet(), cfg.domain(), DhcpSettings.Mode.valueOf(d.mode().name()),
                d.proxyPort(), d.leaseTime(), d.gateway(), d.dns(), d.declineProbation(), relays,
                new DhcpSettings.BootFiles(cfg.http().base(), d.biosBinary(), d.efiBinary(), d.efiIa32Binary(),
                        d.arm64Binary()));
    }

    /** The pools, reservations and host names of the configuration, for the lease table. */
    public static LeasePool pool(Config cfg) {
        Config.Dhcp d = cfg.dhcp();
        List<LeaseTable.Fixed> fixed = d.reservations().stream()
                .map(r -> new LeaseTable.Fixed(r.mac(), Ipv4.toInt(r.address()), r.hostname() == null ? "" : r.hostname()))
                .toList();
        List<LeasePool.Relay> relays = d.relays().stream()
                .map(r -> new LeasePool.Relay(r.subnet(), r.rangeStart(), r.rangeEnd(), r.gateway()))
                .toList();
        return new LeasePool(cfg.address(), cfg.subnet(), d.rangeStart(), d.rangeEnd(), d.gateway(),
                d.hostnamePattern(), fixed, relays);
    }

    /** Pre-populated leases per commit on a first start: bounds one commit's size whatever the pool's. */
    static final int PREPOPULATE_CHUNK = 4096;

    /**
     * The lease table from the stored leases. Pool pre-population (first run) is written straight to
     * {@code store} and committed every {@code chunk} leases and at the end; afterwards the table's
     * changes go to {@code then} (the group-committing writer).
     */
    static LeaseTable loadTable(Config cfg, Database db, LeaseStore store, LeaseSink then, int chunk)
            throws IOException {
        List<Lease> stored = store.load();
        LeaseSink[] to = new LeaseSink[1];
        int[] written = {0};
        to[0] = l -> {
            store.put(l);
            if (++written[0] % chunk == 0) {
                try {
                    db.commitHere();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        LeaseTable t;
        try {
            LeasePool pool = pool(cfg);
            t = new LeaseTable(pool.addresses(), pool.reservations(), stored, pool.hostnames(), l -> to[0].put(l),
                    pool.relaySubnets());
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        db.commitHere();
        to[0] = then;
        return t;
    }

    @Override
    public void start() throws IOException {
        Config.DhcpMode mode = cfg.dhcp().mode();
        if (mode == Config.DhcpMode.OFF) {
            SUMMARY.info("dhcp off");
            return;
        }
        if (!Epoll.isAvailable()) {
            throw new IOException("DHCP needs Linux epoll to bind to interface " + cfg.iface()
                    + " (SO_BINDTODEVICE) and will not answer on every interface: " + Epoll.unavailabilityCause());
        }
        DhcpEngine engine;
        if (mode == Config.DhcpMode.FULL) {
            LeaseStore store = new LeaseStore(db);
            LeaseTable t = loadTable(cfg, db, store, l -> sink.put(l), PREPOPULATE_CHUNK);
            writer = new LeaseWriter(db, store, storeFailure).events(events);
            sink = writer;
            table = t;
            LeaseTable.Stats s = t.stats(clock.millis());
            SUMMARY.info("dhcp pool {} - {}: {} addresses, {} bound, {} reservations",
                    Ipv4.text(cfg.dhcp().rangeStart()), Ipv4.text(cfg.dhcp().rangeEnd()), s.pool(), s.bound(),
                    cfg.dhcp().reservations().size());
            for (Config.Relay relay : cfg.dhcp().relays()) {
                SUMMARY.info("dhcp relayed subnet {}: pool {} - {}", relay.subnet(), Ipv4.text(relay.rangeStart()),
                        Ipv4.text(relay.rangeEnd()));
            }
            engine = new DhcpEngine(settings(cfg), t, clock, gate);
        } else {
            engine = new DhcpEngine(settings(cfg), null, clock, gate);
        }
        engine.reportQuirksTo(quirks);
        // Before the sockets open (and so before "Astralboot ready"): the first machine's OFFER must
        // not wait for the DHCP path's class loading (DhcpWarmUp says what runs and what it leaves alone).
        org.astralboot.server.WarmUp.run(log, "dhcp", () -> DhcpWarmUp.run(cfg, clock));
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // The sampling leak detector records a stack trace for one buffer in 128: measurable at
            // thousands of packets per second, and this service holds no buffer past one read.
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread th = new Thread(r, "dhcp");
            th.setDaemon(true);
            return th;
        }, EpollIoHandler.newFactory());
        try {
            bind(engine, cfg.dhcp().port(), false);
            if (mode == Config.DhcpMode.PROXY) {
                bind(engine, cfg.dhcp().proxyPort(), true);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void bind(DhcpEngine engine, int port, boolean pxePort) throws IOException {
        byte[] dev = (cfg.iface() + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer devBuf = ByteBuffer.allocateDirect(dev.length).put(dev).flip();
        Bootstrap b = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .option(ChannelOption.SO_BROADCAST, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                // Up to 64 datagrams per read burst: the lease writer commits once per burst (flush below).
                .option(ChannelOption.RCVBUF_ALLOCATOR, new io.netty.channel.FixedRecvByteBufAllocator(2048).maxMessagesPerRead(READ_BURST))
                .option(new RawUnixChannelOption("SO_BINDTODEVICE", SOL_SOCKET, SO_BINDTODEVICE, dev.length), devBuf)
                .handler(new Handler(engine, pxePort));
        Channel ch;
        try {
            ch = b.bind(new InetSocketAddress("0.0.0.0", port)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding UDP 0.0.0.0:" + port);
        } catch (Exception e) {
            throw new IOException("cannot bind UDP 0.0.0.0:" + port + " on interface " + cfg.iface() + ": " + e.getMessage(), e);
        }
        channels.add(ch);
        // The warm-up's part that needs the transport, before "listening" (and "ready").
        org.astralboot.server.WarmUp.firstBuffer(ch);
        SUMMARY.info("dhcp listening on {}:{} (interface {}, mode {})", Ipv4.text(cfg.address()), port, cfg.iface(),
                cfg.dhcp().mode().name().toLowerCase());
    }

    /** Datagrams read before the lease changes they caused are committed together (one fsync). */
    static final int READ_BURST = 64;

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final DhcpEngine engine;
        private final boolean pxePort;

        Handler(DhcpEngine engine, boolean pxePort) {
            this.engine = engine;
            this.pxePort = pxePort;
        }

        /**
         * The socket has no more requests waiting, or a burst of {@link #READ_BURST} was read: commit
         * their lease changes (one fsync) and send the replies that waited for it.
         */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            LeaseWriter w = writer;
            if (w != null) {
                w.flush();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
            ByteBuf content = msg.content();
            byte[] bytes = ByteBufUtil.getBytes(content);
            DhcpPacket req;
            try {
                req = DhcpCodec.decode(bytes, 0, bytes.length, quirks);
            } catch (DhcpCodecException e) {
                long n = malformed.incrementAndGet();
                log.debug("dhcp dropped malformed packet #{} from {}: {}", n, msg.sender(), e.getMessage());
                return;
            }
            if (log.isTraceEnabled()) {
                log.trace("dhcp in from {}: {}", msg.sender(), req);
            }
            LeaseWriter w = writer;
            // Past the backlog limit (dhcp.shed_backlog) the commits, and every reply queued behind
            // them, fall behind the clients' retransmission timers, so accepting more only makes every
            // exchange late; REQUESTs still pass, as they finish exchanges whose OFFER is already out.
            if (w != null && req.messageType() == DhcpMessageType.DISCOVER
                    && w.backlog() > cfg.dhcp().shedBacklog()) {
                long n = shed.incrementAndGet();
                long now = System.nanoTime();
                if (now - lastShedWarning > 10_000_000_000L) {
                    lastShedWarning = now;
                    log.warn("dhcp overloaded: lease commits are {} changes behind; {} DISCOVERs shed so far "
                            + "(clients retry; renewals and REQUESTs are still served)", w.backlog(), n);
                }
                return;
            }
            DhcpEvents.received(events, req);
            noteBooting(req);
            InetSocketAddress src = msg.sender();
            int srcAddr = src.getAddress() instanceof Inet4Address a ? Ipv4.toInt(a) : 0;
            DhcpEngine.Answer r;
            try {
                r = engine.answer(req, pxePort, srcAddr, src.getPort());
            } catch (RuntimeException e) {
                log.error("dhcp engine failed on {}: {}", req, e.toString(), e);
                return;
            }
            if (r.reply().isPresent()) {
                send(ctx, req, r.reply().get());
                return;
            }
            DhcpEvents.unanswered(events, req, engine.silence(), engine.silenceRefuses());
            if (r.deferred() != null) {
                defer(ctx, req, srcAddr, src.getPort(), r.deferred());
            }
        }

        /**
         * The boot source has not decided about this client: answer it when it has, from this event
         * loop, by running the same request through the engine again. The DHCP thread never waits,
         * so a slow boot API delays no other client. Bounded: {@link DeferredReplies}' caps, and
         * the wait ends after the API's timeout (plus a second) whatever the source does.
         */
        private void defer(ChannelHandlerContext ctx, DhcpPacket req, int srcAddr, int srcPort,
                java.util.concurrent.CompletionStage<?> decided) {
            MacAddress mac = req.mac();
            if (!deferred.admit(mac)) {
                log.debug("dhcp: {}: not kept for the boot source's decision ({} requests wait already, {} of"
                        + " them this MAC's at most); its retransmission asks again", mac, deferred.waiting(),
                        DeferredReplies.PER_MAC);
                return;
            }
            io.netty.channel.EventLoop loop = ctx.channel().eventLoop();
            boolean[] over = {false};
            Runnable finish = () -> {
                if (over[0]) {
                    return;
                }
                over[0] = true;
                deferred.done(mac);
            };
            io.netty.util.concurrent.ScheduledFuture<?> expiry = loop.schedule(() -> {
                if (!over[0]) {
                    finish.run();
                    log.info("dhcp: {}: the boot source did not decide within {} ms; no reply", mac, deferWait.toMillis());
                }
            }, deferWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            decided.whenComplete((v, e) -> loop.execute(() -> {
                if (over[0]) {
                    return;
                }
                finish.run();
                expiry.cancel(false);
                DhcpEngine.Answer again;
                try {
                    again = engine.answer(req, pxePort, srcAddr, srcPort);
                } catch (RuntimeException ex) {
                    log.error("dhcp engine failed on {}: {}", req, ex.toString(), ex);
                    return;
                }
                if (again.reply().isPresent()) {
                    send(ctx, req, again.reply().get());
                    LeaseWriter w = writer;
                    if (w != null) {
                        w.flush(); // no read burst ends here to commit the lease and release the reply
                    }
                } else {
                    DhcpEvents.unanswered(events, req, engine.silence(), engine.silenceRefuses());
                    if (again.deferred() != null) {
                        log.debug("dhcp: {}: the boot source is still undecided; no reply", mac);
                    }
                }
            }));
        }

        private void send(ChannelHandlerContext ctx, DhcpPacket req, DhcpReply reply) {
            DhcpEvents.sent(events, req, reply, cfg.dhcp().mode() == Config.DhcpMode.PROXY);
            byte[] out = DhcpCodec.encode(reply.packet());
            InetSocketAddress dest = new InetSocketAddress(Ipv4.fromInt(reply.destination()), reply.port());
            Channel ch = ctx.channel();
            if (log.isTraceEnabled()) {
                log.trace("dhcp out to {}: {}", dest, reply.packet());
            }
            if (reply.leaseChanged()) {
                writer.afterCommit(new LeaseWriter.Outgoing((io.netty.channel.unix.Socket) ((EpollDatagramChannel) ch).fd(),
                        out, dest.getAddress(), dest.getPort()));
            } else {
                ch.writeAndFlush(new DatagramPacket(ch.alloc().buffer(out.length).writeBytes(out), dest));
            }
        }
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly();
        }
        channels.clear();
        if (group != null) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }
}

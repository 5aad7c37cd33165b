package org.astralboot.dhcp6;

import io.netty.bootstrap.Bootstrap;
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
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.RawUnixChannelOption;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.dhcp.engine.DhcpSettings;
import org.astralboot.dhcp.engine.Firmware;
import org.astralboot.dhcp6.codec.Dhcp6Codec;
import org.astralboot.dhcp6.codec.Dhcp6Decoded;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Dhcp6Option;
import org.astralboot.dhcp6.codec.Dhcp6Relay;
import org.astralboot.dhcp6.codec.Duid;
import org.astralboot.dhcp6.engine.Dhcp6Engine;
import org.astralboot.dhcp6.engine.Dhcp6Firmware;
import org.astralboot.dhcp6.engine.Dhcp6Reply;
import org.astralboot.dhcp6.engine.Dhcp6Settings;
import org.astralboot.dhcp6.lease.Lease6;
import org.astralboot.dhcp6.lease.Lease6Store;
import org.astralboot.dhcp6.lease.Lease6Table;
import org.astralboot.events.Events;
import org.astralboot.net.Ipv6;
import org.astralboot.server.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DHCPv6 service (RFC 8415 §7.2, §18.3): UDP [::]:547 bound to the configured interface with
 * {@code SO_BINDTODEVICE}, member of All_DHCP_Relay_Agents_and_Servers (ff02::1:2) on that
 * interface, answering each client at the (link-local) address and port it sent from. A relay
 * agent's Relay-forward (RFC 8415 §19), sent unicast to the interface's global address, arrives on
 * the same socket; its Relay-reply goes to the agent's address on port 547 (§7.2, §18.3.10). One
 * event-loop thread decodes and runs the {@link Dhcp6Engine}; a Reply that changes a binding is sent
 * only after the database has committed the change (the same crash-atomic commit as the IPv4
 * leases). DHCPv6 traffic is a few messages per booting machine, so the commit runs on that thread.
 */
public final class Dhcp6Service implements Service {
    private static final Logger log = LoggerFactory.getLogger(Dhcp6Service.class);
    private static final Logger SUMMARY = LoggerFactory.getLogger("astralboot");
    /** RFC 8415 §7.1: All_DHCP_Relay_Agents_and_Servers. */
    public static final String ALL_SERVERS = "ff02::1:2";
    /** RFC 8415 §7.2. */
    public static final int SERVER_PORT = 547;
    private static final int SOL_SOCKET = 1;
    private static final int SO_BINDTODEVICE = 25;

    private final Config cfg;
    private final Database db;
    private final Clock clock;
    private final int port;
    private final Events events;
    private EventLoopGroup group;
    private volatile Channel channel;
    private Lease6Store store;
    private volatile Lease6Table table;
    private final AtomicLong malformed = new AtomicLong();
    private volatile org.astralboot.net.RecentBoots booting;
    /** Bound address (RFC 5952 text) → the client's MAC, for HTTP's proof of who asks over IPv6. */
    private final java.util.concurrent.ConcurrentHashMap<String, org.astralboot.net.MacAddress> macs =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param cfg    with {@code [ipv6]} on and its address resolved ({@link Config.Dhcp6#withAddress})
     * @param events where each message, silence, refusal and binding commit is reported (the admin
     *               interface): {@link Dhcp6Events}
     */
    public Dhcp6Service(Config cfg, Database db, Events events) {
        this(cfg, db, Clock.systemUTC(), SERVER_PORT, events);
    }

    Dhcp6Service(Config cfg, Database db, Clock clock, int port, Events events) {
        this.cfg = cfg;
        this.db = db;
        this.clock = clock;
        this.port = port;
        this.events = events;
    }

    @Override
    public String name() {
        return "dhcp6";
    }

    /**
     * Who decides what happens when the database cannot commit a binding (disk full, I/O error):
     * called once, on a thread of its own, with a message saying why. A failed commit fails every
     * later one ({@code Database}), so no further Reply with an address could be durable; the wiring
     * ({@code astralboot serve}) stops the process with exit 1, as for the IPv4 leases
     * ({@code DhcpService.onStoreFailure}): with {@code [dhcp] mode = "off"} DHCPv6 alone would
     * otherwise stay up without answering. Without a handler the failure is only logged.
     */
    public Dhcp6Service onStoreFailure(java.util.function.Consumer<String> handler) {
        this.storeFailure = new org.astralboot.db.StoreFailure("dhcp6", handler);
        return this;
    }

    private volatile org.astralboot.db.StoreFailure storeFailure = new org.astralboot.db.StoreFailure("dhcp6",
            msg -> log.error("dhcp6: no handler for a broken database, DHCPv6 stops answering: {}", msg));

    /**
     * Reports a broken database to {@link #onStoreFailure}'s handler, the first time only, and not on
     * the receiving thread ({@link org.astralboot.db.StoreFailure#report}).
     */
    void storeBroken(String msg) {
        storeFailure.report(msg);
    }

    /**
     * Notes in {@code table} every MAC that sends a DHCPv6 Solicit, Request or Information-request
     * identifying PXE, UEFI HTTP boot or iPXE ({@link Dhcp6Firmware}), with the time: the machines
     * network-booting now, whose router solicitations get Astralboot's advertisement (with
     * {@code [dhcp] mode = "off"} nothing else tells who boots).
     */
    public Dhcp6Service booting(org.astralboot.net.RecentBoots table) {
        this.booting = table;
        return this;
    }

    /** Whether {@code m} is a request of a machine network-booting now (see {@link #booting}). */
    static boolean bootRequest(Dhcp6Message m) {
        return bootRequest(m, Dhcp6Firmware.of(m));
    }

    /** {@link #bootRequest(Dhcp6Message)} with the firmware the caller already read from {@code m}. */
    private static boolean bootRequest(Dhcp6Message m, org.astralboot.dhcp.engine.Firmware f) {
        return switch (m.type()) {
            case SOLICIT, REQUEST, INFORMATION_REQUEST -> f.pxe() || f.ipxe() || f.httpClient();
            default -> false;
        };
    }

    /** Notes {@code mac} (the client's, as the events key it) as booting when {@code m} is a boot request with a client ID. */
    private void noteBooting(Dhcp6Message m, org.astralboot.net.MacAddress mac, org.astralboot.dhcp.engine.Firmware fw) {
        org.astralboot.net.RecentBoots b = booting;
        if (b != null && mac != null && m.clientId().isPresent() && bootRequest(m, fw)) {
            b.seen(mac, clock.millis());
        }
    }

    /**
     * The bindings now (full mode, after start), for {@code astralboot leases}: read on the
     * service's own thread, since the table is that thread's alone.
     */
    public List<Lease6> leases() {
        return onTable(Lease6Table::all).orElse(List.of());
    }

    /**
     * The pool's figures now (full mode, after start), for the bindings gauge and the status page;
     * counted on the service's own thread, like {@link #leases()}.
     */
    public Optional<Lease6Table.Counts> counts() {
        return onTable(t -> t.counts(clock.millis()));
    }

    /** {@code read} of the table on the service's thread; empty before start, in stateless mode, or on a failure. */
    private <T> Optional<T> onTable(java.util.function.Function<Lease6Table, T> read) {
        Lease6Table t = table;
        Channel ch = channel;
        if (t == null || ch == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ch.eventLoop().submit(() -> read.apply(t)).get(5, java.util.concurrent.TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("dhcp6 bindings not readable now: {}", e.toString());
            return Optional.empty();
        }
    }

    /** The MAC of the machine bound to {@code a} now, if known (thread-safe). */
    public Optional<org.astralboot.net.MacAddress> macAt(Inet6Address a) {
        return Optional.ofNullable(macs.get(Ipv6.text(a)));
    }

    /**
     * The MAC of a binding: an Ethernet DUID-LL or DUID-LLT names it; else the modified EUI-64
     * interface identifier (RFC 4291 appendix A) of the link-local address the client sent from; null
     * when neither tells (a DUID-UUID from a non-EUI-64 address).
     */
    static org.astralboot.net.MacAddress macOf(Duid duid, InetAddress from) {
        byte[] e = duid == null ? null : duid.ethernetAddress();
        if (e != null) {
            return org.astralboot.net.MacAddress.of(e, 0);
        }
        byte[] a = from == null ? null : from.getAddress();
        if (a != null && a.length == 16 && (a[0] & 0xFF) == 0xFE && (a[1] & 0xC0) == 0x80
                && (a[11] & 0xFF) == 0xFF && (a[12] & 0xFF) == 0xFE) {
            return org.astralboot.net.MacAddress.of(new byte[] {(byte) (a[8] ^ 0x02), a[9], a[10], a[13], a[14], a[15]}, 0);
        }
        return null;
    }

    /**
     * The MAC of a relayed client: the Client Link-Layer Address option (RFC 6939) of the relay agent
     * nearest the client when it gives an Ethernet one (dnsmasq's does); else as for a direct client
     * ({@link #macOf(Duid, InetAddress)}), the address it sent from being that agent's peer-address.
     */
    static org.astralboot.net.MacAddress relayedMacOf(Duid duid, Dhcp6Relay relay) {
        List<Dhcp6Relay> chain = relay.chain();
        Dhcp6Relay first = chain.get(chain.size() - 1);
        byte[] e = first.first(Dhcp6Option.ClientLinkLayerAddress.class)
                .map(Dhcp6Option.ClientLinkLayerAddress::ethernetAddress).orElse(null);
        return e != null ? org.astralboot.net.MacAddress.of(e, 0) : macOf(duid, first.peerAddress());
    }

    /** Notes (or forgets) the MAC {@code mac} of the machine bound by {@code l}, for {@link #macAt}. */
    private void remember(Lease6 l, org.astralboot.net.MacAddress mac, long now) {
        org.astralboot.net.MacAddress m = l.activeAt(now) ? mac : null;
        if (m != null) {
            macs.put(Ipv6.text(l.address()), m);
        } else {
            macs.remove(Ipv6.text(l.address()));
        }
    }

    /** The engine's settings from the config and the interface: the engine never sees {@link Config}. */
    static Dhcp6Settings settings(Config cfg, Duid serverId) {
        Config.Dhcp d = cfg.dhcp();
        Config.Dhcp6 v6 = cfg.dhcp6();
        return new Dhcp6Settings(v6.address(), serverId,
                v6.mode() == Config.Dhcp6Mode.FULL ? Dhcp6Settings.Mode.FULL : Dhcp6Settings.Mode.STATELESS,
                v6.rangeStart(), v6.rangeEnd(), d.leaseTime(), List.of(), cfg.http().port(),
                new DhcpSettings.BootFiles(cfg.http().base(), d.biosBinary(), d.efiBinary(), d.efiIa32Binary(),
                        d.arm64Binary()),
                v6.relays().stream().map(r -> new Dhcp6Settings.Link(r.link(), r.rangeStart(), r.rangeEnd())).toList());
    }

    /**
     * This server's DUID: DUID-LL (RFC 8415 §11.4) of the interface's MAC, stable across restarts; a
     * DUID-EN (§11.3, enterprise 32473, the documentation number of RFC 5612) of a key kept in the
     * database for an interface without one.
     */
    static Duid serverDuid(NetworkInterface ni, Database db) throws SocketException {
        byte[] mac = ni.getHardwareAddress();
        if (mac != null && mac.length == 6) {
            return Duid.ll(mac);
        }
        byte[] id = db.secret("dhcp6.duid");
        byte[] d = new byte[6 + 8];
        d[1] = Duid.EN;
        d[4] = 0x7E;
        d[5] = (byte) 0xA9; // 32473
        System.arraycopy(id, 0, d, 6, 8);
        return Duid.of(d);
    }

    @Override
    public void start() throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("DHCPv6 needs Linux epoll to bind to interface " + cfg.iface()
                    + " (SO_BINDTODEVICE) and will not answer on every interface: " + Epoll.unavailabilityCause());
        }
        NetworkInterface ni = NetworkInterface.getByName(cfg.iface());
        if (ni == null) {
            throw new IOException("no interface " + cfg.iface());
        }
        Duid serverId = serverDuid(ni, db);
        Dhcp6Settings s = settings(cfg, serverId);
        Lease6Table t = null;
        if (s.mode() == Dhcp6Settings.Mode.FULL) {
            store = new Lease6Store(db);
            Lease6Store st = store;
            List<Lease6Table.Range> pools = new ArrayList<>();
            pools.add(new Lease6Table.Range(s.rangeStart(), s.rangeEnd()));
            s.relays().forEach(l -> pools.add(new Lease6Table.Range(l.rangeStart(), l.rangeEnd())));
            t = new Lease6Table(pools, st.load(), st::put);
            table = t;
            long now = clock.millis();
            t.all().forEach(l -> remember(l, macOf(l.duid(), null), now));
            SUMMARY.info("dhcp6 pool {} - {}: {} bindings stored", Ipv6.text(s.rangeStart()), Ipv6.text(s.rangeEnd()),
                    t.all().size());
            s.relays().forEach(l -> SUMMARY.info("dhcp6 pool {} - {} for relayed link {}", Ipv6.text(l.rangeStart()),
                    Ipv6.text(l.rangeEnd()), l.prefix()));
        }
        Dhcp6Engine engine = new Dhcp6Engine(s, t, clock);
        // Before the socket opens (and so before "Astralboot ready"): see Dhcp6WarmUp.
        org.astralboot.server.WarmUp.run(log, "dhcp6", () -> Dhcp6WarmUp.run(s, clock));
        group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread th = new Thread(r, "dhcp6");
            th.setDaemon(true);
            return th;
        }, EpollIoHandler.newFactory());
        byte[] dev = (cfg.iface() + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer devBuf = ByteBuffer.allocateDirect(dev.length).put(dev).flip();
        Bootstrap b = new Bootstrap().group(group)
                .channelFactory(() -> new EpollDatagramChannel(SocketProtocolFamily.INET6))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.IP_MULTICAST_IF, ni)
                .option(new RawUnixChannelOption("SO_BINDTODEVICE", SOL_SOCKET, SO_BINDTODEVICE, dev.length), devBuf)
                .handler(new Handler(engine));
        try {
            channel = b.bind(new InetSocketAddress(InetAddress.getByName("::"), port)).sync().channel();
            ((EpollDatagramChannel) channel).joinGroup(InetAddress.getByName(ALL_SERVERS), ni, null).sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while binding UDP [::]:" + port);
        } catch (Exception e) {
            close();
            throw new IOException("cannot bind UDP [::]:" + port + " on interface " + cfg.iface() + " and join "
                    + ALL_SERVERS + ": " + e.getMessage(), e);
        }
        org.astralboot.server.WarmUp.firstBuffer(channel); // before "listening" (and "ready")
        SUMMARY.info("dhcp6 listening on [::]:{} (interface {}, {} mode, server {}, DUID {})", port, cfg.iface(),
                s.mode().name().toLowerCase(java.util.Locale.ROOT), Ipv6.text(s.address()), serverId);
    }

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Dhcp6Engine engine;

        Handler(Dhcp6Engine engine) {
            this.engine = engine;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
            byte[] bytes = ByteBufUtil.getBytes(msg.content());
            InetSocketAddress from = msg.sender();
            Dhcp6Message req;
            Dhcp6Relay relay = null;
            switch (Dhcp6Codec.decode(bytes)) {
                case Dhcp6Decoded.Ok ok -> req = ok.message();
                case Dhcp6Decoded.Relayed r -> {
                    relay = r.relay();
                    req = relay.innermost();
                }
                case Dhcp6Decoded.Malformed m -> {
                    log.debug("dhcp6 dropped malformed datagram #{} from {}: {}", malformed.incrementAndGet(), from,
                            m.reason());
                    Dhcp6Events.unanswered(events, null, null, null, Dhcp6Events.MALFORMED, m.reason());
                    return;
                }
                case Dhcp6Decoded.Unsupported u -> {
                    log.debug("dhcp6 dropped datagram from {}: {}", from, u.reason());
                    Dhcp6Events.unanswered(events, null, null, null, Dhcp6Events.UNSUPPORTED, u.reason());
                    return;
                }
            }
            if (log.isTraceEnabled()) {
                log.trace("dhcp6 in from {}: {}", from, relay != null ? relay : req);
            }
            org.astralboot.net.MacAddress mac = relay != null ? relayedMacOf(req.clientId().orElse(null), relay)
                    : macOf(req.clientId().orElse(null), from.getAddress());
            Firmware fw = Dhcp6Firmware.of(req);
            noteBooting(req, mac, fw);
            Dhcp6Events.received(events, req, mac, fw);
            Dhcp6Engine.Answer answer;
            try {
                answer = relay != null ? engine.answer(relay) : engine.answer(req);
            } catch (RuntimeException e) {
                log.error("dhcp6 engine failed on {}: {}", req, e.toString(), e);
                Dhcp6Events.unanswered(events, req, mac, fw, Dhcp6Events.ERROR, "server error: " + e);
                return;
            }
            if (answer.reply() == null) {
                Dhcp6Events.unanswered(events, req, mac, fw, answer.silence().label, answer.detail());
                return;
            }
            Dhcp6Reply reply = answer.reply();
            long commit = -1;
            if (reply.leaseChanged()) {
                long t0 = System.nanoTime();
                try {
                    db.commit(); // the binding is durable before the client is told about it
                } catch (IOException | RuntimeException e) {
                    log.error("dhcp6: cannot commit bindings, reply to {} not sent: {}", from, e.toString());
                    Dhcp6Events.unanswered(events, req, mac, fw, Dhcp6Events.COMMIT_FAILED,
                            "bindings not committed: " + e.getMessage());
                    storeBroken("dhcp6 binding commit failed, the database cannot be written (" + e.getMessage()
                            + "): stopping, since no further Reply could be made durable");
                    return;
                }
                commit = System.nanoTime() - t0;
                events.dhcp6Commit(commit, reply.changed().size());
                long now = clock.millis();
                reply.changed().forEach(l -> remember(l, mac, now));
            }
            byte[] out = Dhcp6Codec.encode(reply.wire());
            // RFC 8415 §7.2, §18.3.10: a Relay-reply goes to the relay agent's address, port 547.
            InetSocketAddress to = reply.relay() != null ? new InetSocketAddress(from.getAddress(), SERVER_PORT) : from;
            if (log.isTraceEnabled()) {
                log.trace("dhcp6 out to {}: {}", to, reply.wire());
            }
            Channel ch = ctx.channel();
            ch.writeAndFlush(new DatagramPacket(ch.alloc().buffer(out.length).writeBytes(out), to));
            Dhcp6Events.sent(events, req, reply, mac, fw, commit);
        }
    }

    /** The interface's global IPv6 addresses (RFC 4291 §2.5.4), in the kernel's order. */
    public static List<Inet6Address> globalAddresses(String iface) throws SocketException {
        NetworkInterface ni = NetworkInterface.getByName(iface);
        if (ni == null) {
            return List.of();
        }
        List<Inet6Address> out = new ArrayList<>();
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
            if (a instanceof Inet6Address a6 && Ipv6.global(a6)) {
                out.add(a6);
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
    }
}

package org.astralboot.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.BindException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.config.Config;
import org.astralboot.dns.codec.DnsCodec;
import org.astralboot.dns.engine.DnsDecision;
import org.astralboot.dns.engine.DnsEngine;
import org.astralboot.dns.engine.DnsSettings;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.server.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The DNS transport: UDP and TCP on the server's own address only (port 53 by default), each query
 * decoded by {@link DnsCodec}, decided by {@link DnsEngine}, and answered or forwarded upstream.
 *
 * <p>Limits, so that no client exhausts the service for others: TCP connections
 * ({@value #MAX_TCP_CONNECTIONS} in all, {@value #MAX_TCP_PER_CLIENT} per client address, each
 * closed after {@value #TCP_IDLE_MILLIS} ms idle between queries, RFC 7766 §6.2.3, and after
 * {@value #TCP_MESSAGE_MILLIS} ms spent reading the rest of one query once its first byte came, or
 * writing one answer, so that a client trickling bytes or never reading holds nothing for long) and
 * forwarded queries in flight ({@value #MAX_FORWARDS} in all, {@value #MAX_FORWARDS_PER_CLIENT}
 * per client; beyond them a query gets SERVFAIL at once). An upstream gets
 * {@value #UPSTREAM_TIMEOUT_MILLIS} ms before the next one is asked.
 */
public final class DnsService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(DnsService.class);

    static final int MAX_TCP_CONNECTIONS = 64;
    static final int MAX_TCP_PER_CLIENT = 8;
    static final int TCP_IDLE_MILLIS = 10_000;
    static final int TCP_MESSAGE_MILLIS = 5_000;
    static final int MAX_FORWARDS = 256;
    static final int MAX_FORWARDS_PER_CLIENT = 32;
    static final int UPSTREAM_TIMEOUT_MILLIS = 2_000;

    private final DnsSettings settings;
    private final DnsEngine engine;
    private final int port;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("dns-", 0).factory());
    /** Closes a TCP connection whose query or answer overran {@link #TCP_MESSAGE_MILLIS}. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("dns-tcp-deadline").daemon().factory());
    private final Semaphore forwards = new Semaphore(MAX_FORWARDS);
    private final Semaphore tcpConnections = new Semaphore(MAX_TCP_CONNECTIONS);
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perClientForwards = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perClientTcp = new ConcurrentHashMap<>();
    private final AtomicLong queries = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private volatile DatagramSocket udp;
    private volatile ServerSocket tcp;
    private volatile boolean closed;

    /**
     * @param settings the zone, the server's address and the upstream servers
     * @param hosts    the machines' names (the DHCP lease table)
     * @param port     UDP and TCP port (53; tests use another)
     */
    public DnsService(DnsSettings settings, HostLookup hosts, int port) {
        this.settings = settings;
        this.engine = new DnsEngine(settings, hosts);
        this.port = port;
    }

    /** The engine's settings from the config: the zone {@code domain}, this server's address and subnet. */
    public static DnsSettings settings(Config cfg) {
        Name zone;
        try {
            zone = Name.fromString(cfg.domain(), Name.root);
        } catch (TextParseException e) {
            // The config checks the domain's syntax at load: a bad one here is a bug.
            throw new IllegalArgumentException("domain '" + cfg.domain() + "': " + e.getMessage(), e);
        }
        return new DnsSettings(zone, cfg.address(), cfg.subnet(),
                cfg.dns().upstream().stream().map(a -> new InetSocketAddress(a, 53)).toList(),
                cfg.dns().ttl().toSeconds(), System.currentTimeMillis() / 1000);
    }

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public void start() throws IOException {
        InetSocketAddress at = new InetSocketAddress(settings.server(), port);
        try {
            udp = new DatagramSocket(at);
            tcp = new ServerSocket();
            tcp.setReuseAddress(true);
            tcp.bind(at, 64);
        } catch (IOException e) {
            close();
            String hint = e instanceof BindException
                    ? "; another DNS server (systemd-resolved, dnsmasq, named) may hold the port: stop it, or set"
                            + " [dns] enabled = false (or another [dns] port)"
                    : "";
            throw new IOException("cannot listen on " + Ipv4.text(settings.server()) + ":" + port + " (UDP and TCP): "
                    + e.getMessage() + hint, e);
        }
        Thread.ofPlatform().name("dns-udp").daemon().start(this::udpLoop);
        Thread.ofPlatform().name("dns-tcp").daemon().start(this::tcpLoop);
        LOG.info("dns: authoritative for {} and the reverse zone of {}, on {}:{}; other names {}", settings.zone(),
                settings.subnet(), Ipv4.text(settings.server()), port,
                settings.upstream().isEmpty() ? "refused" : "forwarded to " + settings.upstream());
    }

    /** Queries received, malformed ones and forwarded ones since start (for logs and metrics). */
    public long[] counters() {
        return new long[] {queries.get(), malformed.get(), forwarded.get()};
    }

    private void udpLoop() {
        byte[] buf = new byte[DnsCodec.MAX_TCP_MESSAGE];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!closed) {
            try {
                p.setData(buf);
                udp.receive(p);
                InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
                byte[] q = Arrays.copyOf(p.getData(), p.getLength());
                answerUdp(q, from);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("dns: udp receive: {}", e.toString());
                }
            } catch (RuntimeException e) {
                LOG.error("dns: udp query failed", e);
            }
        }
    }

    private void answerUdp(byte[] q, InetSocketAddress from) throws IOException {
        queries.incrementAndGet();
        switch (DnsCodec.decode(q, q.length)) {
            case DnsCodec.Ignored i -> LOG.debug("dns: {} from {} ignored", i.why(), from);
            case DnsCodec.Malformed m -> {
                malformed.incrementAndGet();
                LOG.debug("dns: malformed query from {}: {}", from, m.why());
                sendUdp(DnsCodec.encode(m.reply(), DnsCodec.CLASSIC_UDP_PAYLOAD), from);
            }
            case DnsCodec.Query query -> {
                int limit = DnsCodec.udpLimit(query.message());
                switch (engine.decide(query.message())) {
                    case DnsDecision.Reply r -> sendUdp(DnsCodec.encode(r.message(), limit), from);
                    case DnsDecision.Forward f -> forward(q, from, f, limit, bytes -> sendUdp(bytes, from), false);
                }
            }
        }
    }

    private void sendUdp(byte[] b, InetSocketAddress to) throws IOException {
        udp.send(new DatagramPacket(b, b.length, to));
    }

    @FunctionalInterface
    private interface Answer {
        void send(byte[] bytes) throws IOException;
    }

    /**
     * Asks the upstream servers in turn on a worker and sends what the first one answers; SERVFAIL
     * when none answers, or at once when the forward caps are reached.
     */
    private void forward(byte[] q, InetSocketAddress from, DnsDecision.Forward f, int limit, Answer answer,
            boolean viaTcp) throws IOException {
        AtomicInteger mine = perClientForwards.computeIfAbsent(from.getAddress(), a -> new AtomicInteger());
        if (mine.incrementAndGet() > MAX_FORWARDS_PER_CLIENT || !forwards.tryAcquire()) {
            release(perClientForwards, from.getAddress(), mine);
            LOG.debug("dns: forward cap reached, SERVFAIL to {}", from);
            answer.send(DnsCodec.encode(f.fallback(), limit));
            return;
        }
        forwarded.incrementAndGet();
        Runnable task = () -> {
            try {
                byte[] reply = null;
                for (InetSocketAddress up : settings.upstream()) {
                    reply = viaTcp ? askTcp(up, q) : askUdp(up, q);
                    if (reply != null) {
                        break;
                    }
                }
                answer.send(reply != null ? reply : DnsCodec.encode(f.fallback(), limit));
            } catch (IOException e) {
                LOG.debug("dns: answering {} failed: {}", from, e.toString());
            } finally {
                forwards.release();
                release(perClientForwards, from.getAddress(), mine);
            }
        };
        if (viaTcp) {
            task.run(); // already on the connection's own virtual thread
        } else {
            workers.execute(task);
        }
    }

    private static void release(ConcurrentHashMap<InetAddress, AtomicInteger> map, InetAddress a, AtomicInteger n) {
        if (n.decrementAndGet() <= 0) {
            map.remove(a, n);
        }
    }

    /** One UDP exchange with an upstream; null on timeout or an answer that does not match. */
    private static byte[] askUdp(InetSocketAddress up, byte[] q) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(UPSTREAM_TIMEOUT_MILLIS);
            s.connect(up);
            s.send(new DatagramPacket(q, q.length));
            byte[] buf = new byte[DnsCodec.MAX_TCP_MESSAGE];
            long deadline = System.nanoTime() + UPSTREAM_TIMEOUT_MILLIS * 1_000_000L;
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                // Same id as the query and QR set: anything else is not our answer.
                if (p.getLength() >= DnsCodec.HEADER_BYTES && buf[0] == q[0] && buf[1] == q[1] && (buf[2] & 0x80) != 0) {
                    return Arrays.copyOf(buf, p.getLength());
                }
            }
        } catch (IOException e) {
            LOG.debug("dns: upstream {}: {}", up, e.toString());
        }
        return null;
    }

    /** One TCP exchange with an upstream; null when it fails. */
    private static byte[] askTcp(InetSocketAddress up, byte[] q) {
        try (Socket s = new Socket()) {
            s.connect(up, UPSTREAM_TIMEOUT_MILLIS);
            s.setSoTimeout(UPSTREAM_TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(q.length);
            out.write(q);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] r = new byte[in.readUnsignedShort()];
            in.readFully(r);
            return r.length >= DnsCodec.HEADER_BYTES && r[0] == q[0] && r[1] == q[1] ? r : null;
        } catch (IOException e) {
            LOG.debug("dns: upstream {} (tcp): {}", up, e.toString());
            return null;
        }
    }

    private void tcpLoop() {
        while (!closed) {
            Socket c;
            try {
                c = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("dns: tcp accept: {}", e.toString());
                }
                continue;
            }
            InetAddress client = c.getInetAddress();
            AtomicInteger mine = perClientTcp.computeIfAbsent(client, a -> new AtomicInteger());
            if (mine.incrementAndGet() > MAX_TCP_PER_CLIENT || !tcpConnections.tryAcquire()) {
                release(perClientTcp, client, mine);
                LOG.debug("dns: tcp connection cap reached, closing one from {}", client);
                closeQuietly(c);
                continue;
            }
            workers.execute(() -> {
                try {
                    serveTcp(c);
                } finally {
                    closeQuietly(c);
                    tcpConnections.release();
                    release(perClientTcp, client, mine);
                }
            });
        }
    }

    /** Closes {@code c} unless the returned future is cancelled within {@link #TCP_MESSAGE_MILLIS}. */
    private ScheduledFuture<?> deadline(Socket c) {
        return deadlines.schedule(() -> {
            LOG.debug("dns: tcp {}: no complete message within {} ms, closing", c.getRemoteSocketAddress(),
                    TCP_MESSAGE_MILLIS);
            closeQuietly(c);
        }, TCP_MESSAGE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Queries on one connection, one after another, until the client closes or idles (RFC 7766 §6.2.1). */
    private void serveTcp(Socket c) {
        InetSocketAddress from = (InetSocketAddress) c.getRemoteSocketAddress();
        try {
            c.setSoTimeout(TCP_IDLE_MILLIS);
            DataInputStream in = new DataInputStream(c.getInputStream());
            DataOutputStream out = new DataOutputStream(c.getOutputStream());
            Answer send = bytes -> {
                ScheduledFuture<?> overrun = deadline(c);
                try {
                    out.writeShort(bytes.length);
                    out.write(bytes);
                    out.flush();
                } finally {
                    overrun.cancel(false);
                }
            };
            while (!closed) {
                int first;
                try {
                    first = in.read();
                } catch (SocketTimeoutException e) {
                    return;
                }
                if (first < 0) {
                    return;
                }
                byte[] q;
                ScheduledFuture<?> overrun = deadline(c);
                try {
                    int n = (first << 8) | in.readUnsignedByte();
                    q = new byte[n];
                    in.readFully(q);
                } catch (EOFException e) {
                    return;
                } finally {
                    overrun.cancel(false);
                }
                int n = q.length;
                queries.incrementAndGet();
                switch (DnsCodec.decode(q, n)) {
                    case DnsCodec.Ignored i -> {
                        LOG.debug("dns: {} from {} (tcp): closing", i.why(), from);
                        return;
                    }
                    case DnsCodec.Malformed m -> {
                        malformed.incrementAndGet();
                        LOG.debug("dns: malformed query from {} (tcp): {}", from, m.why());
                        send.send(DnsCodec.encode(m.reply(), DnsCodec.MAX_TCP_MESSAGE));
                    }
                    case DnsCodec.Query query -> {
                        switch (engine.decide(query.message())) {
                            case DnsDecision.Reply r -> send.send(DnsCodec.encode(r.message(), DnsCodec.MAX_TCP_MESSAGE));
                            case DnsDecision.Forward f -> forward(q, from, f, DnsCodec.MAX_TCP_MESSAGE, send, true);
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("dns: tcp {}: {}", from, e.toString());
        } catch (RuntimeException e) {
            LOG.error("dns: tcp query from {} failed", from, e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // closing: nothing left to do with it
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(udp);
        closeQuietly(tcp);
        workers.shutdownNow();
        deadlines.shutdownNow();
    }
}

package org.astralboot.tftp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.astralboot.config.Config;
import org.astralboot.net.Ipv4;
import org.astralboot.events.Events;
import org.astralboot.net.QuirkCounter;
import org.astralboot.server.Service;
import org.astralboot.store.BootStore;
import org.astralboot.tftp.codec.TftpCodec;
import org.astralboot.tftp.codec.TftpCodecException;
import org.astralboot.tftp.codec.TftpErrorCode;
import org.astralboot.tftp.codec.TftpOpcode;
import org.astralboot.tftp.codec.TftpPacket;
import org.astralboot.tftp.codec.TftpQuirk;
import org.astralboot.tftp.engine.TftpLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only TFTP server (RFC 1350, 2347-2349, 7440) on {@code address:tftp.port}. The listener
 * only decodes requests; each read runs in its own {@link TftpSession} on a fresh ephemeral port
 * (its TID) and thread, at most {@code tftp.max_transfers} at a time and at most
 * {@code tftp.max_transfers_per_client} for one source address, so one host (or one forged source)
 * cannot take every transfer. Files come from {@code tftp/} of the {@link BootStore}.
 */
public final class TftpService implements Service {
    private static final Logger log = LoggerFactory.getLogger(TftpService.class);

    private final Config config;
    private final BootStore store;
    private final Clock clock;
    private final TftpLimits limits;
    private final Semaphore permits;
    private final QuirkCounter<TftpQuirk> quirks = new QuirkCounter<>(TftpQuirk.class);
    private final Events events;
    private final Map<SocketAddress, TftpSession> active = new ConcurrentHashMap<>();
    /** Running transfers per client address (any port); entries are removed at zero. */
    private final Map<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private volatile DatagramSocket listener;
    private volatile boolean closed;
    private ExecutorService executor;
    private Thread listenerThread;
    /** The IPv6 listener ({@code [ipv6]} on), or {@code null}. */
    private volatile DatagramSocket listener6;
    private Thread listenerThread6;


    public TftpService(Config config, BootStore store) {
        this(config, store, new MonotonicClock());
    }

    /** @param events where each transfer's start, end or error is reported (the admin interface) */
    public TftpService(Config config, BootStore store, Events events) {
        this(config, store, new MonotonicClock(), events);
    }

    TftpService(Config config, BootStore store, Clock clock) {
        this(config, store, clock, Events.NONE);
    }

    TftpService(Config config, BootStore store, Clock clock, Events events) {
        this.events = events;
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.limits = limits(config.tftp());
        this.permits = new Semaphore(config.tftp().maxTransfers());
    }

    /** The engine's settings from the {@code [tftp]} keys: the engine never sees {@link Config}. */
    static TftpLimits limits(Config.Tftp t) {
        return new TftpLimits(t.maxBlksize(), t.maxWindowsize(), t.timeout(), t.retries(), t.ackSpinMicros(),
                t.maxClientTimeout(), t.firstAckTimeout());
    }

    @Override
    public String name() {
        return "tftp";
    }

    @Override
    public synchronized void start() throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        InetSocketAddress at = new InetSocketAddress(config.address(), config.tftp().port());
        DatagramSocket s;
        try {
            s = new DatagramSocket(at);
        } catch (SocketException e) {
            throw new IOException("tftp cannot bind " + Ipv4.text(config.address()) + ":" + config.tftp().port()
                    + ": " + e.getMessage(), e);
        }
        s.setReceiveBufferSize(1 << 20);
        listener = s;
        executor = Executors.newCachedThreadPool(Thread.ofPlatform().name("tftp-", 0).daemon().factory());
        listenerThread = Thread.ofPlatform().name("tftp-listener").daemon().start(() -> listen(s));

        log.info("tftp listening on {}:{}", Ipv4.text(config.address()), s.getLocalPort());
        java.net.Inet6Address v6 = config.dhcp6().on() ? config.dhcp6().address() : null;
        if (v6 != null) {
            // UEFI PXE over IPv6 fetches tftp://[address]/... (RFC 5970 §3.1): the same service there.
            DatagramSocket s6;
            try {
                s6 = new DatagramSocket(new InetSocketAddress(v6, s.getLocalPort()));
            } catch (SocketException e) {
                close();
                throw new IOException("tftp cannot bind [" + org.astralboot.net.Ipv6.text(v6) + "]:" + s.getLocalPort()
                        + ": " + e.getMessage(), e);
            }
            s6.setReceiveBufferSize(1 << 20);
            listener6 = s6;
            listenerThread6 = Thread.ofPlatform().name("tftp-listener6").daemon().start(() -> listen(s6));
            log.info("tftp listening on [{}]:{}", org.astralboot.net.Ipv6.text(v6), s6.getLocalPort());
        }
    }

    /** The bound listener port (useful when the config asked for port 0). */
    public int port() {
        DatagramSocket s = listener;
        return s == null ? -1 : s.getLocalPort();
    }

    /** How often each client quirk was tolerated since this service was made (for metrics). */
    Events events() {
        return events;
    }

    public QuirkCounter<TftpQuirk> quirks() {
        return quirks;
    }

    /** Transfers running now. */
    public int activeTransfers() {
        return active.size();
    }

    private void listen(DatagramSocket s) {
        byte[] buf = new byte[TftpCodec.MAX_PACKET];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!closed) {
            try {
                p.setLength(buf.length);
                s.receive(p);
                handle(p);
            } catch (IOException e) {
                if (!closed) {
                    log.warn("tftp listener: {}", e.toString());
                }
            } catch (RuntimeException e) {
                log.error("tftp listener: unexpected failure on a request from {}", p.getSocketAddress(), e);
            }
        }
    }

    private void handle(DatagramPacket p) throws IOException {
        InetSocketAddress client = (InetSocketAddress) p.getSocketAddress();
        TftpPacket packet;
        try {
            packet = TftpCodec.decode(p.getData(), 0, p.getLength(), quirks);
        } catch (TftpCodecException e) {
            // Never answer something that claims to be an ERROR: two servers could loop.
            if (TftpCodec.peekOpcode(p.getData(), p.getLength()) != TftpOpcode.ERROR.code()) {
                if (e.code() == TftpErrorCode.FILE_NOT_FOUND) {
                    log.debug("tftp RRQ from {}: ERROR 1 {}", text(client), e.getMessage()); // a name that is not UTF-8
                } else {
                    log.info("tftp bad request from {}: {}", text(client), e.getMessage());
                }
                // Counted, but no event: anything on the network can send datagrams that do not
                // decode, and they must not push booting machines out of the kept events.
                events.tftpError(e.code().code());
                reply(client, e.toPacket());
            }
            return;
        }
        switch (packet) {
            case TftpPacket.Rrq rrq -> startTransfer(client, rrq);
            case TftpPacket.Wrq wrq -> {
                log.info("tftp WRQ {} from {} refused: read-only server", TftpCodec.printable(wrq.filename()), text(client));
                refuse(client, TftpCodec.printable(wrq.filename()) + " (write request)",
                        new TftpPacket.Error(TftpErrorCode.ACCESS_VIOLATION, "access violation: this server is read-only"));
            }
            case TftpPacket.Error e -> log.debug("tftp ERROR {} from {} on the listener ignored", e.code(), text(client));
            default -> {
                log.debug("tftp {} from {} on the listener port refused", packet.opcode(), text(client));
                refuse(client, packet.opcode().toString(), new TftpPacket.Error(TftpErrorCode.ILLEGAL_OPERATION,
                        "illegal TFTP operation: " + packet.opcode() + " sent to the request port"));
            }
        }
    }

    private void startTransfer(InetSocketAddress client, TftpPacket.Rrq rrq) throws IOException {
        TftpSession running = active.get(client);
        if (running != null && running.isRepeat(rrq)) {
            // The client resent its request: the running transfer answers it (at once, if it
            // is still waiting for the first ACK); a second transfer would send every block twice.
            log.debug("tftp repeated RRQ from {} passed to its transfer", text(client));
            running.requestRepeated();
            return;
        }
        if (running != null) {
            // Another request, or the same once the old download is over but for its final ACK: a
            // new conversation from this port (firmware that reuses its port, or a new client that
            // got it). The old transfer stops at once so that nothing of it reaches the new one.
            log.info("tftp RRQ {} from {}: a new request from the port of a running transfer, which ends",
                    TftpCodec.printable(rrq.filename()), text(client));
            running.supersede();
            active.remove(client, running);
        }
        int cap = config.tftp().maxTransfersPerClient();
        boolean[] admitted = {false};
        perClient.compute(client.getAddress(), (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= cap) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0] && running != null) {
            // The superseded transfer holds its place until it wakes: no ERROR (it would fail the
            // client's next file) and no place past the cap (alternating names from one port must not
            // add transfers). The client's retransmission finds the place free.
            log.debug("tftp RRQ {} from {} dropped for now: {} transfers to the address, one of them the one it supersedes",
                    TftpCodec.printable(rrq.filename()), text(client), cap);
            return;
        }
        if (!admitted[0]) {
            log.info("tftp RRQ {} from {} refused: {} transfers to {} running", TftpCodec.printable(rrq.filename()),
                    text(client), cap, client.getAddress().getHostAddress());
            refuse(client, TftpCodec.printable(rrq.filename()), new TftpPacket.Error(TftpErrorCode.NOT_DEFINED,
                    "too many transfers from this address, retry later"));
            return;
        }
        if (!permits.tryAcquire()) {
            releaseClient(client.getAddress());
            log.warn("tftp RRQ {} from {} refused: {} transfers running", TftpCodec.printable(rrq.filename()),
                    text(client), config.tftp().maxTransfers());
            refuse(client, TftpCodec.printable(rrq.filename()), new TftpPacket.Error(TftpErrorCode.NOT_DEFINED,
                    "server busy: " + config.tftp().maxTransfers() + " transfers running, retry later"));
            return;
        }
        TftpSession session = new TftpSession(this, client, rrq);
        active.put(client, session);
        try {
            executor.execute(session);
        } catch (RuntimeException e) {
            active.remove(client, session);
            releaseClient(client.getAddress());
            permits.release();
            throw e;
        }
    }

    void finished(TftpSession session) {
        active.remove(session.client(), session);
        releaseClient(session.client().getAddress());
        permits.release();
    }

    private void releaseClient(InetAddress a) {
        perClient.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** A request refused on the listener port: the ERROR sent, an event and a count. */
    private void refuse(InetSocketAddress to, String what, TftpPacket.Error error) throws IOException {
        events.tftpError(error.code());
        events.emit(org.astralboot.events.BootEvent.of(org.astralboot.events.BootEvent.Kind.TFTP_ERROR, "",
                to.getAddress().getHostAddress(), "", what + ": ERROR " + error.code() + " " + error.message()));
        reply(to, error);
    }

    private void reply(InetSocketAddress to, TftpPacket.Error error) throws IOException {
        byte[] b = TftpCodec.encode(error);
        DatagramSocket s = to.getAddress() instanceof java.net.Inet6Address && listener6 != null ? listener6 : listener;
        s.send(new DatagramPacket(b, b.length, to));
    }

    Config config() {
        return config;
    }

    BootStore store() {
        return store;
    }

    Clock clock() {
        return clock;
    }

    TftpLimits limits() {
        return limits;
    }

    boolean closed() {
        return closed;
    }

    static String text(InetSocketAddress a) {
        if (a.getAddress() instanceof java.net.Inet6Address v6) {
            return org.astralboot.net.Ipv6.bracketed(v6) + ":" + a.getPort();
        }
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        DatagramSocket s = listener;
        if (s != null) {
            s.close();
        }
        DatagramSocket s6 = listener6;
        if (s6 != null) {
            s6.close();
        }
        for (TftpSession t : active.values()) {
            t.abort();
        }

        if (executor != null) {
            executor.shutdownNow();
            try {
                if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("tftp: transfers still running after close");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Thread t : new Thread[] {listenerThread, listenerThread6}) {
            if (t != null) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        log.info("tftp stopped");
    }
}

package org.astralboot.tftp;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.net.QuirkSink;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;
import org.astralboot.tftp.codec.NetasciiInputStream;
import org.astralboot.tftp.codec.TftpCodec;
import org.astralboot.tftp.codec.TftpCodecException;
import org.astralboot.tftp.codec.TftpErrorCode;
import org.astralboot.tftp.codec.TftpException;
import org.astralboot.tftp.codec.TftpMode;
import org.astralboot.tftp.codec.TftpOpcode;
import org.astralboot.tftp.codec.TftpPacket;
import org.astralboot.tftp.codec.TftpQuirk;
import org.astralboot.tftp.engine.TftpNegotiation;
import org.astralboot.tftp.engine.TftpTransfer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read transfer on its own ephemeral UDP port: resolves the file, negotiates, then drives a
 * {@link TftpTransfer} with the socket. Packets from any other address or port get ERROR 5 and do
 * not touch the transfer (RFC 1350 §4). Every {@link TftpException} becomes an ERROR packet here.
 */
final class TftpSession implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(TftpSession.class);
    /** Files are served from this folder of the boot tree. */
    static final TreePath TFTP_ROOT = new TreePath(List.of("tftp"));

    private final TftpService service;
    private final InetSocketAddress client;
    private final TftpPacket.Rrq rrq;
    private volatile DatagramChannel channel;
    private volatile Selector selector;
    /** Set by the listener when the client repeats its request; read by the session thread. */
    private volatile boolean requestRepeated;
    /** Set by the listener when the client's TID starts a new conversation; read by the session thread. */
    private volatile boolean superseded;
    /**
     * Whether a copy of {@link #rrq} from the client is still a repeat of it, as
     * {@link TftpTransfer#takesRepeatedRequest(boolean)} last said; written by the session thread.
     */
    private volatile boolean takesRepeat = true;

    TftpSession(TftpService service, InetSocketAddress client, TftpPacket.Rrq rrq) {
        this.service = service;
        this.client = client;
        this.rrq = rrq;
    }

    InetSocketAddress client() {
        return client;
    }

    /** The listener saw the same request from the same TID again. */
    void requestRepeated() {
        requestRepeated = true;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    /**
     * Whether {@code request}, from this transfer's client TID, is a copy of the request this
     * transfer answers; if not, the listener {@link #supersede() supersedes} it.
     */
    boolean isRepeat(TftpPacket.Rrq request) {
        return takesRepeat && request.equals(rrq);
    }

    /** The client's TID sent a new request: end without sending anything more to it. */
    void supersede() {
        superseded = true;
        takesRepeat = false;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    void abort() {
        DatagramChannel c = channel;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing only to unblock the receive
            }
        }
    }

    @Override
    public void run() {
        String who = TftpService.text(client);
        String name = TftpCodec.printable(rrq.filename());
        boolean v6 = client.getAddress() instanceof java.net.Inet6Address;
        try (DatagramChannel ch = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                Selector selector = Selector.open()) {
            channel = ch;
            this.selector = selector;
            // The transfer's port on the address the request came to: a client over IPv6 talks to
            // the [ipv6] address (the one its tftp:// URL names).
            ch.bind(new InetSocketAddress(v6 ? service.config().dhcp6().address() : service.config().address(), 0));
            // A whole window must fit: 64 x 1468-byte blocks is ~94 KB (more with skb overhead).
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            ch.configureBlocking(false);
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
            if (service.closed()) {
                return;
            }
            Io io = new Io(ch, selector, key);
            try {
                serve(io, who, name);
            } catch (TftpException e) {
                log.info("tftp RRQ {} from {}: ERROR {} {}", name, who, e.code().code(), e.getMessage());
                error(name, "ERROR " + e.code().code() + " " + e.getMessage(), -1, -1, e.code().code());
                io.send(ByteBuffer.wrap(TftpCodec.encode(e.toPacket())), client);
            }
        } catch (ClosedChannelException e) {
            if (!service.closed()) {
                log.warn("tftp transfer of {} to {}: channel closed", name, who);
                error(name, "channel closed", -1, -1, -1);
            }
        } catch (IOException | RuntimeException e) {
            if (service.closed()) {
                log.debug("tftp transfer of {} to {} stopped: {}", name, who, e.toString());
            } else {
                log.warn("tftp transfer of {} to {} failed", name, who, e);
                error(name, "failed: " + e, -1, -1, -1);
            }
        } finally {
            channel = null;
            selector = null;
            service.finished(this);
        }
    }

    /**
     * Resolves {@code name} under {@code tftp/}. One leading '/' is stripped: many PXE configs
     * write {@code /pxelinux.0} and mean the TFTP root. Everything {@link TreePath} refuses
     * ({@code ..}, a second leading '/', backslashes, NUL, control characters, '%') is an access
     * violation; a symbolic link out of the tree is absent, so the client gets "not found".
     */
    static BootFile resolve(org.astralboot.store.BootStore store, String filename) throws TftpException {
        return resolve(store, filename, QuirkSink.none());
    }

    /** As {@link #resolve(org.astralboot.store.BootStore, String)}, reporting {@link TftpQuirk#LEADING_SLASH}. */
    static BootFile resolve(org.astralboot.store.BootStore store, String filename, QuirkSink<TftpQuirk> quirks)
            throws TftpException {
        boolean slash = filename.startsWith("/");
        String rel = filename;
        if (slash) {
            rel = filename.substring(1);
            log.debug("tftp quirk {}: '{}' served as '{}'", TftpQuirk.LEADING_SLASH, TftpCodec.printable(filename),
                    TftpCodec.printable(rel));
        }
        TreePath p;
        try {
            p = TreePath.parse(rel);
        } catch (InvalidPathException e) {
            throw new TftpException(TftpErrorCode.ACCESS_VIOLATION, "access violation: " + e.getMessage());
        }
        if (p.isRoot()) {
            throw new TftpException(TftpErrorCode.FILE_NOT_FOUND, "file not found: " + TftpCodec.printable(filename));
        }
        try {
            Optional<BootFile> f = store.file(TFTP_ROOT.resolve(p));
            if (f.isEmpty()) {
                throw new TftpException(TftpErrorCode.FILE_NOT_FOUND, "file not found: " + TftpCodec.printable(filename));
            }
            if (slash) { // reported only for a name that was served
                quirks.tolerated(TftpQuirk.LEADING_SLASH);
            }
            return f.get();
        } catch (BootStoreException e) {
            throw storeError(e);
        }
    }

    static TftpException storeError(IOException e) {
        if (e instanceof BootStoreException b && b.kind() == BootStoreException.Kind.UNAVAILABLE) {
            return new TftpException(TftpErrorCode.NOT_DEFINED, "boot store unavailable, retry later: " + e.getMessage(), e);
        }
        return new TftpException(TftpErrorCode.NOT_DEFINED, "cannot read file: " + e.getMessage(), e);
    }

    /**
     * Reports a transfer that failed (the MAC is filled in by whoever knows the address's lease),
     * {@code code} the TFTP error code of the ERROR sent or received, -1 for none. Events are for
     * the admin interface and never fail a transfer.
     */
    private void error(String name, String why, long bytes, long ms, int code) {
        service.events().tftpError(code);
        service.events().emit(BootEvent.transfer(Kind.TFTP_ERROR, "", client.getAddress().getHostAddress(), "",
                name + ": " + why, bytes, ms));
    }

    /** Retransmissions of one transfer that are events too (all are counted in the metrics). */
    static final int RETRANSMIT_EVENTS = 3;

    /** The transfer resent after a timeout: counted, and an event for the first few. */
    private void retransmitted(TftpTransfer t) {
        service.events().tftpRetransmit();
        long n = t.retransmissions();
        if (n <= RETRANSMIT_EVENTS) {
            service.events().emit(BootEvent.of(Kind.TFTP_RETRANSMIT, "", client.getAddress().getHostAddress(), "",
                    TftpCodec.printable(rrq.filename()) + ": no ACK after " + t.blocksAcked() + " blocks, resent (timeout "
                    + n + (n == RETRANSMIT_EVENTS ? "; further ones are only counted" : "") + ")"));
        }
    }

    private void serve(Io io, String who, String name) throws TftpException, IOException {
        if (rrq.mode() == TftpMode.MAIL) {
            throw new TftpException(TftpErrorCode.ILLEGAL_OPERATION, "illegal TFTP operation: mail mode is not supported");
        }
        BootFile file = resolve(service.store(), rrq.filename(), service.quirks());
        long size = file.size();
        TftpNegotiation n = TftpNegotiation.negotiate(rrq, size, service.limits(), service.quirks());
        long started = System.nanoTime();
        String ip = client.getAddress().getHostAddress();
        service.events().emit(BootEvent.of(Kind.TFTP_START, "", ip, "", name + " (" + size + " bytes, blksize "
                + n.blksize() + ", windowsize " + n.windowsize() + ")"));
        service.events().tftpActive(1);
        try (TftpBlockSource source = open(file, n)) {
            TftpTransfer t = new TftpTransfer(n, rrq.mode() == TftpMode.OCTET ? size : -1,
                    service.limits().retries(), service.limits().firstAckTimeout().toMillis(), service.clock(),
                    service.quirks());
            TftpTransfer.Outcome outcome = drive(io, t, source, n);
            long ms = (System.nanoTime() - started) / 1_000_000;
            switch (outcome) {
                case COMPLETE -> {
                    log.info("tftp sent {} to {}: {} bytes in {} ms ({}, blksize {}, windowsize {}, {} timeouts)",
                            name, who, size, ms, rrq.mode().wireName(), n.blksize(), n.windowsize(), t.retransmissions());
                    service.events().emit(BootEvent.transfer(Kind.TFTP_END, "", ip, "", name + " (blksize " + n.blksize()
                            + ", windowsize " + n.windowsize() + ", " + t.retransmissions() + " timeouts)", size, ms));
                }
                case SUPERSEDED -> {
                    // The client asked again from the same port: for a finished download, its final ACK
                    // was lost (or the port is a new client's); otherwise it gave this one up.
                    log.info("tftp {} to {} superseded by a new request from its port: {}", name, who,
                            t.allSent() ? "every block sent, the final ACK not seen" : t.blocksAcked() + " blocks acknowledged");
                    if (t.allSent()) {
                        service.events().emit(BootEvent.transfer(Kind.TFTP_END, "", ip, "", name + " (final ACK not"
                                + " seen: the client's port sent a new request)", size, ms));
                    } else {
                        error(name, "given up by the client after " + t.blocksAcked() + " blocks (a new request from"
                                + " its port)", t.blocksAcked() * (long) n.blksize(), ms, -1);
                    }
                }
                case OPTIONS_REJECTED -> {
                    log.info("tftp {} to {}: client refused the OACK (ERROR 8)", name, who);
                    // Firmware that probes the size this way asks again at once: not a failure.
                    service.events().emit(BootEvent.transfer(Kind.TFTP_END, "", ip, "", name + " (options refused by the"
                            + " client, ERROR 8)", 0, ms));
                }
                default -> {
                    log.info("tftp {} to {} ended: {} after {} blocks", name, who, outcome, t.blocksAcked());
                    error(name, outcome.toString().toLowerCase() + " after " + t.blocksAcked() + " blocks, "
                            + t.retransmissions() + " timeouts", t.blocksAcked() * (long) n.blksize(), ms, t.errorCode());
                }
            }
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw storeError(e);
        } finally {
            service.events().tftpActive(-1);
        }
    }

    private TftpBlockSource open(BootFile file, TftpNegotiation n) throws IOException {
        Optional<Path> local = file.localPath();
        if (rrq.mode() == TftpMode.OCTET && local.isPresent()) {
            FileChannel fc = FileChannel.open(local.get(), StandardOpenOption.READ);
            return new FileBlockSource(fc, file.size(), n.blksize(), n.windowsize(), file.path().toString());
        }
        InputStream in = new BufferedInputStream(file.open(), 64 * 1024);
        if (rrq.mode() == TftpMode.NETASCII) {
            in = new NetasciiInputStream(in);
        }
        return new StreamBlockSource(in, n.blksize(), n.windowsize());
    }

    /**
     * The socket loop: execute the engine's steps, feed it packets and timeouts. On the hot path
     * (an ACK in, the next block out) there is no allocation and no copy into the heap: blocks go
     * from the read-ahead buffer right behind their DATA header in a direct buffer.
     */
    private TftpTransfer.Outcome drive(Io io, TftpTransfer t, TftpBlockSource source, TftpNegotiation n)
            throws IOException {
        ByteBuffer out = ByteBuffer.allocateDirect(4 + n.blksize());
        // Only ACK and ERROR belong here; anything longer is refused after truncation anyway.
        ByteBuffer in = ByteBuffer.allocateDirect(IN_BUFFER);
        byte[] oack = n.oack().map(TftpCodec::encode).orElse(null);
        if (oack == null) {
            // Block 1 answers the request: read it before the first-ACK clock starts at begin(), so
            // a slow boot store (an IPFS fetch) is not counted as the client's silence.
            out.clear().position(4);
            source.read(0, out);
        }
        // The first answer answers every copy of the request that came while the file was being
        // opened (a slow boot store): resending it at once would only send it twice.
        requestRepeated = false;
        TftpTransfer.Step step = t.begin();
        while (true) {
            if (superseded && !(step instanceof TftpTransfer.Step.Finish)) {
                // Set by the listener (which also woke the selector): nothing more goes to this TID.
                step = t.onSuperseded();
            }
            switch (step) {
                case TftpTransfer.Step.SendOack o -> io.send(ByteBuffer.wrap(oack), client);
                case TftpTransfer.Step.SendBlocks b -> {
                    try {
                        source.release(b.first());
                        for (int i = 0; i < b.count(); i++) {
                            long idx = b.first() + i;
                            out.clear();
                            out.putShort((short) TftpOpcode.DATA.code()).putShort((short) TftpTransfer.wireBlock(idx));
                            int len = source.read(idx, out);
                            out.flip();
                            io.send(out, client);
                            if (len < n.blksize()) {
                                t.endsAt(idx);
                                break;
                            }
                        }
                    } catch (ClosedChannelException e) {
                        throw e;
                    } catch (IOException e) {
                        step = t.onSourceError(storeError(e).getMessage());
                        continue;
                    }
                }
                case TftpTransfer.Step.Finish f -> {
                    if (f.reply() != null && !superseded) {
                        io.send(ByteBuffer.wrap(TftpCodec.encode(f.reply())), client);
                    }
                    takesRepeat = false; // from now on a request from this TID starts a new transfer
                    if (f.outcome() != TftpTransfer.Outcome.COMPLETE) {
                        log.debug("tftp {} to {}: {}", rrq.filename(), client, f.detail());
                    }
                    return f.outcome();
                }
                case TftpTransfer.Step.Wait w -> {
                }
            }
            boolean takes = !superseded && t.takesRepeatedRequest(true);
            if (takes != takesRepeat) { // a volatile write fences on every block; it changes once per transfer
                takesRepeat = takes;
            }
            if (superseded) {
                continue;
            }
            if (requestRepeated) { // set by the listener, which also woke the selector
                requestRepeated = false;
                step = t.onRequestRepeated();
                log.debug("tftp {} from {}: request repeated, {}", rrq.filename(), client,
                        step instanceof TftpTransfer.Step.Wait ? "ignored" : "first answer resent");
                continue;
            }
            long wait = t.deadline() - service.clock().millis();
            in.clear();
            // Poll only while there are no more transfers than pollers: with more, the other
            // transfers need the CPU that polling would burn.
            int spin = service.activeTransfers() <= Io.SPINNERS_MAX ? service.limits().ackSpinMicros() : 0;
            SocketAddress from = wait <= 0 ? null : io.receive(in, wait, spin);
            if (from == null) {
                long resent = t.retransmissions();
                step = t.onTimeout(); // Wait if the deadline has not really passed
                if (t.retransmissions() != resent) {
                    retransmitted(t);
                }
                continue;
            }
            in.flip();
            if (!from.equals(client)) {
                strayTid(io, (InetSocketAddress) from, in);
                step = new TftpTransfer.Step.Wait();
                continue;
            }
            int ack = TftpCodec.ackBlock(in, service.quirks());
            if (ack >= 0) {
                step = t.onAck(ack); // hot path: no allocation per ACK
                continue;
            }
            try {
                step = t.onPacket(TftpCodec.decode(in, service.quirks()));
            } catch (TftpCodecException e) {
                step = t.onMalformed(e);
            }
        }
    }

    /** Receive buffer: ACKs are 4 bytes and ERRORs a short message; longer datagrams are illegal here. */
    private static final int IN_BUFFER = 2048;
    /** A send that finds the socket buffer full waits this long for room, then counts as lost. */
    private static final long SEND_STALL_MILLIS = 1000;

    /** RFC 1350 §4: a packet from a foreign TID gets ERROR 5; the transfer carries on. */
    private void strayTid(Io io, InetSocketAddress from, ByteBuffer p) throws IOException {
        if (p.remaining() >= 2 && p.getShort(0) == TftpOpcode.ERROR.code()) {
            return;
        }
        log.info("tftp packet from {} on the transfer port of {}: ERROR 5", TftpService.text(from), TftpService.text(client));
        byte[] b = TftpCodec.encode(new TftpPacket.Error(TftpErrorCode.UNKNOWN_TID, "unknown transfer ID"));
        io.send(ByteBuffer.wrap(b), from);
    }

    /**
     * A non-blocking channel with its own selector: a receive waits in epoll_wait(2) with the
     * engine's timeout and then reads once; a send that finds the buffer full waits for room.
     */
    private record Io(DatagramChannel ch, Selector selector, SelectionKey key) {
        /** Transfers polling at once: half the cores, so polling never takes the machine. */
        static final int SPINNERS_MAX = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        static final java.util.concurrent.Semaphore SPINNERS = new java.util.concurrent.Semaphore(SPINNERS_MAX);

        /**
         * The sender of the next datagram put into {@code dst}, or {@code null} after {@code millis}.
         * First polls the socket for up to {@code spinMicros} if fewer than {@link #SPINNERS_MAX}
         * other transfers are polling: the client answers within a round trip, and a thread that sleeps in
         * epoll_wait(2) on an otherwise idle machine needs tens of microseconds to be woken, once per
         * block in lock-step.
         */
        SocketAddress receive(ByteBuffer dst, long millis, int spinMicros) throws IOException {
            if (Thread.currentThread().isInterrupted()) {
                // select() returns at once while interrupted: stop rather than spin.
                throw new InterruptedIOException("tftp transfer interrupted");
            }
            if (spinMicros > 0 && SPINNERS.tryAcquire()) {
                try {
                    long end = System.nanoTime() + Math.min(spinMicros * 1000L, millis * 1_000_000L);
                    do {
                        SocketAddress from = ch.receive(dst);
                        if (from != null) {
                            return from;
                        }
                        Thread.onSpinWait();
                    } while (System.nanoTime() - end < 0);
                } finally {
                    SPINNERS.release();
                }
            }
            // Wait first: right after a send the answer is never there yet, so trying a read
            // before epoll_wait(2) would only add a failed recvfrom(2) to every round trip.
            if (selector.select(millis) == 0) {
                return null;
            }
            selector.selectedKeys().clear();
            return ch.receive(dst); // null after a spurious wake-up: treated like a timeout check
        }

        void send(ByteBuffer b, SocketAddress to) throws IOException {
            long until = 0;
            while (ch.send(b, to) == 0) {
                long now = System.nanoTime();
                if (until == 0) {
                    until = now + SEND_STALL_MILLIS * 1_000_000;
                } else if (now - until > 0) {
                    return; // counts as lost; the retransmission timer covers it
                }
                key.interestOps(SelectionKey.OP_WRITE);
                try {
                    selector.select(10);
                    selector.selectedKeys().clear();
                } finally {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
        }
    }
}

package org.astralboot.tftp;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;
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
    private volatile DatagramSocket socket;

    TftpSession(TftpService service, InetSocketAddress client, TftpPacket.Rrq rrq) {
        this.service = service;
        this.client = client;
        this.rrq = rrq;
    }

    InetSocketAddress client() {
        return client;
    }

    void abort() {
        DatagramSocket s = socket;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public void run() {
        String who = TftpService.text(client);
        String name = TftpCodec.printable(rrq.filename());
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(service.config().address(), 0))) {
            socket = s;
            if (service.closed()) {
                return;
            }
            try {
                serve(s, who, name);
            } catch (TftpException e) {
                log.info("tftp RRQ {} from {}: ERROR {} {}", name, who, e.code().code(), e.getMessage());
                send(s, TftpCodec.encode(e.toPacket()));
            }
        } catch (SocketException e) {
            if (!service.closed()) {
                log.warn("tftp transfer of {} to {}: {}", name, who, e.toString());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("tftp transfer of {} to {} failed", name, who, e);
        } finally {
            socket = null;
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
        String rel = filename.startsWith("/") ? filename.substring(1) : filename;
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

    private void serve(DatagramSocket s, String who, String name) throws TftpException, IOException {
        if (rrq.mode() == TftpMode.MAIL) {
            throw new TftpException(TftpErrorCode.ILLEGAL_OPERATION, "illegal TFTP operation: mail mode is not supported");
        }
        BootFile file = resolve(service.store(), rrq.filename());
        long size = file.size();
        TftpNegotiation n = TftpNegotiation.negotiate(rrq, size, service.limits());
        long started = System.nanoTime();
        try (TftpBlockSource source = open(file, n)) {
            TftpTransfer t = new TftpTransfer(n, rrq.mode() == TftpMode.OCTET ? size : -1,
                    service.limits().retries(), service.clock());
            TftpTransfer.Outcome outcome = drive(s, t, source, n);
            long ms = (System.nanoTime() - started) / 1_000_000;
            switch (outcome) {
                case COMPLETE -> log.info("tftp sent {} to {}: {} bytes in {} ms ({}, blksize {}, windowsize {}, {} timeouts)",
                        name, who, size, ms, rrq.mode().wireName(), n.blksize(), n.windowsize(), t.retransmissions());
                case OPTIONS_REJECTED -> log.info("tftp {} to {}: client refused the OACK (ERROR 8)", name, who);
                default -> log.info("tftp {} to {} ended: {} after {} blocks", name, who, outcome, t.blocksAcked());
            }
        } catch (IOException e) {
            throw storeError(e);
        }
    }

    private TftpBlockSource open(BootFile file, TftpNegotiation n) throws IOException {
        Optional<Path> local = file.localPath();
        if (rrq.mode() == TftpMode.OCTET && local.isPresent()) {
            FileChannel ch = FileChannel.open(local.get(), StandardOpenOption.READ);
            return new FileBlockSource(ch, file.size(), n.blksize(), file.path().toString());
        }
        InputStream in = new BufferedInputStream(file.open(), 64 * 1024);
        if (rrq.mode() == TftpMode.NETASCII) {
            in = new NetasciiInputStream(in);
        }
        return new StreamBlockSource(in, n.blksize(), n.windowsize());
    }

    /** The socket loop: execute the engine's steps, feed it packets and timeouts. */
    private TftpTransfer.Outcome drive(DatagramSocket s, TftpTransfer t, TftpBlockSource source, TftpNegotiation n)
            throws IOException {
        byte[] out = new byte[4 + n.blksize()];
        byte[] in = new byte[TftpCodec.MAX_PACKET];
        DatagramPacket outPacket = new DatagramPacket(out, out.length, client);
        DatagramPacket inPacket = new DatagramPacket(in, in.length);
        byte[] oack = n.oack().map(TftpCodec::encode).orElse(null);
        TftpTransfer.Step step = t.begin();
        while (true) {
            switch (step) {
                case TftpTransfer.Step.SendOack o -> send(s, oack);
                case TftpTransfer.Step.SendBlocks b -> {
                    try {
                        source.release(b.first());
                        for (int i = 0; i < b.count(); i++) {
                            long idx = b.first() + i;
                            int len = source.read(idx, out, 4);
                            TftpCodec.putDataHeader(out, TftpTransfer.wireBlock(idx));
                            outPacket.setData(out, 0, 4 + len);
                            s.send(outPacket);
                            if (len < n.blksize()) {
                                t.endsAt(idx);
                                break;
                            }
                        }
                    } catch (SocketException e) {
                        throw e;
                    } catch (IOException e) {
                        step = t.onSourceError(storeError(e).getMessage());
                        continue;
                    }
                }
                case TftpTransfer.Step.Finish f -> {
                    if (f.reply() != null) {
                        send(s, TftpCodec.encode(f.reply()));
                    }
                    if (f.outcome() != TftpTransfer.Outcome.COMPLETE) {
                        log.debug("tftp {} to {}: {}", rrq.filename(), client, f.detail());
                    }
                    return f.outcome();
                }
                case TftpTransfer.Step.Wait w -> {
                }
            }
            long wait = t.deadline() - service.clock().millis();
            if (wait <= 0) {
                step = t.onTimeout();
                continue;
            }
            s.setSoTimeout((int) Math.min(wait, Integer.MAX_VALUE));
            inPacket.setLength(in.length);
            try {
                s.receive(inPacket);
            } catch (SocketTimeoutException e) {
                step = t.onTimeout();
                continue;
            }
            int len = inPacket.getLength();
            if (inPacket.getPort() != client.getPort() || !inPacket.getAddress().equals(client.getAddress())) {
                strayTid(s, inPacket);
                step = new TftpTransfer.Step.Wait();
                continue;
            }
            if (len >= 4 && TftpCodec.peekOpcode(in, len) == TftpOpcode.ACK.code()) {
                step = t.onAck(TftpCodec.u16(in, 2)); // hot path: no allocation per ACK
                continue;
            }
            try {
                step = t.onPacket(TftpCodec.decode(in, 0, len));
            } catch (TftpCodecException e) {
                step = t.onMalformed(e);
            }
        }
    }

    /** RFC 1350 §4: a packet from a foreign TID gets ERROR 5; the transfer carries on. */
    private void strayTid(DatagramSocket s, DatagramPacket p) throws IOException {
        if (TftpCodec.peekOpcode(p.getData(), p.getLength()) == TftpOpcode.ERROR.code()) {
            return;
        }
        log.info("tftp packet from {} on the transfer port of {}: ERROR 5",
                TftpService.text((InetSocketAddress) p.getSocketAddress()), TftpService.text(client));
        byte[] b = TftpCodec.encode(new TftpPacket.Error(TftpErrorCode.UNKNOWN_TID, "unknown transfer ID"));
        s.send(new DatagramPacket(b, b.length, p.getSocketAddress()));
    }

    private void send(DatagramSocket s, byte[] b) throws IOException {
        s.send(new DatagramPacket(b, b.length, client));
    }
}

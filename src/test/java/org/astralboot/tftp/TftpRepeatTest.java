package org.astralboot.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.astralboot.config.Config;
import org.astralboot.net.Ipv4;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.LocalBootStore;
import org.astralboot.store.TreePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that repeats its read request from the same address and port (RFC 1350 §2: it lost our
 * first answer) over loopback with a raw socket: the running transfer resends its first block at
 * once, from the same transfer port, within the retry budget, and never twice for copies that came
 * before its first answer.
 */
class TftpRepeatTest {
    private static final int SIZE = 3000; // six 512-byte blocks, the last one short
    private static final int OTHER_SIZE = 1500;
    /** The server's timeout: far longer than any wait below, so every resend seen is a repeat's. */
    private static final Duration TIMEOUT = Duration.ofSeconds(4);

    @TempDir
    Path tmp;

    private static byte[] rrq(String name) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0);
        b.write(1);
        b.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        b.write(0);
        b.writeBytes("octet".getBytes(StandardCharsets.US_ASCII));
        b.write(0);
        return b.toByteArray();
    }

    private static int opcode(DatagramPacket p) {
        return ByteBuffer.wrap(p.getData(), 0, p.getLength()).getShort(0);
    }

    private static int second(DatagramPacket p) {
        return ByteBuffer.wrap(p.getData(), 0, p.getLength()).getShort(2) & 0xFFFF;
    }

    /** The next datagram within {@code millis}, or {@code null}. */
    private static DatagramPacket receive(DatagramSocket s, int millis) throws Exception {
        s.setSoTimeout(millis);
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        try {
            s.receive(p);
            return p;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private Path data() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data.resolve("tftp"));
        byte[] content = new byte[SIZE];
        new java.util.Random(7).nextBytes(content);
        Files.write(data.resolve("tftp/file.bin"), content);
        Files.write(data.resolve("tftp/other.bin"), java.util.Arrays.copyOf(content, OTHER_SIZE));
        return data;
    }

    private Config config(Path data, int retries) {
        return Config.defaults("lo", Ipv4.parse("127.0.0.1"), 8, tmp).withData(data)
                .withTftp(new Config.Tftp(0, 1468, 8, 16, TIMEOUT, retries));
    }

    /** Acknowledges blocks from {@code first} on until the short one; returns the bytes received. */
    private static int finish(DatagramSocket client, DatagramPacket first, InetSocketAddress tid) throws Exception {
        int block = 1;
        int bytes = 0;
        DatagramPacket p = first;
        while (true) {
            if (p == null) {
                throw new AssertionError("no block " + block);
            }
            if (opcode(p) == 3 && second(p) == block) {
                bytes += p.getLength() - 4;
                byte[] ack = {0, 4, (byte) (block >> 8), (byte) block};
                client.send(new DatagramPacket(ack, 4, tid));
                if (p.getLength() - 4 < 512) {
                    return bytes;
                }
                block++;
            }
            p = receive(client, 5000);
        }
    }

    /** A started service on loopback and a client socket; closing closes both (not the store). */
    private record Rig(TftpService svc, DatagramSocket client, InetSocketAddress server) implements AutoCloseable {
        static Rig start(Config cfg, BootStore store) throws Exception {
            TftpService svc = new TftpService(cfg, store);
            DatagramSocket client = null;
            try {
                svc.start();
                client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                return new Rig(svc, client, new InetSocketAddress(InetAddress.getLoopbackAddress(), svc.port()));
            } catch (Exception | Error e) {
                if (client != null) {
                    client.close();
                }
                svc.close();
                throw e;
            }
        }

        /** A read request for {@code name} (octet, no options) from the client's port. */
        void ask(String name) throws java.io.IOException {
            byte[] q = rrq(name);
            client.send(new DatagramPacket(q, q.length, server));
        }

        @Override
        public void close() throws Exception {
            try (TftpService s = svc) {
                client.close();
            }
        }
    }

    @Test
    void aRepeatedRequestIsAnsweredAtOnceByTheSameTransfer() throws Exception {
        Path data = data();
        try (LocalBootStore store = new LocalBootStore(data); Rig r = Rig.start(config(data, 5), store)) {
            r.ask("file.bin");
            DatagramPacket first = receive(r.client(), 5000);
            assertEquals(3, opcode(first));
            assertEquals(1, second(first));
            InetSocketAddress tid = (InetSocketAddress) first.getSocketAddress();
            // "Lost": the client asks again from the same port.
            long t0 = System.nanoTime();
            r.ask("file.bin");
            DatagramPacket again = receive(r.client(), 2000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(again != null, "the repeated request is answered before the server's " + TIMEOUT + " timeout");
            assertEquals(3, opcode(again));
            assertEquals(1, second(again), "block 1 resent");
            assertEquals(tid, again.getSocketAddress(), "from the same transfer, not a second one");
            assertTrue(ms < 1000, "answered after " + ms + " ms");
            assertEquals(1, r.svc().activeTransfers());
            assertEquals(SIZE, finish(r.client(), again, tid));
        }
    }

    @Test
    void repeatsAreAnsweredOnlyWithinTheRetryBudget() throws Exception {
        Path data = data();
        int retries = 2;
        try (LocalBootStore store = new LocalBootStore(data); Rig r = Rig.start(config(data, retries), store)) {
            r.ask("file.bin");
            assertEquals(1, second(receive(r.client(), 5000)));
            int blocks = 1;
            for (int i = 0; i < 10; i++) { // a client (or forged source) that keeps repeating
                r.ask("file.bin");
                DatagramPacket p = receive(r.client(), 100);
                if (p != null && opcode(p) == 3) {
                    blocks++;
                }
            }
            DatagramPacket p;
            while ((p = receive(r.client(), 300)) != null) {
                if (opcode(p) == 3) {
                    blocks++;
                }
            }
            assertEquals(1 + retries, blocks, "the first block and one resend per retry, no more");
            assertEquals(1, r.svc().activeTransfers(), "one transfer for the client's address and port");
        }
    }

    @Test
    void copiesOfTheRequestBeforeTheFirstAnswerGetThatAnswerOnce() throws Exception {
        Path data = data();
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (LocalBootStore local = new LocalBootStore(data); Rig r = Rig.start(config(data, 5), new SlowStore(local, asked, release))) {
            r.ask("file.bin");
            assertTrue(asked.await(5, TimeUnit.SECONDS));
            // The store is slow (an IPFS fetch): the client asks again before any answer.
            r.ask("file.bin");
            Thread.sleep(200); // the listener has passed the copy to the transfer
            release.countDown();
            DatagramPacket first = receive(r.client(), 5000);
            assertEquals(1, second(first));
            assertEquals(null, receive(r.client(), 500), "block 1 only once: it answers both copies");
            assertEquals(SIZE, finish(r.client(), first, (InetSocketAddress) first.getSocketAddress()));
        }
    }

    /**
     * Firmware that reuses its UDP port asks for the next file while the last transfer still runs:
     * the new file is served at once by a new transfer, and the old one sends nothing more to the port.
     */
    @Test
    void anotherFileFromTheSamePortIsANewTransferAndTheOldOneFallsSilent() throws Exception {
        Path data = data();
        try (LocalBootStore store = new LocalBootStore(data); Rig r = Rig.start(config(data, 5), store)) {
            r.ask("file.bin");
            DatagramPacket first = receive(r.client(), 5000);
            InetSocketAddress old = (InetSocketAddress) first.getSocketAddress();
            r.ask("other.bin");
            DatagramPacket next = receive(r.client(), 2000);
            assertTrue(next != null, "the new request is answered before the server's " + TIMEOUT + " timeout");
            assertTrue(!old.equals(next.getSocketAddress()), "a new transfer answers, not the old one: " + next.getSocketAddress());
            assertEquals(1, second(next));
            assertEquals(OTHER_SIZE, finish(r.client(), next, (InetSocketAddress) next.getSocketAddress()));
            assertNothingFrom(old, r.client(), TIMEOUT.toMillis() + 1000);
            assertEquals(0, r.svc().activeTransfers());
        }
    }

    /**
     * The final ACK was lost and the client (or a new process that got its port) asks again for the
     * same file while the old transfer resends its final block: the request is a new download, not a
     * copy of the old request to be ignored, and the old transfer stops sending to the port.
     */
    @Test
    void theSameRequestAfterAnUnacknowledgedFinalBlockIsANewTransfer() throws Exception {
        Path data = data();
        try (LocalBootStore store = new LocalBootStore(data); Rig r = Rig.start(config(data, 5), store)) {
            r.ask("file.bin");
            DatagramPacket p = receive(r.client(), 5000);
            InetSocketAddress old = (InetSocketAddress) p.getSocketAddress();
            int last = (SIZE + 511) / 512;
            for (int block = 1; block < last; block++) { // every block acknowledged but the final one
                assertEquals(block, second(p));
                byte[] ack = {0, 4, (byte) (block >> 8), (byte) block};
                r.client().send(new DatagramPacket(ack, 4, old));
                p = receive(r.client(), 5000);
            }
            assertEquals(last, second(p));
            DatagramPacket resent = receive(r.client(), (int) TIMEOUT.toMillis() + 2000);
            assertTrue(resent != null && second(resent) == last, "the final block is resent: the final ACK is overdue");
            r.ask("file.bin");
            DatagramPacket next;
            do { // a resend of the final block may already be on its way
                next = receive(r.client(), 2000);
            } while (next != null && old.equals(next.getSocketAddress()));
            assertTrue(next != null, "the new request is answered");
            assertEquals(1, second(next));
            assertEquals(SIZE, finish(r.client(), next, (InetSocketAddress) next.getSocketAddress()));
            assertNothingFrom(old, r.client(), 1000);
        }
    }

    /**
     * With one transfer allowed per address, the new request from the same port neither gets an ERROR
     * (the old transfer still holds the place for a moment) nor a place past the cap; the client's
     * retransmission of it is served.
     */
    @Test
    void atTheCapTheNewRequestWaitsForTheClientsRetransmissionInsteadOfAnError() throws Exception {
        Path data = data();
        Config cfg = Config.defaults("lo", Ipv4.parse("127.0.0.1"), 8, tmp).withData(data)
                .withTftp(new Config.Tftp(0, 1468, 8, 16, TIMEOUT, 5, Config.Tftp.DEFAULT_ACK_SPIN_MICROS,
                        Config.Tftp.DEFAULT_MAX_CLIENT_TIMEOUT, Config.Tftp.DEFAULT_FIRST_ACK_TIMEOUT, 1));
        try (LocalBootStore store = new LocalBootStore(data); Rig r = Rig.start(cfg, store)) {
            r.ask("file.bin");
            InetSocketAddress old = (InetSocketAddress) receive(r.client(), 5000).getSocketAddress();
            DatagramPacket next = null;
            for (int tries = 0; tries < 5 && next == null; tries++) { // the client's own retransmissions
                r.ask("other.bin");
                DatagramPacket p;
                while ((p = receive(r.client(), 300)) != null) {
                    assertTrue(opcode(p) != 5, "no ERROR for the next file: " + new String(p.getData(), 4,
                            Math.max(0, p.getLength() - 5), StandardCharsets.US_ASCII));
                    if (!old.equals(p.getSocketAddress())) {
                        next = p;
                        break;
                    }
                }
            }
            assertTrue(next != null, "the next file is served after a retransmission");
            assertEquals(1, second(next));
            assertEquals(OTHER_SIZE, finish(r.client(), next, (InetSocketAddress) next.getSocketAddress()));
            assertTrue(r.svc().activeTransfers() <= 1);
        }
    }

    private static void assertNothingFrom(InetSocketAddress old, DatagramSocket client, long millis) throws Exception {
        long end = System.nanoTime() + millis * 1_000_000;
        long left;
        while ((left = (end - System.nanoTime()) / 1_000_000) > 0) {
            DatagramPacket q = receive(client, (int) left);
            if (q != null && old.equals(q.getSocketAddress())) {
                throw new AssertionError("the superseded transfer still sent opcode " + opcode(q) + " block " + second(q));
            }
        }
    }

    /** The local tree, but the first look-up waits until the test releases it. */
    record SlowStore(LocalBootStore local, CountDownLatch asked, CountDownLatch release) implements BootStore {
        @Override
        public String describe() {
            return local.describe() + " (slow)";
        }

        @Override
        public Optional<List<Entry>> list(TreePath dir) throws BootStoreException {
            return local.list(dir);
        }

        @Override
        public Optional<BootFile> file(TreePath path) throws BootStoreException {
            asked.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return local.file(path);
        }
    }
}

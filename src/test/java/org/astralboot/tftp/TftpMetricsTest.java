package org.astralboot.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.astralboot.admin.BootWatch;
import org.astralboot.config.Config;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.net.Ipv4;
import org.astralboot.store.LocalBootStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TFTP service's metrics and events with a raw client on loopback: a transfer whose first
 * block the client leaves unacknowledged is retransmitted (counted, and an event), completes and
 * is counted with its bytes; a missing file and a write request are errors by their TFTP code
 * (1 and 2), each an event.
 */
class TftpMetricsTest {
    private static final int SIZE = 3000; // six 512-byte blocks, the last one short

    @TempDir
    Path tmp;

    private static byte[] rrq(int opcode, String name) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0);
        b.write(opcode);
        b.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        b.write(0);
        b.writeBytes("octet".getBytes(StandardCharsets.US_ASCII));
        b.write(0);
        return b.toByteArray();
    }

    private static DatagramPacket receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return p;
    }

    private static int opcode(DatagramPacket p) {
        return ByteBuffer.wrap(p.getData(), 0, p.getLength()).getShort(0);
    }

    private static int second(DatagramPacket p) {
        return ByteBuffer.wrap(p.getData(), 0, p.getLength()).getShort(2) & 0xFFFF;
    }

    private static double value(String text, String series) {
        for (String l : text.split("\n")) {
            if (l.startsWith(series + " ")) {
                return Double.parseDouble(l.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + series + " in\n" + text);
    }

    @Test
    void retransmissionsAndErrorsByCodeAreCountedAndReported() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data.resolve("tftp"));
        byte[] content = new byte[SIZE];
        new java.util.Random(5).nextBytes(content);
        Files.write(data.resolve("tftp/file.bin"), content);
        var lo = Ipv4.parse("127.0.0.1");
        Config cfg = Config.defaults("lo", lo, 8, tmp).withData(data)
                .withTftp(new Config.Tftp(0, 1468, 8, 16, Duration.ofMillis(200), 5));
        BootWatch watch = new BootWatch(1000);
        try (LocalBootStore store = new LocalBootStore(data); TftpService svc = new TftpService(cfg, store, watch);
                DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            svc.start();
            client.setSoTimeout(5000);
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), svc.port());

            client.send(new DatagramPacket(rrq(1, "file.bin"), rrq(1, "file.bin").length, server));
            DatagramPacket first = receive(client);
            assertEquals(3, opcode(first));
            assertEquals(1, second(first));
            // No ACK: block 1 comes again after the timeout.
            DatagramPacket again = receive(client);
            assertEquals(3, opcode(again));
            assertEquals(1, second(again), "block 1 resent");
            InetSocketAddress tid = (InetSocketAddress) again.getSocketAddress();
            int block = 1;
            DatagramPacket p = again;
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (true) {
                if (second(p) == block) {
                    got.write(p.getData(), 4, p.getLength() - 4);
                    byte[] ack = {0, 4, (byte) (block >> 8), (byte) block};
                    client.send(new DatagramPacket(ack, 4, tid));
                    if (p.getLength() - 4 < 512) {
                        break;
                    }
                    block++;
                }
                p = receive(client);
            }
            assertEquals(SIZE, got.size());

            // Each request from a new port, as clients do (the same TID would be the transfer's own).
            try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                other.setSoTimeout(5000);
                other.send(new DatagramPacket(rrq(1, "missing.bin"), rrq(1, "missing.bin").length, server));
                DatagramPacket notFound = receive(other);
                assertEquals(5, opcode(notFound));
                assertEquals(1, second(notFound));
            }
            try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                other.setSoTimeout(5000);
                other.send(new DatagramPacket(rrq(2, "upload.bin"), rrq(2, "upload.bin").length, server));
                DatagramPacket readOnly = receive(other);
                assertEquals(5, opcode(readOnly));
                assertEquals(2, second(readOnly));
            }
            long end = System.nanoTime() + 5_000_000_000L;
            while (watch.ring().snapshot().stream().noneMatch(e -> e.kind() == Kind.TFTP_END) && System.nanoTime() < end) {
                Thread.sleep(10);
            }
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        watch.metrics().write(b);
        String text = b.toString(StandardCharsets.UTF_8);
        assertTrue(value(text, "astralboot_tftp_retransmissions_total") >= 1, text);
        assertEquals(1, value(text, "astralboot_tftp_transfers_total"), text);
        assertEquals(SIZE, value(text, "astralboot_tftp_bytes_total"), text);
        assertEquals(1, value(text, "astralboot_tftp_errors_total{code=\"1\"}"), text);
        assertEquals(1, value(text, "astralboot_tftp_errors_total{code=\"2\"}"), text);
        assertEquals(0, value(text, "astralboot_tftp_errors_total{code=\"0\"}"), text);
        assertEquals(0, value(text, "astralboot_tftp_transfers_active"), text);

        List<BootEvent> events = watch.ring().snapshot();
        List<String> kinds = events.stream().map(e -> e.kind().name()).toList();
        assertTrue(kinds.contains("TFTP_RETRANSMIT"), kinds.toString());
        BootEvent retransmit = events.stream().filter(e -> e.kind() == Kind.TFTP_RETRANSMIT).findFirst().orElseThrow();
        assertTrue(retransmit.detail().startsWith("file.bin: no ACK after 0 blocks"), retransmit.detail());
        BootEvent done = events.stream().filter(e -> e.kind() == Kind.TFTP_END).findFirst().orElseThrow();
        assertTrue(done.detail().matches(".*, [1-9]\\d* timeouts\\)"), done.detail());
        List<String> errors = events.stream().filter(e -> e.kind() == Kind.TFTP_ERROR).map(BootEvent::detail).toList();
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("missing.bin: ERROR 1"), errors.toString());
        assertTrue(errors.get(1).startsWith("upload.bin (write request): ERROR 2"), errors.toString());
        assertTrue(events.stream().filter(e -> e.kind() == Kind.TFTP_ERROR).allMatch(e -> e.ip().equals("127.0.0.1")));
    }
}

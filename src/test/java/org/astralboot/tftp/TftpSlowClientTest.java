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
import org.astralboot.config.Config;
import org.astralboot.net.Ipv4;
import org.astralboot.store.LocalBootStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw lock-step client on loopback that acknowledges at once (the adaptive timeout falls to its
 * 50 ms floor), then takes 80 ms per block, as slow or emulated firmware may: the server resends
 * once, then its timeout follows the client. Before the backed-off wait was kept until a clean
 * sample (Karn, RFC 6298 §5.7), every later block was sent twice.
 */
class TftpSlowClientTest {
    private static final int FAST = 40;
    private static final int SLOW = 30;
    private static final long SLOW_MILLIS = 80;

    @TempDir
    Path tmp;

    @Test
    void aClientThatTurnsSlowerThanTheTimeoutFloorIsNotSentEveryBlockTwice() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data.resolve("tftp"));
        int size = (FAST + SLOW) * 512 + 100;
        Files.write(data.resolve("tftp/file.bin"), new byte[size]);
        Config cfg = Config.defaults("lo", Ipv4.parse("127.0.0.1"), 8, tmp).withData(data)
                .withTftp(new Config.Tftp(0, 1468, 8, 16, Duration.ofSeconds(1), 5));
        try (LocalBootStore store = new LocalBootStore(data); TftpService svc = new TftpService(cfg, store);
                DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            svc.start();
            client.setSoTimeout(5000);
            ByteArrayOutputStream r = new ByteArrayOutputStream();
            r.write(0);
            r.write(1);
            r.writeBytes("file.bin\0octet\0".getBytes(StandardCharsets.US_ASCII));
            client.send(new DatagramPacket(r.toByteArray(), r.size(),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), svc.port())));
            int expected = 1;
            int received = 0;
            int duplicatesWhileSlow = 0;
            while (true) {
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                client.receive(p);
                ByteBuffer b = ByteBuffer.wrap(p.getData(), 0, p.getLength());
                assertEquals(3, b.getShort(0), "DATA");
                int block = b.getShort(2) & 0xFFFF;
                if (block != expected) {
                    if (expected > FAST) {
                        duplicatesWhileSlow++;
                    }
                    continue; // a resent block already acknowledged: no second ACK
                }
                received += p.getLength() - 4;
                if (expected > FAST) {
                    Thread.sleep(SLOW_MILLIS);
                }
                byte[] ack = {0, 4, (byte) (block >> 8), (byte) block};
                client.send(new DatagramPacket(ack, 4, p.getSocketAddress()));
                if (p.getLength() - 4 < 512) {
                    break;
                }
                expected++;
            }
            assertEquals(size, received);
            // One spurious resend when the client turns slow, and room for a scheduling hiccup of a
            // loaded machine; every slow block resent would be 30.
            assertTrue(duplicatesWhileSlow <= 4, duplicatesWhileSlow + " of " + SLOW + " slow blocks resent");
        }
    }
}

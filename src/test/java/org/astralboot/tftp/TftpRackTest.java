package org.astralboot.tftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.astralboot.config.Config;
import org.astralboot.store.LocalBootStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 §3, "a thousand machines at once": a rack of 1,000 PXE machines powered on together asks
 * for the first stage within a second or two, each from its own address. With the default
 * configuration every one of them must get its transfer (an OACK), none "server busy": PXE firmware
 * does not retry after a TFTP ERROR, the boot fails. bench/fleet measured 267 of 1,000 refused with
 * the former default of 256 transfers. Sources are 1,000 loopback addresses (127.0.1.1 and on).
 */
class TftpRackTest {
    static final int RACK = 1000;

    @Test
    void defaultConfigurationTakesARackOf1000AtOnce(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data.resolve("tftp"));
        Files.write(data.resolve("tftp/undionly.kpxe"), new byte[74_213]);
        Inet4Address lo = (Inet4Address) InetAddress.getByName("127.0.0.1");
        Config defaults = Config.defaults("lo", lo, 8, tmp);
        Config.Tftp t = defaults.tftp();
        Config cfg = defaults.withData(data).withTftp(new Config.Tftp(0, t.maxBlksize(), t.maxWindowsize(),
                t.maxTransfers(), t.timeout(), t.retries(), t.ackSpinMicros(), t.maxClientTimeout(),
                t.firstAckTimeout(), t.maxTransfersPerClient()));
        List<DatagramSocket> machines = new ArrayList<>();
        Map<String, Integer> replies = new TreeMap<>();
        try (LocalBootStore store = new LocalBootStore(data); TftpService svc = new TftpService(cfg, store)) {
            svc.start();
            InetSocketAddress server = new InetSocketAddress(lo, svc.port());
            byte[] rrq = "\0\1undionly.kpxe\0octet\0blksize\0001432\0tsize\0000\0".getBytes(StandardCharsets.ISO_8859_1);
            try {
                for (int i = 0; i < RACK; i++) {
                    DatagramSocket s = new DatagramSocket(new InetSocketAddress(
                            InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + i / 250), (byte) (1 + i % 250)}), 0));
                    machines.add(s);
                    s.send(new DatagramPacket(rrq, rrq.length, server));
                }
                byte[] buf = new byte[1600];
                for (DatagramSocket s : machines) {
                    s.setSoTimeout(20_000);
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    String what;
                    try {
                        s.receive(p);
                        int op = ((buf[0] & 0xff) << 8) | (buf[1] & 0xff);
                        what = op == 6 ? "OACK" : op == 5 ? "ERROR " + new String(buf, 4, p.getLength() - 5,
                                StandardCharsets.ISO_8859_1).replaceAll("[0-9]+", "N") : "opcode " + op;
                    } catch (SocketTimeoutException e) {
                        what = "no answer";
                    }
                    replies.merge(what, 1, Integer::sum);
                }
            } finally {
                machines.forEach(DatagramSocket::close);
            }
        }
        assertEquals(Map.of("OACK", RACK), replies);
        assertTrue(cfg.tftp().maxTransfersPerClient() < RACK, "the per-client cap stays: it is a trust requirement");
    }
}

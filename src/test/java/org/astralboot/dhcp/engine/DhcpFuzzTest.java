package org.astralboot.dhcp.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.astralboot.config.Config;
import org.astralboot.dhcp.DhcpService;
import org.astralboot.dhcp.codec.CapturedPackets;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpCodecException;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseTable;
import org.astralboot.net.MacAddress;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated datagrams against the decoder and the engine: the decoder may only throw
 * {@link DhcpCodecException}; the engine must never throw, and must never bind one address to two MACs.
 */
class DhcpFuzzTest {
    static final int ROUNDS = 120_000;

    @Test
    void decoderAndEngineSurviveRandomAndMutatedPackets() {
        // 100k packets would print ~50k info lines; the point here is exceptions, not logs.
        ch.qos.logback.classic.Logger dhcpLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("org.astralboot.dhcp");
        ch.qos.logback.classic.Level before = dhcpLog.getLevel();
        dhcpLog.setLevel(ch.qos.logback.classic.Level.ERROR);
        try {
            run();
        } finally {
            dhcpLog.setLevel(before);
        }
    }

    private void run() {
        SplittableRandom rnd = new SplittableRandom(0xA57AL);
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        Config full = DhcpEngineTest.config("192.0.2.10", "192.0.2.40", Config.DhcpMode.FULL, List.of());
        LeaseTable table = new LeaseTable(DhcpService.pool(full).addresses(), DhcpService.pool(full).reservations(),
                List.of(), DhcpService.pool(full).hostnames(), l -> { });
        DhcpEngine fullEngine = new DhcpEngine(DhcpService.settings(full), table, clock);
        DhcpEngine proxyEngine = new DhcpEngine(DhcpService.settings(
                DhcpEngineTest.config("192.0.2.10", "192.0.2.40", Config.DhcpMode.PROXY, List.of())), null, clock);
        byte[][] corpus = CapturedPackets.all();
        int decoded = 0;
        int rejected = 0;
        int replies = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] b;
            if (i % 10 == 0) {
                b = new byte[rnd.nextInt(0, 700)];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) rnd.nextInt(256);
                }
                if (b.length >= 240 && rnd.nextBoolean()) {
                    b[0] = 1;
                    b[236] = 0x63; b[237] = (byte) 0x82; b[238] = 0x53; b[239] = 0x63;
                }
            } else {
                byte[] src = corpus[rnd.nextInt(corpus.length)];
                b = mutate(src, rnd);
            }
            DhcpPacket p;
            try {
                p = DhcpCodec.decode(b, 0, b.length);
                decoded++;
            } catch (DhcpCodecException e) {
                rejected++;
                continue;
            }
            // Round trip of whatever decoded must decode to the same packet.
            try {
                DhcpPacket q = DhcpCodec.decode(DhcpCodec.encode(p), 0, DhcpCodec.encode(p).length);
                assertTrue(q.equals(p), "round trip changed the packet");
            } catch (DhcpCodecException e) {
                throw new AssertionError("re-encoded packet does not decode: " + e.getMessage() + " " + p);
            }
            if (fullEngine.handle(p, rnd.nextInt(8) == 0, rnd.nextInt(), 68).isPresent()) {
                replies++;
            }
            proxyEngine.handle(p, rnd.nextBoolean(), rnd.nextInt(), 68);
            if (i % 5000 == 0) {
                clock.advance(java.time.Duration.ofMinutes(7));
            }
        }
        // No address is active for two MACs, and each active MAC maps back to its address.
        Map<Integer, MacAddress> seen = new HashMap<>();
        for (Lease l : table.all()) {
            if (l.activeAt(clock.millis())) {
                assertTrue(seen.put(l.address(), l.mac()) == null);
                assertTrue(l.state() == LeaseState.OFFERED || l.state() == LeaseState.BOUND);
            }
        }
        assertTrue(decoded > 10_000, "mutations should mostly keep packets decodable, got " + decoded);
        assertTrue(rejected > 10_000, "and often break them, got " + rejected);
        assertTrue(replies > 1_000, "engine answered " + replies);
    }

    private static byte[] mutate(byte[] src, SplittableRandom rnd) {
        byte[] b = src.clone();
        int kind = rnd.nextInt(6);
        switch (kind) {
            case 0 -> { // flip bytes anywhere
                for (int n = rnd.nextInt(1, 6); n > 0; n--) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> { // flip bytes in the options area (lengths, codes)
                for (int n = rnd.nextInt(1, 4); n > 0; n--) {
                    b[rnd.nextInt(240, b.length)] = (byte) rnd.nextInt(256);
                }
            }
            case 2 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length)); // truncate
            case 3 -> { // change the MAC and message type to spread over the pool
                b[33] = (byte) rnd.nextInt(256);
                b[32] = (byte) rnd.nextInt(4);
                setMessageType(b, rnd.nextInt(1, 10));
            }
            case 4 -> { // random client address / relay
                int off = rnd.nextBoolean() ? 12 : 24;
                b[off] = (byte) 192; b[off + 1] = 0; b[off + 2] = 2; b[off + 3] = (byte) rnd.nextInt(256);
                b[33] = (byte) rnd.nextInt(256);
            }
            default -> { // append garbage after the options
                b = java.util.Arrays.copyOf(b, b.length + rnd.nextInt(1, 64));
                for (int k = src.length; k < b.length; k++) {
                    b[k] = (byte) rnd.nextInt(256);
                }
            }
        }
        return b;
    }

    private static void setMessageType(byte[] b, int t) {
        int i = 240;
        while (i + 2 < b.length) {
            int c = b[i] & 0xFF;
            if (c == 0) {
                i++;
                continue;
            }
            if (c == 255) {
                return;
            }
            if (c == 53) {
                b[i + 2] = (byte) t;
                return;
            }
            i += 2 + (b[i + 1] & 0xFF);
        }
    }
}

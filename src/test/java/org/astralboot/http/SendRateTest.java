package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The minimum send rate on an injected clock: 16 KiB/s over 30 s windows unless said otherwise. */
class SendRateTest {
    static final long K = 1024;
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final SendRate rate = new SendRate(16 * K, Duration.ofSeconds(30), clock::get);

    void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void aWindowIsJudgedOnlyWhenComplete() throws Exception {
        advance(Duration.ofSeconds(29));
        rate.check(); // nothing sent, but the window is not over yet
        advance(Duration.ofSeconds(1));
        SendRate.TooSlow e = assertThrows(SendRate.TooSlow.class, rate::check);
        assertTrue(e.getMessage().contains("0 bytes/s") && e.getMessage().contains("http.min_send_rate"), e.getMessage());
    }

    @Test
    void exactlyTheMinimumPasses() throws Exception {
        for (int i = 0; i < 30; i++) {
            advance(Duration.ofSeconds(1));
            rate.sent(16 * K);
            rate.check();
        }
        // The next window starts afresh: a byte short of the minimum over it is cut.
        rate.sent(30 * 16 * K - 1);
        advance(Duration.ofSeconds(30));
        assertThrows(SendRate.TooSlow.class, rate::check);
    }

    @Test
    void aPauseInsideAWindowCostsNothing() throws Exception {
        rate.sent(30 * 16 * K); // the socket buffers took a burst
        advance(Duration.ofSeconds(29));
        rate.check();
        advance(Duration.ofSeconds(1));
        rate.check(); // 480 KiB over 30 s
        advance(Duration.ofSeconds(30));
        assertThrows(SendRate.TooSlow.class, rate::check); // then nothing for a whole window
    }

    @Test
    void aTrickleIsCutWithinTwoWindows() throws Exception {
        rate.sent(4 * 1024 * K); // buffers filled at once, then 1 KiB/s
        int seconds = 0;
        try {
            while (seconds < 120) {
                advance(Duration.ofSeconds(1));
                seconds++;
                rate.sent(K);
                rate.check();
            }
        } catch (SendRate.TooSlow e) {
            assertTrue(seconds <= 60, "cut after " + seconds + " s");
            return;
        }
        throw new AssertionError("a 1 KiB/s client was never cut");
    }

    @Test
    void timeWaitingForTheStoreIsExcused() throws Exception {
        advance(Duration.ofSeconds(20));
        rate.excuse(Duration.ofSeconds(20).toNanos()); // an IPFS file still arriving
        rate.sent(10 * 16 * K);
        advance(Duration.ofSeconds(20));
        rate.check(); // 30 s of client time have not passed yet
        advance(Duration.ofSeconds(10));
        rate.sent(20 * 16 * K);
        assertDoesNotThrow(rate::check); // 480 KiB in 30 s of client time
    }

    @Test
    void zeroMeansNoMinimum() throws Exception {
        SendRate off = new SendRate(0, Duration.ofSeconds(1), clock::get);
        advance(Duration.ofHours(1));
        off.check();
    }
}

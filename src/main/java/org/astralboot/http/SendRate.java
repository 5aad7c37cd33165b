package org.astralboot.http;

import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The minimum send rate of one file send: each window of {@code window} must carry at least
 * {@code minBytesPerSecond × window} bytes, else the send is cut ({@link TooSlow}). Windows follow
 * each other (a new one starts when one is judged), so a client that trickles is dropped at most
 * two windows after it slowed down, and a short pause inside a window costs nothing. Time spent
 * waiting for the boot store (a file still arriving from IPFS) is {@link #excuse excused}: only
 * the client can make a send too slow. Pure logic on an injected nanosecond clock.
 */
final class SendRate {
    private final long minBytesPerSecond;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private long windowStart;
    private long windowBytes;

    /** A send from now on; {@code minBytesPerSecond} 0 never cuts. */
    SendRate(long minBytesPerSecond, Duration window, LongSupplier nanoTime) {
        if (minBytesPerSecond < 0 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("rate " + minBytesPerSecond + " over " + window);
        }
        this.minBytesPerSecond = minBytesPerSecond;
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
    }

    /** The clock's time, for measuring what to {@link #excuse}. */
    long now() {
        return nanoTime.getAsLong();
    }

    /** {@code n} more bytes went to the client. */
    void sent(long n) {
        windowBytes += n;
    }

    /** The last {@code nanos} were spent waiting for the store, not the client: they do not count. */
    void excuse(long nanos) {
        windowStart += Math.max(0, nanos);
    }

    /**
     * Judges the current window once it is complete.
     *
     * @throws TooSlow when the window carried fewer bytes than the minimum rate asks for
     */
    void check() throws TooSlow {
        if (minBytesPerSecond == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        long elapsed = now - windowStart;
        if (elapsed < windowNanos) {
            return;
        }
        // bytes × 1e9 / elapsed < min  ⇔  bytes × 1e9 < min × elapsed (in double: no overflow)
        if ((double) windowBytes * 1e9 < (double) minBytesPerSecond * elapsed) {
            throw new TooSlow(windowBytes * 1_000_000_000L / Math.max(1, elapsed), minBytesPerSecond, elapsed);
        }
        windowStart = now;
        windowBytes = 0;
    }

    /** A client that took less than the minimum rate; the send is cut and the connection closed. */
    static final class TooSlow extends IOException {
        private static final long serialVersionUID = 1L;

        TooSlow(long rate, long min, long elapsedNanos) {
            super("client took " + rate + " bytes/s over " + Duration.ofNanos(elapsedNanos).toMillis() / 1000
                    + " s, below the minimum of " + min + " bytes/s (http.min_send_rate)", null);
        }

        /** For a client that took nothing at all for a long time (with or without a minimum rate). */
        TooSlow(String message) {
            super(message, null);
        }
    }
}

package org.astralboot.tftp;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock whose millis never jump with wall-clock changes (System.nanoTime), for retransmission timers. */
final class MonotonicClock extends Clock {
    private static final long ORIGIN = System.nanoTime();
    private static final long WALL = System.currentTimeMillis();

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public long millis() {
        return WALL + (System.nanoTime() - ORIGIN) / 1_000_000;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }
}

package org.astralboot.server;

import io.netty.channel.Channel;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * What a UDP service does before it says it listens, so that the first request after
 * {@code Astralboot ready} is answered about as fast as the later ones (DHCP and DHCPv6: their
 * first answer came 0.16-0.21 s late, bench/dhcp). Each part touches no state a client could see.
 */
public final class WarmUp {
    private WarmUp() {
    }

    /**
     * Runs {@code inMemory} (the service's request path on instances of its own) and logs its result
     * and time at debug as {@code <name> warm-up}. A failure is logged, not thrown: the service
     * still starts, only its first answer may be slower.
     */
    public static void run(Logger log, String name, Supplier<?> inMemory) {
        long t0 = System.nanoTime();
        try {
            Object r = inMemory.get();
            log.debug("{} warm-up in memory, replies {}: {} ms", name, r, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            log.warn("{} warm-up failed (the first answer may be slower): {}", name, e.toString(), e);
        }
    }

    /**
     * Allocates and releases one buffer on {@code ch}'s event loop, as its first read would: the
     * first allocation initialises the JDK Flight Recorder metadata of Netty's allocation events
     * (0.13 s measured). Nothing is read or sent.
     */
    public static void firstBuffer(Channel ch) {
        try {
            ch.eventLoop().submit(() -> ch.alloc().directBuffer(2048).release()).sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

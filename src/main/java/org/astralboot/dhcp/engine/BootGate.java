package org.astralboot.dhcp.engine;

import org.astralboot.net.MacAddress;

/**
 * Whether a PXE client gets a boot file at all: the boot source's say at the DHCP step (a boot API
 * that answers "not this machine" must leave it to the site's other boot servers, as Pixiecore
 * does). Provided by the wiring; the engine stays pure, so an implementation answers from memory
 * and starts any lookup (an HTTP call) elsewhere, answering {@link Verdict#PENDING} meanwhile, and
 * {@link #whenDecided} tells the transport when to run the same request through the engine again.
 */
@FunctionalInterface
public interface BootGate {

    /** The gate's answer for one request. */
    enum Verdict {
        /** Answer with the boot file, as without a gate. */
        BOOT,
        /** Not booted by this server: proxy mode stays silent, full mode gives a plain lease. */
        NO,
        /**
         * Not known yet: no reply now (no proxy answer; in full mode no OFFER, since firmware would
         * take an address without a boot file and fail). The engine hands back {@link #whenDecided}
         * so the transport answers this request once the source has decided; without it the
         * client's retransmitted DISCOVER (PXE 2.1: after 4, 8, 16 s) asks again.
         */
        PENDING
    }

    /**
     * @param mac the client
     * @param fw  its firmware (architecture for the source, which may answer per architecture)
     */
    Verdict check(MacAddress mac, Firmware fw);

    /**
     * After {@link #check} answered {@link Verdict#PENDING} for {@code mac}: a stage that completes
     * (normally or not) once {@code check} can answer {@code BOOT} or {@code NO} for it, within the
     * source's own time limit; or {@code null} when no lookup is under way (nothing to wait for).
     * Called on the DHCP thread: it must not block.
     */
    default java.util.concurrent.CompletionStage<?> whenDecided(MacAddress mac) {
        return null;
    }

    /** Every PXE client boots (the boot tree, a static boot). */
    BootGate ALL = (mac, fw) -> Verdict.BOOT;
}

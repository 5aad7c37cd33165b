package org.astralboot.dhcp.engine;

import org.astralboot.net.MacAddress;

/**
 * Whether a PXE client gets a boot file at all: the boot source's say at the DHCP step (a boot API
 * that answers "not this machine" must leave it to the site's other boot servers, as Pixiecore
 * does). Provided by the wiring; the engine stays pure, so an implementation answers from memory
 * and starts any lookup (an HTTP call) elsewhere, answering {@link Verdict#PENDING} meanwhile.
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
         * Not known yet: stay silent now (no proxy answer; in full mode no OFFER, since firmware
         * would take an address without a boot file and fail); the client's retransmitted DISCOVER
         * (PXE 2.1: after 4, 8, 16 s) asks again.
         */
        PENDING
    }

    /**
     * @param mac the client
     * @param fw  its firmware (architecture for the source, which may answer per architecture)
     */
    Verdict check(MacAddress mac, Firmware fw);

    /** Every PXE client boots (the boot tree, a static boot). */
    BootGate ALL = (mac, fw) -> Verdict.BOOT;
}

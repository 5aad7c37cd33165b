package org.astralboot.ndp.engine;

import java.net.Inet6Address;
import java.time.Duration;
import java.util.Optional;
import org.astralboot.ndp.codec.RouterAdvertisement;
import org.astralboot.net.MacAddress;

/** What to do about one router solicitation: answer it, or stay silent for a reason. */
public sealed interface NdpDecision {

    /**
     * Send {@code advertisement} to {@code to} (the solicitation's link-local source, RFC 4861
     * §6.2.6) after {@code delay}.
     */
    record Answer(RouterAdvertisement advertisement, Inet6Address to, MacAddress mac, Duration delay)
            implements NdpDecision {
    }

    /**
     * Not booting yet: ask again ({@link RouterAnswerEngine#solicited(
     * org.astralboot.ndp.codec.RouterSolicitation, Inet6Address, int)} with {@code attempt}) after
     * {@code after}, by which time its DHCP request, sent together with the solicitation, has been
     * seen.
     */
    record Recheck(Duration after, int attempt, MacAddress mac) implements NdpDecision {
    }

    /** No answer. {@code mac}: the machine, when it could be told. */
    record Silence(Reason reason, Optional<MacAddress> mac) implements NdpDecision {
    }

    /** Why a solicitation gets no answer. */
    enum Reason {
        /** {@code [ipv6] answer_rs = false}. */
        DISABLED,
        /** From {@code ::}: no address to unicast to, and no MAC (RFC 4861 §4.1 forbids the option). */
        UNSPECIFIED_SOURCE,
        /** Neither a source link-layer address option nor an EUI-64 link-local source tells the MAC. */
        NO_MAC,
        /** The MAC sent no PXE or iPXE DHCP request within the booting window. */
        NOT_BOOTING,
        /** Another router advertises on the segment: it answers, not us. */
        FOREIGN_ROUTER,
        /** This machine was answered less than the minimum interval ago. */
        RATE_LIMITED
    }
}

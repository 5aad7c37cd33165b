package org.astralboot.ndp.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.astralboot.net.MacAddress;

/**
 * The router-advertisement answer's settings.
 *
 * @param answerRs      answer router solicitations at all ({@code [ipv6] answer_rs})
 * @param serverMac     this server's MAC on the interface, sent in the source link-layer address
 *                      option; null: no such option (an interface without one)
 * @param bootingWindow how recently a MAC must have sent a PXE or iPXE DHCP request to count as
 *                      network-booting now
 * @param minInterval   the shortest time between two answers to one machine
 * @param foreignHold   how long the answer stands down after another router's advertisement, at
 *                      least (longer when that advertisement's router lifetime is longer)
 * @param maxDelay      answers wait a random time up to this (RFC 4861 §6.2.6: MAX_RA_DELAY_TIME)
 * @param content       the flags and prefix the answer carries ({@link RaContent#NONE} without DHCPv6)
 * @param rechecks      a solicitation from a machine not (yet) booting is looked at again after each
 *                      of these waits in turn, before it is left unanswered; empty: never
 */
public record NdpSettings(boolean answerRs, MacAddress serverMac, Duration bootingWindow, Duration minInterval,
        Duration foreignHold, Duration maxDelay, RaContent content, List<Duration> rechecks) {
    /** A machine counts as booting for this long after its last PXE or iPXE DHCP request. */
    public static final Duration BOOTING_WINDOW = Duration.ofMinutes(5);
    /**
     * One answer a second per machine at most: iPXE repeats its solicitation after 0.125 s, then
     * doubles the wait up to 3 s, so a lost answer still gets a second chance quickly.
     */
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    /**
     * 30 minutes, RFC 4861 §6.2.1's largest MaxRtrAdvInterval (1800 s): a live router advertises
     * again within it, so the answer never resumes between two of its advertisements.
     */
    public static final Duration FOREIGN_HOLD = Duration.ofMinutes(30);
    /** RFC 4861 §10: MAX_RA_DELAY_TIME, 0.5 s. */
    public static final Duration MAX_RA_DELAY = Duration.ofMillis(500);

    /**
     * Look again 0.05 s and then 1 s after the solicitation. A machine's first solicitation leaves
     * together with its first DHCP request (iPXE starts its IPv4 and IPv6 configurators at once;
     * EDK2 sends its router solicitation and its DHCPv6 Solicit as soon as its link-local address
     * is usable), so it often arrives a few milliseconds before the request that makes the machine
     * count as booting. Dropped, the machine waits for its next solicitation (iPXE: 0.25 s later,
     * bench/boot run 5; EDK2: 4 s, RFC 4861 §10 RTR_SOLICITATION_INTERVAL) and then for the answer's
     * random delay. 50 ms is ample for the request sent in the same instant to be handled (DHCP
     * notes the MAC before it answers); the second look covers a DHCPv6 Solicit delayed by up to
     * SOL_MAX_DELAY (1 s, RFC 3315 §17.1.2).
     */
    public static final List<Duration> RECHECKS = List.of(Duration.ofMillis(50), Duration.ofMillis(950));

    public NdpSettings {
        Objects.requireNonNull(bootingWindow, "bootingWindow");
        Objects.requireNonNull(minInterval, "minInterval");
        Objects.requireNonNull(foreignHold, "foreignHold");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(content, "content");
        rechecks = List.copyOf(rechecks);
    }

    /** The defaults above, on or off, the answer configuring nothing. */
    public static NdpSettings defaults(boolean answerRs, MacAddress serverMac) {
        return defaults(answerRs, serverMac, RaContent.NONE);
    }

    /** The defaults above, on or off, the answer carrying {@code content}. */
    public static NdpSettings defaults(boolean answerRs, MacAddress serverMac, RaContent content) {
        return new NdpSettings(answerRs, serverMac, BOOTING_WINDOW, MIN_INTERVAL, FOREIGN_HOLD, MAX_RA_DELAY, content,
                RECHECKS);
    }
}

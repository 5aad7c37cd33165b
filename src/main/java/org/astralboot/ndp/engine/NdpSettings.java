package org.astralboot.ndp.engine;

import java.time.Duration;
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
 */
public record NdpSettings(boolean answerRs, MacAddress serverMac, Duration bootingWindow, Duration minInterval,
        Duration foreignHold, Duration maxDelay) {
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

    public NdpSettings {
        Objects.requireNonNull(bootingWindow, "bootingWindow");
        Objects.requireNonNull(minInterval, "minInterval");
        Objects.requireNonNull(foreignHold, "foreignHold");
        Objects.requireNonNull(maxDelay, "maxDelay");
    }

    /** The defaults above, on or off. */
    public static NdpSettings defaults(boolean answerRs, MacAddress serverMac) {
        return new NdpSettings(answerRs, serverMac, BOOTING_WINDOW, MIN_INTERVAL, FOREIGN_HOLD, MAX_RA_DELAY);
    }
}

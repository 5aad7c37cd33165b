package org.astralboot.net;

/**
 * Where a codec or engine reports a client quirk it tolerated: a behaviour outside the letter of
 * the RFCs that it accepted rather than refused. Reporting is a call, not a log line, so codecs and
 * engines stay pure; the transport passes a {@link QuirkCounter}.
 *
 * @param <E> the protocol's quirk enum ({@code TftpQuirk}, {@code DhcpQuirk})
 */
@FunctionalInterface
public interface QuirkSink<E extends Enum<E>> {

    /** {@code quirk} was tolerated once. Must be cheap and thread-safe: it runs on the hot path. */
    void tolerated(E quirk);

    /** A sink that drops every report (tests and tools that do not count). */
    static <E extends Enum<E>> QuirkSink<E> none() {
        return q -> {
        };
    }
}

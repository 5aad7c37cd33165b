package org.astralboot.dhcp6.codec;

import java.net.Inet6Address;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A relay agent/server message (RFC 8415 §9): Relay-forward (§9.1, a relay agent to a server) or
 * Relay-reply (§9.2, a server to a relay agent). Immutable.
 *
 * <p>Its options hold exactly one {@link Dhcp6Option.RelayMessage} (§21.10): the relayed message,
 * a client/server message or, through more than one relay agent, another relay message of the same
 * direction; beside it a Relay-forward may carry Interface-Id (§21.18) and the client's link-layer
 * address (RFC 6939), which a Relay-reply echoes as far as §18.3.10 asks.
 *
 * @param hopCount    relay agents this message has passed before the one that made it (0-255;
 *                    echoed in the Relay-reply)
 * @param linkAddress an address on the client's link, chosen by the relay agent, or {@code ::}
 *                    (RFC 8415 §9.1): which pool the client belongs to
 * @param peerAddress the address of the client or relay agent the message came from (§9.1)
 */
public record Dhcp6Relay(Dhcp6MessageType type, int hopCount, Inet6Address linkAddress, Inet6Address peerAddress,
        List<Dhcp6Option> options) implements Dhcp6Packet {
    /**
     * RFC 8415 §7.6: a relay agent relays a Relay-forward only while its hop-count is below this (§19.1.2), so a
     * valid chain has hop-counts 0 to 8 and at most {@link #MAX_LAYERS} relay messages.
     */
    public static final int HOP_COUNT_LIMIT = 8;
    /** Relay messages one datagram may nest: hop-counts 0 to {@link #HOP_COUNT_LIMIT}. */
    public static final int MAX_LAYERS = HOP_COUNT_LIMIT + 1;
    /** msg-type (1) + hop-count (1) + link-address (16) + peer-address (16), RFC 8415 §9. */
    public static final int HEADER_LENGTH = 34;

    public Dhcp6Relay {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(linkAddress, "linkAddress");
        Objects.requireNonNull(peerAddress, "peerAddress");
        if (type != Dhcp6MessageType.RELAY_FORW && type != Dhcp6MessageType.RELAY_REPL) {
            throw new IllegalArgumentException(type + " is not a relay message (RFC 8415 §9)");
        }
        if (hopCount < 0 || hopCount > 255) {
            throw new IllegalArgumentException("hop-count is 8 bits: " + hopCount);
        }
        options = List.copyOf(options);
        long relayed = options.stream().filter(Dhcp6Option.RelayMessage.class::isInstance).count();
        if (relayed != 1) {
            throw new IllegalArgumentException("a relay message carries exactly one Relay Message option, not "
                    + relayed);
        }
    }

    /** The message this one relays (the Relay Message option's). */
    public Dhcp6Packet relayed() {
        return first(Dhcp6Option.RelayMessage.class).orElseThrow().packet();
    }

    /** The client/server message at the bottom of the chain. */
    public Dhcp6Message innermost() {
        Dhcp6Packet p = relayed();
        while (p instanceof Dhcp6Relay r) {
            p = r.relayed();
        }
        return (Dhcp6Message) p;
    }

    /** This relay message and those it carries, outermost (the one the server received) first. */
    public List<Dhcp6Relay> chain() {
        List<Dhcp6Relay> l = new java.util.ArrayList<>();
        Dhcp6Packet p = this;
        while (p instanceof Dhcp6Relay r) {
            l.add(r);
            p = r.relayed();
        }
        return List.copyOf(l);
    }

    /** The first option of {@code kind}, if any. */
    public <T extends Dhcp6Option> Optional<T> first(Class<T> kind) {
        return options.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }
}

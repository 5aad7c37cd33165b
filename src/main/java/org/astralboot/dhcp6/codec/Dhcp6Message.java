package org.astralboot.dhcp6.codec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A client/server DHCPv6 message (RFC 8415 §8): type, 24-bit transaction id and options in wire
 * order. Immutable.
 */
public record Dhcp6Message(Dhcp6MessageType type, int transactionId, List<Dhcp6Option> options)
        implements Dhcp6Packet {
    public Dhcp6Message {
        Objects.requireNonNull(type);
        if (type == Dhcp6MessageType.RELAY_FORW || type == Dhcp6MessageType.RELAY_REPL) {
            throw new IllegalArgumentException("relay messages have another format (RFC 8415 §9): Dhcp6Relay");
        }
        if ((transactionId & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException("transaction id is 24 bits: " + transactionId);
        }
        options = List.copyOf(options);
    }

    /** The first option of {@code kind}, if any. */
    public <T extends Dhcp6Option> Optional<T> first(Class<T> kind) {
        for (Dhcp6Option o : options) {
            if (kind.isInstance(o)) {
                return Optional.of(kind.cast(o));
            }
        }
        return Optional.empty();
    }

    /** Every option of {@code kind}, in order. */
    public <T extends Dhcp6Option> List<T> all(Class<T> kind) {
        return options.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** How many options carry {@code code}. */
    public int count(int code) {
        int n = 0;
        for (Dhcp6Option o : options) {
            if (o.code() == code) {
                n++;
            }
        }
        return n;
    }

    /** The client's DUID (CLIENTID), if present. */
    public Optional<Duid> clientId() {
        return first(Dhcp6Option.ClientId.class).map(Dhcp6Option.ClientId::duid);
    }

    /** The server's DUID (SERVERID), if present. */
    public Optional<Duid> serverId() {
        return first(Dhcp6Option.ServerId.class).map(Dhcp6Option.ServerId::duid);
    }

    /** The transaction id as six hex digits, for logs. */
    public String xid() {
        return String.format("%06x", transactionId);
    }
}

package org.astralboot.dhcp6.engine;

import java.util.List;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Dhcp6Packet;
import org.astralboot.dhcp6.codec.Dhcp6Relay;
import org.astralboot.dhcp6.lease.Lease6;

/**
 * What the engine decided to send: the message, to the client's source address and port (RFC 8415
 * §18.3: a server replies to the address and port the message came from); for a relayed message
 * the Relay-reply carrying it, to the relay agent's address on port 547 (RFC 8415 §7.2, §18.3.10).
 *
 * @param message the Advertise or Reply
 * @param changed bindings changed for it: the reply leaves only after they are committed
 * @param relay   the Relay-reply that carries {@code message}, or {@code null} for a direct client
 */
public record Dhcp6Reply(Dhcp6Message message, List<Lease6> changed, Dhcp6Relay relay) {
    public Dhcp6Reply {
        changed = List.copyOf(changed);
        if (relay != null && !relay.innermost().equals(message)) {
            throw new IllegalArgumentException("the Relay-reply does not carry the message");
        }
    }

    /** To a client directly. */
    public Dhcp6Reply(Dhcp6Message message, List<Lease6> changed) {
        this(message, changed, null);
    }

    /** This reply carried in {@code r}. */
    public Dhcp6Reply relayed(Dhcp6Relay r) {
        return new Dhcp6Reply(message, changed, r);
    }

    /** What goes on the wire: the Relay-reply, else the message. */
    public Dhcp6Packet wire() {
        return relay != null ? relay : message;
    }

    /** Whether the database must commit before the reply is sent. */
    public boolean leaseChanged() {
        return !changed.isEmpty();
    }
}

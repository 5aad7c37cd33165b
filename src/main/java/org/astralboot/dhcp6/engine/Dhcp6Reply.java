package org.astralboot.dhcp6.engine;

import java.util.List;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.lease.Lease6;

/**
 * What the engine decided to send: the message, to the client's source address and port (RFC 8415
 * §18.3: a server replies to the address and port the message came from).
 *
 * @param message the Advertise or Reply
 * @param changed bindings changed for it: the reply leaves only after they are committed
 */
public record Dhcp6Reply(Dhcp6Message message, List<Lease6> changed) {
    public Dhcp6Reply {
        changed = List.copyOf(changed);
    }

    /** Whether the database must commit before the reply is sent. */
    public boolean leaseChanged() {
        return !changed.isEmpty();
    }
}

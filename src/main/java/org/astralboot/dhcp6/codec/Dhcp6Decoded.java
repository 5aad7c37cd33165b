package org.astralboot.dhcp6.codec;

import java.util.Objects;

/**
 * What {@link Dhcp6Codec#decode} made of a datagram: a message, a relayed one, a malformed datagram (with the
 * reason, for the debug log and the counters), or a well-formed one this server does not serve.
 */
public sealed interface Dhcp6Decoded {

    /** A message. */
    record Ok(Dhcp6Message message) implements Dhcp6Decoded {
        public Ok {
            Objects.requireNonNull(message);
        }
    }

    /**
     * A relay message (RFC 8415 §9) whose chain ends in a client/server message: {@link
     * Dhcp6Relay#innermost()}.
     */
    record Relayed(Dhcp6Relay relay) implements Dhcp6Decoded {
        public Relayed {
            Objects.requireNonNull(relay);
        }
    }

    /** Not a valid DHCPv6 message: truncated, a length past its end, a bad option value. */
    record Malformed(String reason) implements Dhcp6Decoded {
        public Malformed {
            Objects.requireNonNull(reason);
        }
    }

    /**
     * A message this server does not take: a type RFC 8415 does not define, at the top or relayed.
     */
    record Unsupported(String reason) implements Dhcp6Decoded {
        public Unsupported {
            Objects.requireNonNull(reason);
        }
    }
}

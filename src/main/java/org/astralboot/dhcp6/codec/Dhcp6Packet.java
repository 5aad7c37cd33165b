package org.astralboot.dhcp6.codec;

/**
 * A DHCPv6 datagram's content (RFC 8415 §8, §9): a client/server message, or a relay agent/server
 * message carrying one (or another relay message) in its Relay Message option.
 */
public sealed interface Dhcp6Packet permits Dhcp6Message, Dhcp6Relay {
    /** The msg-type. */
    Dhcp6MessageType type();
}

package org.astralboot.events;

/**
 * Where the services report {@link BootEvent}s. The DHCP, TFTP and HTTP transports depend on this
 * interface only; what keeps, streams or counts the events (the admin interface) is wired in by
 * {@code serve}. Implementations must return quickly and never throw: they are called on the
 * threads that answer the machines.
 */
@FunctionalInterface
public interface Events {
    /** Reports nothing: the default where no admin interface is wired (tests, tools). */
    Events NONE = e -> { };

    void emit(BootEvent event);

    /**
     * One HTTP request answered, whatever it was (for request counters; most requests are no boot
     * step and make no {@link BootEvent}).
     *
     * @param route  the route family ({@code entry}, {@code ipxe}, {@code machine}, {@code os}, ...)
     * @param status the status sent
     * @param bytes  the response bytes sent
     */
    default void request(String route, int status, long bytes) {
    }

    /**
     * A DHCP message from or to a client that is not network-booting (no PXE or iPXE
     * identification), or one that makes no event (DECLINE, INFORM): counted, but no
     * {@link BootEvent}, so the laptops and printers of a busy segment never push booting machines
     * out of the kept events, and cost the DHCP thread one counter increment instead of an event.
     * Called on the DHCP thread for every such packet: implementations must not allocate or lock.
     *
     * @param type     the DHCP message type (RFC 2132 §9.6: 1 DISCOVER ... 8 INFORM)
     * @param received from the client (else: sent to it)
     * @param mac      the client's hardware address as {@code MacAddress.value()} (48 bits)
     */
    default void dhcpPacket(int type, boolean received, long mac) {
    }

    /**
     * One group commit of lease changes made durable (RFC 2131 §4.3.1: an address is recorded
     * before it is offered): how long the database commit took, for the commit latency histogram.
     * Once per commit, not per packet.
     */
    default void dhcpCommit(long nanos, int leases) {
    }

    /**
     * A DHCPv6 message received from a client or sent to it, whatever the client (booting or not):
     * every DHCPv6 message is counted here, and a booting client's also makes a {@link BootEvent}.
     *
     * @param type     the DHCPv6 message type (RFC 8415 §7.3: 1 Solicit ... 11 Information-request)
     * @param received from the client (else: sent to it)
     * @param mac      the client's MAC as {@code MacAddress.value()} when its DUID or link-local
     *                 address tells it, else -1
     * @param booting  the client is network-boot firmware (PXE, HTTP boot, iPXE); else an operating
     *                 system's DHCPv6 client, such as a booted machine's
     */
    default void dhcp6Packet(int type, boolean received, long mac, boolean booting) {
    }

    /**
     * A DHCPv6 datagram that got no reply, and why: {@code reason} is one of a fixed set of labels
     * ({@code other_server}, {@code stateless_mode}, {@code invalid}, {@code malformed}, ...,
     * listed in {@code docs/operator.md}).
     */
    default void dhcp6Unanswered(String reason) {
    }

    /**
     * An address refused in a DHCPv6 Advertise or Reply: {@code status} is the status code sent
     * (RFC 8415 §21.13: 2 NoAddrsAvail, 3 NoBinding, 4 NotOnLink).
     */
    default void dhcp6Refused(int status) {
    }

    /**
     * DHCPv6 binding changes made durable before their Reply went out (RFC 8415 §18.3: the server
     * records a binding before it tells the client): how long the database commit took.
     */
    default void dhcp6Commit(long nanos, int bindings) {
    }

    /** A TFTP transfer resent its OACK or a window after a timeout (RFC 1350 §2, RFC 7440 §4). */
    default void tftpRetransmit() {
    }

    /**
     * A TFTP transfer or request that ended in an error: {@code code} is the TFTP error code
     * (RFC 1350 §5, 0-8) of the ERROR packet sent or received, or -1 when none was exchanged (the
     * transfer's socket failed). Reported besides its {@link BootEvent.Kind#TFTP_ERROR} event.
     */
    default void tftpError(int code) {
    }

    /**
     * A change in the number of TFTP transfers in progress (+1 at start, -1 at the end, whatever
     * the end).
     */
    default void tftpActive(int delta) {
    }

    /** Both this and {@code other}, in that order. */
    default Events and(Events other) {
        if (this == NONE) {
            return other;
        }
        if (other == NONE) {
            return this;
        }
        Events self = this;
        return new Events() {
            @Override
            public void emit(BootEvent e) {
                self.emit(e);
                other.emit(e);
            }

            @Override
            public void request(String route, int status, long bytes) {
                self.request(route, status, bytes);
                other.request(route, status, bytes);
            }

            @Override
            public void tftpActive(int delta) {
                self.tftpActive(delta);
                other.tftpActive(delta);
            }

            @Override
            public void dhcpPacket(int type, boolean received, long mac) {
                self.dhcpPacket(type, received, mac);
                other.dhcpPacket(type, received, mac);
            }

            @Override
            public void dhcpCommit(long nanos, int leases) {
                self.dhcpCommit(nanos, leases);
                other.dhcpCommit(nanos, leases);
            }

            @Override
            public void dhcp6Packet(int type, boolean received, long mac, boolean booting) {
                self.dhcp6Packet(type, received, mac, booting);
                other.dhcp6Packet(type, received, mac, booting);
            }

            @Override
            public void dhcp6Unanswered(String reason) {
                self.dhcp6Unanswered(reason);
                other.dhcp6Unanswered(reason);
            }

            @Override
            public void dhcp6Refused(int status) {
                self.dhcp6Refused(status);
                other.dhcp6Refused(status);
            }

            @Override
            public void dhcp6Commit(long nanos, int bindings) {
                self.dhcp6Commit(nanos, bindings);
                other.dhcp6Commit(nanos, bindings);
            }

            @Override
            public void tftpRetransmit() {
                self.tftpRetransmit();
                other.tftpRetransmit();
            }

            @Override
            public void tftpError(int code) {
                self.tftpError(code);
                other.tftpError(code);
            }
        };
    }
}

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

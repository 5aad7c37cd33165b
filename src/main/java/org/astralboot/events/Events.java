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
     * identification): counted, but no {@link BootEvent}, so the laptops and printers of a busy
     * segment never push booting machines out of the kept events, and cost the DHCP thread one
     * counter increment instead of an event.
     *
     * @param type     the message type in lower case ({@code discover}, {@code ack}, ...)
     * @param received from the client (else: sent to it)
     */
    default void dhcpPacket(String type, boolean received) {
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
            public void dhcpPacket(String type, boolean received) {
                self.dhcpPacket(type, received);
                other.dhcpPacket(type, received);
            }
        };
    }
}

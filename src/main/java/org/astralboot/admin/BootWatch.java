package org.astralboot.admin;

import org.astralboot.events.BootEvent;
import org.astralboot.events.Events;

/**
 * The admin side's view of the boots: every event goes to the {@link EventRing} (kept, streamed),
 * the {@link MachineBoard} (each machine's progress) and the {@link BootMetrics} (counted). This is
 * the {@link Events} sink {@code serve} hands to the services.
 */
public final class BootWatch implements Events {
    /** Events kept in memory by default. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final EventRing ring;
    private final MachineBoard board = new MachineBoard();
    private final BootMetrics metrics = new BootMetrics();
    /** Address → MAC for events whose reporter knows only the address (TFTP): DHCP's leases. */
    private volatile java.util.function.Function<String, String> macOf = ip -> "";

    public BootWatch(int capacity) {
        this.ring = new EventRing(capacity);
    }

    public EventRing ring() {
        return ring;
    }

    public MachineBoard board() {
        return board;
    }

    public BootMetrics metrics() {
        return metrics;
    }

    /**
     * Where the MAC of an event that carries only an address is looked up (the DHCP leases);
     * {@code ""} from it leaves the event without a MAC.
     */
    public void macsBy(java.util.function.Function<String, String> lookup) {
        macOf = lookup;
    }

    @Override
    public void emit(BootEvent event) {
        try {
            if (event.mac().isEmpty() && !event.ip().isEmpty()) {
                String m = macOf.apply(event.ip());
                if (m != null && !m.isEmpty()) {
                    event = event.withMac(m);
                }
            }
            // Board and metrics first: a stream reader woken by the ring then sees them up to date.
            board.emit(event);
            metrics.emit(event);
            ring.emit(event);
        } catch (RuntimeException e) {
            // Never let bookkeeping break an answer to a machine.
            org.slf4j.LoggerFactory.getLogger("org.astralboot.admin").warn("event {} not recorded: {}", event, e.toString());
        }
    }

    @Override
    public void request(String route, int status, long bytes) {
        metrics.request(route, status, bytes);
    }

    @Override
    public void dhcpPacket(String type, boolean received) {
        metrics.dhcpPacket(type, received);
    }

    @Override
    public void tftpActive(int delta) {
        metrics.tftpActive(delta);
    }
}

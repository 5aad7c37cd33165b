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

    @Override
    public void emit(BootEvent event) {
        try {
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
    public void tftpActive(int delta) {
        metrics.tftpActive(delta);
    }
}

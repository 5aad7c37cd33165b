package org.astralboot.admin;

import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.events.BootEvent.Step;
import org.astralboot.events.Events;
import org.astralboot.net.MacAddress;

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
    /** Machines watched for their kernel at most (an initrd sent, no sign of the kernel yet). */
    static final int MAX_AWAITING = 10_000;
    /** How long after its initrd a machine's own DHCP client still tells that its kernel runs. */
    static final java.time.Duration RUNNING_WINDOW = java.time.Duration.ofMinutes(30);
    /**
     * MAC ({@link MacAddress#value()}) → when its initrd was sent, for machines whose kernel has
     * not been seen running yet. The DHCP thread looks here only while it is not empty.
     */
    private final java.util.concurrent.ConcurrentHashMap<Long, java.time.Instant> awaitingKernel =
            new java.util.concurrent.ConcurrentHashMap<>();
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
            track(event);
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

    /** Keeps {@link #awaitingKernel}: in after an initrd, out at the next boot or a sign of the kernel. */
    private void track(BootEvent e) {
        Kind k = e.kind();
        boolean in = k == Kind.HTTP_INITRD;
        boolean out = k == Kind.DHCP_DISCOVER || k == Kind.DHCP6_SOLICIT || k.step() == Step.RUNNING || k.step() == Step.INSTALLED;
        if (e.mac().isEmpty() || !in && !out) {
            return;
        }
        long mac;
        try {
            mac = MacAddress.parse(e.mac()).value();
        } catch (IllegalArgumentException x) {
            return;
        }
        if (in) {
            if (awaitingKernel.size() < MAX_AWAITING) {
                awaitingKernel.put(mac, e.time());
            }
        } else {
            awaitingKernel.remove(mac);
        }
    }

    /**
     * Counts the message; and when a machine whose initrd was sent lately asks for an address with
     * a client that is no network boot firmware (its booted system's own DHCP client), its kernel
     * runs: a {@link Kind#KERNEL_RUNNING} event. While no machine is waiting for its kernel this
     * is one counter increment and one emptiness check.
     */
    @Override
    public void dhcpPacket(int type, boolean received, long mac) {
        metrics.dhcpPacket(type, received, mac);
        if (received && (type == DISCOVER || type == REQUEST) && !awaitingKernel.isEmpty()) {
            kernelRunning(mac, "DHCP", type == DISCOVER ? "DISCOVER" : "REQUEST");
        }
    }

    /**
     * Counts the DHCPv6 message; and, as for DHCPv4, a Solicit or Request from the booted system's
     * own DHCPv6 client (no boot firmware) shortly after the machine's initrd tells that its kernel
     * runs.
     */
    @Override
    public void dhcp6Packet(int type, boolean received, long mac, boolean booting) {
        metrics.dhcp6Packet(type, received, mac, booting);
        if (received && !booting && mac >= 0 && (type == SOLICIT6 || type == REQUEST6) && !awaitingKernel.isEmpty()) {
            kernelRunning(mac, "DHCPv6", type == SOLICIT6 ? "Solicit" : "Request");
        }
    }

    /** A {@link Kind#KERNEL_RUNNING} event when {@code mac}'s initrd was sent within {@link #RUNNING_WINDOW}. */
    private void kernelRunning(long mac, String protocol, String message) {
        java.time.Instant initrd = awaitingKernel.remove(mac);
        if (initrd != null) {
            java.time.Instant now = java.time.Instant.now();
            long s = java.time.Duration.between(initrd, now).toSeconds();
            if (s <= RUNNING_WINDOW.toSeconds()) {
                emit(new BootEvent(0, now, new MacAddress(mac).toString(), "", "", Kind.KERNEL_RUNNING,
                        "its system's " + protocol + " client sent a " + message + " " + s + " s after the initrd",
                        -1, -1));
            }
        }
    }

    /** DHCP message types (RFC 2132 §9.6) the booted system's client starts with. */
    private static final int DISCOVER = 1;
    private static final int REQUEST = 3;
    /** The same of DHCPv6 (RFC 8415 §7.3). */
    private static final int SOLICIT6 = 1;
    private static final int REQUEST6 = 3;

    @Override
    public void dhcp6Unanswered(String reason) {
        metrics.dhcp6Unanswered(reason);
    }

    @Override
    public void dhcp6Refused(int status) {
        metrics.dhcp6Refused(status);
    }

    @Override
    public void dhcp6Commit(long nanos, int bindings) {
        metrics.dhcp6Commit(nanos, bindings);
    }

    @Override
    public void dhcpCommit(long nanos, int leases) {
        metrics.dhcpCommit(nanos, leases);
    }

    @Override
    public void tftpRetransmit() {
        metrics.tftpRetransmit();
    }

    @Override
    public void tftpError(int code) {
        metrics.tftpError(code);
    }

    @Override
    public void tftpActive(int delta) {
        metrics.tftpActive(delta);
    }
}

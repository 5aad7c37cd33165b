package org.astralboot.db;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a service's wiring that its {@link Database} cannot commit (disk full, I/O error), once. A
 * failed commit fails every later one, so no further reply could be made durable; what to do is the
 * handler's decision ({@code astralboot serve} stops the process with exit 1, issue 11), not the
 * service's. Shared by the DHCP lease writer and the DHCPv6 service.
 */
public final class StoreFailure {
    private static final Logger log = LoggerFactory.getLogger(StoreFailure.class);

    private final String name;
    private final Consumer<String> handler;
    private final AtomicBoolean told = new AtomicBoolean();

    /**
     * @param name    the service's name: the reporting thread is {@code <name>-fatal}
     * @param handler told the message saying why; one that throws is logged, never lost silently
     */
    public StoreFailure(String name, Consumer<String> handler) {
        this.name = Objects.requireNonNull(name, "name");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Tells the handler {@code msg} on a new thread {@code <name>-fatal}, the first time only. Not on
     * the caller's thread: the caller is a service's receiving thread, and a handler that stops the
     * process closes that service, which waits for that thread to end.
     *
     * @return {@code false} when the failure was already reported (this message is dropped)
     */
    public boolean report(String msg) {
        if (!told.compareAndSet(false, true)) {
            return false;
        }
        new Thread(() -> tell(msg), name + "-fatal").start();
        return true;
    }

    /**
     * {@link #report} on the calling thread: for a caller that already runs on a thread of its own
     * (a lease writer with its own thread), not on a service's receiving thread.
     */
    public boolean reportHere(String msg) {
        if (!told.compareAndSet(false, true)) {
            return false;
        }
        tell(msg);
        return true;
    }

    private void tell(String msg) {
        try {
            handler.accept(msg);
        } catch (RuntimeException | Error e) {
            log.error("{}: the store-failure handler failed", name, e);
        }
    }
}

package org.astralboot.server;

import java.io.IOException;

/**
 * A network listener of the server (DHCP, TFTP, HTTP). {@link #start()} binds and returns once the
 * service accepts traffic; {@link #close()} stops it and releases its sockets and threads.
 */
public interface Service extends AutoCloseable {

    /** Short name for logs: "dhcp", "tftp", "http". */
    String name();

    /** Binds and starts serving. A bind failure is an {@link IOException} naming address and port. */
    void start() throws IOException;

    @Override
    void close();
}

package org.astralboot.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.astralboot.config.Config;

/**
 * Where a request runs, decided on the I/O thread before anything may block. File sends (the
 * {@code /os/} and {@code /tftp/} routes) run on their own pool of {@code http.file_threads}: each
 * holds its thread for as long as the client takes, so a rack downloading kernels, or clients that
 * trickle, may fill that pool, and their next requests wait in its queue. Every other route
 * (entry script, menus, boot scripts, templates, the end hook) runs on {@code http.script_threads}
 * threads that no file send ever takes, so machines always get their scripts.
 *
 * <p>A connection is counted against its client address at its first request and released when it
 * closes; a connection beyond {@code http.max_connections_per_client} gets its request refused
 * (marked {@link #REFUSED}, answered 503 with Retry-After by {@link BootHandler}'s one error path)
 * and is closed.
 */
final class Admission implements AutoCloseable {
    /** On an exchange that must be refused: the error to answer with. */
    static final AttachmentKey<HttpError> REFUSED = AttachmentKey.create(HttpError.class);
    /** On a connection counted in {@link #connections}. */
    private static final AttachmentKey<InetAddress> COUNTED = AttachmentKey.create(InetAddress.class);

    private final Config.Http cfg;
    private final ThreadPoolExecutor files;
    private final ThreadPoolExecutor scripts;
    private final ConnectionLimit connections;

    Admission(Config.Http cfg) {
        this.cfg = cfg;
        this.files = pool("http-file-", cfg.fileThreads());
        this.scripts = pool("http-script-", cfg.scriptThreads());
        this.connections = new ConnectionLimit(cfg.maxConnectionsPerClient());
    }

    /** A fixed pool with an unbounded queue: requests beyond the threads wait, none is lost. */
    private static ThreadPoolExecutor pool(String name, int threads) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name(name, 0).daemon().factory());
    }

    /** File routes: the ones whose reply is a file of the boot tree, of any size. */
    static boolean isFileRoute(String rawPath) {
        return rawPath.startsWith("/os/") || rawPath.startsWith("/tftp/");
    }

    /** On the I/O thread: counts the connection, then hands the exchange to the pool of its route. */
    void admit(HttpServerExchange ex, HttpHandler handler) {
        ServerConnection c = ex.getConnection();
        if (c.getAttachment(COUNTED) == null) {
            InetSocketAddress peer = c.getPeerAddress(InetSocketAddress.class);
            InetAddress a = peer == null ? null : peer.getAddress();
            if (a != null) {
                if (!connections.acquire(a)) {
                    ex.putAttachment(REFUSED, new HttpError(503, "too many connections from " + a.getHostAddress()
                            + " (http.max_connections_per_client = " + connections.max() + "), retry later"));
                    ex.setPersistent(false); // closed once the 503 is out
                    ex.dispatch(scripts, handler);
                    return;
                }
                c.putAttachment(COUNTED, a);
                AtomicBoolean released = new AtomicBoolean();
                c.addCloseListener(x -> {
                    if (released.compareAndSet(false, true)) {
                        connections.release(a);
                    }
                });
                if (!c.isOpen() && released.compareAndSet(false, true)) {
                    connections.release(a); // closed before the listener was in place
                }
            }
        }
        ex.dispatch(isFileRoute(ex.getRequestPath()) ? files : scripts, handler);
    }

    /** The minimum-rate judge for one file send. */
    SendRate sendRate() {
        return new SendRate(cfg.minSendRate(), cfg.sendRateWindow(), System::nanoTime);
    }

    ConnectionLimit connections() {
        return connections;
    }

    @Override
    public void close() {
        files.shutdownNow();
        scripts.shutdownNow();
    }

    /** For tests and the log: threads of each pool busy now. */
    String describe() {
        return "file threads " + files.getActiveCount() + "/" + cfg.fileThreads() + " (" + files.getQueue().size()
                + " waiting), script threads " + scripts.getActiveCount() + "/" + cfg.scriptThreads();
    }
}

package org.astralboot.ipfs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closes streamed response bodies whose {@code read} has been blocked for longer than the idle
 * limit (time the caller spends between reads does not count).
 * {@code HttpRequest.timeout} only bounds the wait for response headers, so without this a node
 * that stalls mid-body would block a reader for ever. Closing the stream makes the blocked
 * {@code read} fail, and the wrapper turns that into an "unreachable" {@link KuboException}.
 */
final class IdleWatchdog {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ipfs-idle-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Every guarded stream of every client: one timer task serves them all. */
    private static final Set<IdleWatchdog.Guarded> STREAMS = ConcurrentHashMap.newKeySet();

    static {
        TIMER.scheduleAtFixedRate(IdleWatchdog::sweep, 250, 250, TimeUnit.MILLISECONDS);
    }

    private final long idleNanos;

    IdleWatchdog(Duration idle) {
        this.idleNanos = idle.toNanos();
    }

    InputStream guard(InputStream in, String endpoint) {
        Guarded g = new Guarded(in, endpoint);
        STREAMS.add(g);
        return g;
    }

    private static void sweep() {
        long now = System.nanoTime();
        for (Guarded g : STREAMS) {
            long since = g.blockedSince;
            if (since != 0 && now - since > g.owner().idleNanos) {
                g.expired = true;
                STREAMS.remove(g);
                try {
                    g.rawClose();
                } catch (IOException ignored) {
                    // it is being abandoned anyway
                }
            }
        }
    }

    private final class Guarded extends FilterInputStream {
        private final String endpoint;
        /** When the read in progress started, 0 when none is: a slow consumer is not a stalled node. */
        private volatile long blockedSince;
        private volatile boolean expired;

        Guarded(InputStream in, String endpoint) {
            super(in);
            this.endpoint = endpoint;
        }

        IdleWatchdog owner() {
            return IdleWatchdog.this;
        }

        private IOException wrap(IOException e) {
            if (expired) {
                return KuboException.unreachable(endpoint, "no data for " + Duration.ofNanos(idleNanos).toMillis()
                        + " ms, stream abandoned", e);
            }
            if (e instanceof KuboException) {
                return e;
            }
            return KuboException.unreachable(endpoint, "stream failed: " + e.getMessage(), e);
        }

        @Override
        public int read() throws IOException {
            blockedSince = System.nanoTime();
            try {
                return super.read();
            } catch (IOException e) {
                throw wrap(e);
            } finally {
                blockedSince = 0;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            blockedSince = System.nanoTime();
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw wrap(e);
            } finally {
                blockedSince = 0;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            blockedSince = System.nanoTime();
            try {
                return super.skip(n);
            } catch (IOException e) {
                throw wrap(e);
            } finally {
                blockedSince = 0;
            }
        }

        void rawClose() throws IOException {
            super.close();
        }

        @Override
        public void close() throws IOException {
            STREAMS.remove(this);
            super.close();
        }
    }
}

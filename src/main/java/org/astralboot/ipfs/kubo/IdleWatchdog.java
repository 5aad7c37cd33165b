package org.astralboot.ipfs.kubo;

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
 * Closes streamed response bodies whose {@code read} has been blocked for longer than their
 * limit (time the caller spends between reads does not count): the JDK client's bodies guarded
 * here, and {@link RawStream}'s {@code cat} bodies, which watch themselves ({@link Watched}).
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

    /**
     * A read that may block on the node: the sweeper ends it by calling {@link #expire} once it
     * has been blocked for longer than {@link #limitNanos}.
     */
    interface Watched {
        /** When the read in progress started ({@link System#nanoTime}), 0 when none is. */
        long blockedSince();

        long limitNanos();

        /** Marks the read as abandoned and closes its connection; called once, from the sweeper. */
        void expire();
    }

    /** Every watched read of every client: one timer task serves them all. */
    private static final Set<Watched> STREAMS = ConcurrentHashMap.newKeySet();

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

    static void watch(Watched w) {
        STREAMS.add(w);
    }

    static void unwatch(Watched w) {
        STREAMS.remove(w);
    }

    private static void sweep() {
        long now = System.nanoTime();
        for (Watched w : STREAMS) {
            long since = w.blockedSince();
            if (since != 0 && now - since > w.limitNanos()) {
                STREAMS.remove(w);
                w.expire();
            }
        }
    }

    private final class Guarded extends FilterInputStream implements Watched {
        private final String endpoint;
        /** When the read in progress started, 0 when none is: a slow consumer is not a stalled node. */
        private volatile long blockedSince;
        private volatile boolean expired;

        Guarded(InputStream in, String endpoint) {
            super(in);
            this.endpoint = endpoint;
        }

        @Override
        public long blockedSince() {
            return blockedSince;
        }

        @Override
        public long limitNanos() {
            return idleNanos;
        }

        @Override
        public void expire() {
            expired = true;
            try {
                super.close();
            } catch (IOException ignored) {
                // it is being abandoned anyway
            }
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

        @Override
        public void close() throws IOException {
            STREAMS.remove(this);
            super.close();
        }
    }
}

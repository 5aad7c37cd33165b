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
 * Closes streamed response bodies that deliver no byte for longer than the idle limit.
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

    private final long idleNanos;
    private final Set<Guarded> streams = ConcurrentHashMap.newKeySet();

    IdleWatchdog(Duration idle) {
        this.idleNanos = idle.toNanos();
        long tick = Math.max(100, Math.min(1000, idle.toMillis() / 4));
        TIMER.scheduleAtFixedRate(this::sweep, tick, tick, TimeUnit.MILLISECONDS);
    }

    InputStream guard(InputStream in, String endpoint) {
        Guarded g = new Guarded(in, endpoint);
        streams.add(g);
        return g;
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Guarded g : streams) {
            if (now - g.last > idleNanos) {
                g.expired = true;
                streams.remove(g);
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
        private volatile long last = System.nanoTime();
        private volatile boolean expired;

        Guarded(InputStream in, String endpoint) {
            super(in);
            this.endpoint = endpoint;
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
            try {
                int b = super.read();
                last = System.nanoTime();
                return b;
            } catch (IOException e) {
                throw wrap(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                last = System.nanoTime();
                return n;
            } catch (IOException e) {
                throw wrap(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                long s = super.skip(n);
                last = System.nanoTime();
                return s;
            } catch (IOException e) {
                throw wrap(e);
            }
        }

        void rawClose() throws IOException {
            super.close();
        }

        @Override
        public void close() throws IOException {
            streams.remove(this);
            super.close();
        }
    }
}

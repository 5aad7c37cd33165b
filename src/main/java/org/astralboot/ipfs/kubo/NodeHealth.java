package org.astralboot.ipfs.kubo;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the IPFS node answered lately. After a failure to reach it, requests for uncached
 * content fail at once for a short back-off instead of each waiting for a connect timeout; the
 * first call after the back-off probes the node again, so service recovers without a restart.
 * Logs one line per transition, not one per failed request.
 */
public final class NodeHealth {
    private static final Logger LOG = LoggerFactory.getLogger(NodeHealth.class);

    private final URI api;
    private final long backoffNanos;
    private volatile boolean down;
    private volatile long retryAt;

    public NodeHealth(URI api, long backoffMillis) {
        this.api = api;
        this.backoffNanos = TimeUnit.MILLISECONDS.toNanos(backoffMillis);
    }

    /** False while in back-off after a failure. */
    public boolean mayTry() {
        return !down || System.nanoTime() - retryAt >= 0;
    }

    public boolean down() {
        return down;
    }

    public void ok() {
        if (down) {
            down = false;
            LOG.info("ipfs node {} reachable again", api);
        }
    }

    public void failed(KuboException e) {
        if (!e.unreachable()) {
            return;
        }
        retryAt = System.nanoTime() + backoffNanos;
        if (!down) {
            down = true;
            LOG.warn("ipfs node {} unreachable ({}): serving cached content only until it returns", api,
                    e.getMessage());
        }
    }
}

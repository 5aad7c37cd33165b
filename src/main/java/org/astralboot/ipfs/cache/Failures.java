package org.astralboot.ipfs.cache;

import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.BootStoreException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's failures as the store's: the one place a {@link KuboException} or a
 * {@link VerificationException} becomes a {@link BootStoreException} of the right {@link Kind},
 * so every caller reports an unreachable node, a node error and forged content the same way.
 */
public final class Failures {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCache.class);
    private static final AtomicLong verificationFailures = new AtomicLong();

    private Failures() {
    }

    /** UNAVAILABLE when the node could not be reached, else CORRUPT (the node answered wrongly). */
    static BootStoreException map(String label, KuboException e) {
        if (e.unreachable()) {
            return unavailable(label, e);
        }
        return new BootStoreException(Kind.CORRUPT, label + ": " + e.getMessage(), e);
    }

    /**
     * Content that is not what its CID says: the source (node or gateway) is broken or hostile.
     * Logged as an error with the CID, so the operator sees which block and which source.
     */
    public static BootStoreException refused(String label, VerificationException e) {
        verificationFailures.incrementAndGet();
        LOG.error("ipfs fetch {} refused: block {} does not verify ({}): {}", label, e.cid(),
                e.kind().name().toLowerCase(java.util.Locale.ROOT), e.getMessage());
        return new BootStoreException(Kind.CORRUPT, label + ": content failed verification against its CID: "
                + e.getMessage(), e);
    }

    /**
     * Downloads, ranges and listings refused because a block did not verify against its CID
     * (since start, all caches).
     */
    public static long verificationFailures() {
        return verificationFailures.get();
    }

    /** Content that is not cached while the node cannot be reached ({@code cause} may be null). */
    public static BootStoreException unavailable(String label, Throwable cause) {
        return new BootStoreException(Kind.UNAVAILABLE, label + ": not cached and the IPFS node is unreachable"
                + (cause == null ? "" : " (" + cause.getMessage() + ")"), cause);
    }
}

package org.astralboot.ipfs.kubo;

import java.io.IOException;

/**
 * A failed call to the IPFS node's RPC API. The message always names the endpoint. Kubo reports
 * command errors as {@code {"Message": ..., "Code": N, "Type": "error"}} with status 500 (400 for
 * client errors); {@link #code()} carries {@code Code} (0 normal, 1 client, 2 implementation,
 * 3 rate-limited, 4 forbidden), or -1 when the failure was not such an answer.
 */
public class KuboException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final int status;
    private final int code;
    private final boolean unreachable;

    public KuboException(String endpoint, int status, int code, String message, boolean unreachable, Throwable cause) {
        super("ipfs " + endpoint + ": " + message, cause);
        this.endpoint = endpoint;
        this.status = status;
        this.code = code;
        this.unreachable = unreachable;
    }

    /** The node could not be reached, or stopped answering: the request may succeed later. */
    public static KuboException unreachable(String endpoint, String message, Throwable cause) {
        return new KuboException(endpoint, -1, -1, message, true, cause);
    }

    /** The API path, e.g. {@code cat}. */
    public String endpoint() {
        return endpoint;
    }

    /** HTTP status of the answer, or -1. */
    public int status() {
        return status;
    }

    /** Kubo's error {@code Code}, or -1. */
    public int code() {
        return code;
    }

    /** True when the node did not answer (connection refused, timeout, stream stalled or cut). */
    public boolean unreachable() {
        return unreachable;
    }
}

package org.astralboot.http;

/**
 * The one error type of the HTTP service: a status and a reason fit for the client. {@link
 * BootHandler} turns it into the reply in one place (plain text, or an iPXE script on iPXE routes).
 */
final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final long retryAfter;

    HttpError(int status, String reason) {
        this(status, reason, 0);
    }

    /** @param retryAfter seconds for a Retry-After header (429), or 0 for none */
    HttpError(int status, String reason, long retryAfter) {
        super(reason, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    long retryAfter() {
        return retryAfter;
    }

    static HttpError notFound(String reason) {
        return new HttpError(404, reason);
    }

    int status() {
        return status;
    }
}

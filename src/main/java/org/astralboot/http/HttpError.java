package org.astralboot.http;

/**
 * The one error type of the HTTP service: a status and a reason fit for the client. {@link
 * BootHandler} turns it into the reply in one place (plain text, or an iPXE script on iPXE routes).
 */
final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final boolean quiet;
    private final long retryAfter;

    HttpError(int status, String reason) {
        this(status, reason, false, 0);
    }

    /** @param retryAfter seconds for a Retry-After header (429), or 0 for none */
    HttpError(int status, String reason, long retryAfter) {
        this(status, reason, false, retryAfter);
    }

    private HttpError(int status, String reason, boolean quiet, long retryAfter) {
        super(reason, null, false, false);
        this.status = status;
        this.quiet = quiet;
        this.retryAfter = retryAfter;
    }

    /** An error logged at debug only: see {@code BootHandler.fail}. */
    static HttpError quiet(int status, String reason) {
        return new HttpError(status, reason, true, 0);
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

    boolean quiet() {
        return quiet;
    }
}

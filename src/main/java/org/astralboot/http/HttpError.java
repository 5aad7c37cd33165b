package org.astralboot.http;

/**
 * The one error type of the HTTP service: a status and a reason fit for the client. {@link
 * BootHandler} turns it into the reply in one place (plain text, or an iPXE script on iPXE routes).
 */
final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final boolean quiet;

    HttpError(int status, String reason) {
        this(status, reason, false);
    }

    private HttpError(int status, String reason, boolean quiet) {
        super(reason, null, false, false);
        this.status = status;
        this.quiet = quiet;
    }

    /** An error logged at debug only: see {@code BootHandler.fail}. */
    static HttpError quiet(int status, String reason) {
        return new HttpError(status, reason, true);
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

package org.astralboot.store;

import java.io.IOException;

/**
 * The boot store could not answer. {@link Kind#UNAVAILABLE} means the content exists but cannot be
 * reached now (IPFS node down and the file not cached): HTTP answers 503 and TFTP an ERROR, and
 * the request may succeed later. {@link Kind#CORRUPT} means the source answered with data that does
 * not match what it announced (a short read, a bad length).
 */
public class BootStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the store failed. */
    public enum Kind {
        UNAVAILABLE,
        CORRUPT,
        IO
    }

    private final Kind kind;

    public BootStoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BootStoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

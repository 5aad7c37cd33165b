package org.astralboot.store;

/** A requested path that could name something outside the boot tree, or is otherwise unusable. */
public class InvalidPathException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidPathException(String reason) {
        super(reason);
    }
}

package org.astralboot.db;

import java.io.IOException;
import java.nio.file.Path;

/** Another process already has the database open. */
public class DatabaseLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    public DatabaseLockedException(Path file) {
        super("database " + file + " is in use by another Astralboot process (only one may run on it)");
    }
}

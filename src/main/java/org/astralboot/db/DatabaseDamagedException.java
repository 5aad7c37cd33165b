package org.astralboot.db;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The database file exists but its contents cannot be read, even after replaying its redo log: not
 * something a crash of Astralboot leaves behind (see {@link Database}), but a damaged disk, a file
 * written by another program, or one left by a version without the redo log.
 */
public class DatabaseDamagedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Path file;
    private final String detail;

    public DatabaseDamagedException(Path file, String detail, Throwable cause) {
        super("database " + file + " is damaged: " + detail, cause);
        this.file = file;
        this.detail = detail;
    }

    /** What could not be read, without the file name. */
    public String detail() {
        return detail;
    }

    public Path file() {
        return file;
    }
}

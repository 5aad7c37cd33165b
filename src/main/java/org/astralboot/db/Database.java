package org.astralboot.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.DBMaker;

/**
 * The MapDB file shared by leases, machines and the cache index. Opened with a write-ahead log, so
 * what {@link #commit()} returned for survives a crash; a second process opening the same file is
 * refused with {@link DatabaseLockedException}.
 *
 * <p>Commits are grouped: {@link #commitAsync()} returns a future completed by the first commit that
 * starts after the call, and all callers waiting at that moment share one commit (one fsync).
 * Writes made before calling {@code commitAsync()} are covered by the commit its future reports.
 */
public final class Database implements AutoCloseable {
    private final Path file;
    private final DB db;
    private final ExecutorService committer;
    private final Object lock = new Object();
    private CompletableFuture<Void> next;
    private boolean closed;

    private Database(Path file, DB db) {
        this.file = file;
        this.db = db;
        this.committer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "db-commit");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens or creates the database at {@code file}.
     *
     * @throws DatabaseLockedException when another process (or this one) has it open
     * @throws IOException             when the file cannot be created or is damaged
     */
    public static Database open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            DB db = DBMaker.fileDB(file.toFile())
                    .transactionEnable()
                    .fileMmapEnableIfSupported()
                    .make();
            return new Database(file, db);
        } catch (DBException.FileLocked e) {
            throw new DatabaseLockedException(file);
        } catch (DBException e) {
            throw new IOException("cannot open database " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** The MapDB handle, for feature modules to create their named collections. */
    public DB db() {
        return db;
    }

    /** Makes every write done before this call durable, sharing the fsync with concurrent callers. */
    public CompletableFuture<Void> commitAsync() {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("database closed"));
            }
            if (next == null) {
                next = new CompletableFuture<>();
                committer.execute(this::runCommit);
            }
            return next;
        }
    }

    /** Blocking form of {@link #commitAsync()}. */
    public void commit() throws IOException {
        try {
            commitAsync().join();
        } catch (RuntimeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IOException("database commit failed: " + c.getMessage(), c);
        }
    }

    private void runCommit() {
        CompletableFuture<Void> f;
        synchronized (lock) {
            f = next;
            next = null;
        }
        if (f == null) {
            return;
        }
        try {
            db.commit();
            f.complete(null);
        } catch (Throwable t) {
            f.completeExceptionally(t);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        committer.shutdown();
        try {
            committer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!db.isClosed()) {
            db.commit();
            db.close();
        }
    }
}

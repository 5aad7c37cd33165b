package org.astralboot.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.mapdb.CC;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.StoreWAL;

/**
 * The MapDB file shared by leases, machines and the cache index: MapDB's transactional store
 * ({@code StoreWAL}) on the volumes of {@link Volumes}. Writes stay out of the file until a commit,
 * and a commit returns only after the file's {@code fdatasync}, so what {@link #commit()} returned
 * for survives a crash of the process or the machine. A second process opening the same file is
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
        String path = file.toString();
        Volumes volumes = new Volumes();
        boolean existed = volumes.exists(path);
        try {
            StoreWAL store = StoreWAL.make(path, volumes, 0L, true, CC.STORE_DIRECT_CONC_SHIFT, CC.PAGE_SIZE, 0L,
                    false, false, false, true, false);
            return new Database(file, new DB(store, existed, true, Database.class.getClassLoader(), 0));
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

    /**
     * Commits on the calling thread, for a caller that batches its own writes (the DHCP lease writer):
     * no hand-off to the commit thread and back. Safe beside {@link #commitAsync()}: MapDB serializes
     * commits, and writes from other threads are covered by whichever commit starts after them.
     */
    public void commitHere() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IOException("database commit failed: database closed");
            }
        }
        try {
            db.commit();
        } catch (RuntimeException e) {
            throw new IOException("database commit failed: " + e.getMessage(), e);
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

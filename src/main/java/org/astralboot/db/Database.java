package org.astralboot.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * ({@code StoreWAL}) on a {@link StoreVolume}. Writes stay out of the file until a commit; a commit is
 * one record in the redo log ({@link RedoLog}, {@code <file>.redo}) and returns only after that log's
 * {@code fdatasync}. Every commit is atomic and durable: after a crash of the process or a power cut
 * at any moment, {@link #open} replays the log and the database holds exactly the last commit that
 * returned (or the one in flight, whole, if its record reached the disk). A second process opening
 * the same file is refused with {@link DatabaseLockedException}; a file that cannot be read at all
 * with {@link DatabaseDamagedException}.
 *
 * <p>Commits are grouped: {@link #commitAsync()} returns a future completed by the first commit that
 * starts after the call, and all callers waiting at that moment share one commit (one fsync).
 * Writes made before calling {@code commitAsync()} are covered by the commit its future reports.
 */
public final class Database implements AutoCloseable {
    /** Guards {@link #secret}: creating one must not race another, nor hold the commit monitor. */
    private final Object secrets = new Object();
    private final Path file;
    private final DB db;
    private final ExecutorService committer;
    private final Object lock = new Object();
    private CompletableFuture<Void> next;
    private boolean closed;

    private final StoreVolume volume;
    /** The first commit failure: the store's state in memory is then unknown, so no later commit may run. */
    private volatile Throwable failed;

    private Database(Path file, DB db, StoreVolume volume) {
        this.file = file;
        this.db = db;
        this.volume = volume;
        this.committer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "db-commit");
            t.setDaemon(true);
            return t;
        });
    }

    /** The redo log of the database at {@code file}: {@code <file>.redo}. */
    public static Path redoFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".redo");
    }

    /**
     * Opens or creates the database at {@code file}, replaying its redo log ({@link #redoFile}) first.
     *
     * @throws DatabaseLockedException  when another process (or this one) has it open
     * @throws DatabaseDamagedException when the file's contents cannot be read
     * @throws IOException              when the files cannot be created or read
     */
    public static Database open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path redo = redoFile(file);
        boolean created = !Files.exists(file) || !Files.exists(redo);
        MappedDisk disk = new MappedDisk(file);
        ChannelDisk log;
        try {
            log = new ChannelDisk(redo);
            if (created && parent != null) {
                // A new file's name must be durable too, or a power cut can take the whole file with it.
                try (FileChannel d = FileChannel.open(parent, StandardOpenOption.READ)) {
                    d.force(true);
                }
            }
        } catch (IOException | RuntimeException e) {
            disk.close();
            throw e;
        }
        return open(file, disk, log, StoreVolume.CHECKPOINT);
    }

    /** Opens the database on the given disks (tests inject failing ones). */
    static Database open(Path file, Disk disk, Disk logDisk, long checkpointBytes) throws IOException {
        StoreVolume volume;
        try {
            volume = StoreVolume.open(disk, logDisk, file.toFile(), checkpointBytes);
        } catch (IOException | RuntimeException e) {
            closeQuietly(disk);
            closeQuietly(logDisk);
            throw new IOException("cannot open database " + file + ": " + describe(e), e);
        }
        boolean existed = volume.length() > 0;
        try {
            volume.hold(!existed);
            StoreWAL store = StoreWAL.make(file.toString(), new Volumes(volume), 0L, true, CC.STORE_DIRECT_CONC_SHIFT,
                    CC.PAGE_SIZE, 0L, false, false, false, true, false);
            DB db = new DB(store, existed, true, Database.class.getClassLoader(), 0);
            if (!existed) {
                volume.hold(false);
                try {
                    db.commit();
                } catch (RuntimeException e) {
                    closeQuietly(volume);
                    throw new IOException("cannot create database " + file + ": " + describe(e), e);
                }
            }
            return new Database(file, db, volume);
        } catch (DBException.FileLocked e) {
            closeQuietly(volume);
            throw new DatabaseLockedException(file);
        } catch (DBException.VolumeIOError e) {
            closeQuietly(volume);
            throw new IOException("cannot open database " + file + ": " + describe(e), e);
        } catch (RuntimeException e) {
            // Whatever MapDB throws on reading a file it did not write: its checks (DataCorruption, wrong
            // header) and the index and buffer errors of a file that passes them.
            closeQuietly(volume);
            throw new DatabaseDamagedException(file, describe(e), e);
        }
    }

    /**
     * Moves a damaged database (closed) and its redo log aside to {@code <file>.damaged-<UTC time>} and
     * {@code <file>.damaged-<UTC time>.redo}, so that the next start creates a new one. Nothing is
     * deleted. Returns the new name of the database file.
     */
    public static Path moveAside(Path file) throws IOException {
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
        Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + stamp);
        for (int n = 2; Files.exists(aside); n++) {
            aside = file.resolveSibling(file.getFileName() + ".damaged-" + stamp + "-" + n);
        }
        Files.move(file, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Path redo = redoFile(file);
        if (Files.exists(redo)) {
            Files.move(redo, redoFile(aside), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return aside;
    }

    /** The first message along the cause chain, or the innermost exception's name: never "null". */
    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                return c.getMessage();
            }
            if (c.getCause() == null) {
                return c.toString();
            }
        }
        return String.valueOf(t);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing
        }
    }

    public Path file() {
        return file;
    }

    /**
     * The server secret {@code name}: 32 random bytes in the {@code secrets} map, created and
     * committed on first use, so that what is derived from it (machine keys, signed URLs) stays
     * valid across restarts.
     */
    public byte[] secret(String name) {
        // Not the Database monitor: commit() hands the work to the commit thread, which takes it.
        synchronized (secrets) {
            return secretLocked(name);
        }
    }

    private byte[] secretLocked(String name) {
        org.mapdb.HTreeMap<String, byte[]> map = db().hashMap("secrets", org.mapdb.Serializer.STRING,
                org.mapdb.Serializer.BYTE_ARRAY).createOrOpen();
        byte[] k = map.get(name);
        if (k == null || k.length < 32) {
            k = new byte[32];
            new java.security.SecureRandom().nextBytes(k);
            map.put(name, k);
            try {
                commit();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return k.clone();
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
            throw new IOException("database commit failed: " + describe(c), c);
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
            commitOnce();
        } catch (RuntimeException e) {
            throw new IOException("database commit failed: " + describe(e), e);
        }
    }

    /**
     * One MapDB commit. A commit that fails (the log cannot be written: disk full, I/O error) may have
     * left part of its writes in the store volume's buffer; they are discarded and every later commit
     * fails too (fail-stop), so no half of a commit ever reaches the log. The file keeps the last
     * commit that succeeded.
     */
    private synchronized void commitOnce() {
        Throwable f = failed;
        if (f != null) {
            throw new IllegalStateException("an earlier commit failed (" + describe(f) + "); restart to continue", f);
        }
        try {
            db.commit();
        } catch (RuntimeException | Error e) {
            failed = e;
            volume.discard();
            throw e;
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
            commitOnce();
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
            if (failed == null) {
                try {
                    commitOnce();
                } catch (RuntimeException e) {
                    // discarded: the file keeps the last commit that succeeded
                }
            }
            volume.discard();
            db.close();
        }
    }
}

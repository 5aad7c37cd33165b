package org.astralboot.ipfs.cache;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.astralboot.ipfs.kubo.ChannelStream;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.BootStoreException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downloads of one cache: at most one per CID at a time, shared by all its readers. A file is
 * downloaded into {@code tmp/} as the bytes the source releases (each block already checked
 * against its CID), its length checked against the size the DAG announced and its CRC32C
 * recorded, then moved into place ({@link CacheFiles#admit}) and the cache trimmed to its limit.
 * A failed download leaves nothing behind: its temporary file is removed and it has left the
 * table of downloads before its readers are woken with the failure.
 */
final class Downloads implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCache.class);

    private final Path tmpDir;
    private final long maxBytes;
    private final CacheFiles files;
    private final Source source;
    private final NodeHealth health;
    private final Map<String, Download> active = new ConcurrentHashMap<>();
    private final AtomicLong started = new AtomicLong();
    /** Spares for the downloads' windows and the pipes between their two threads. */
    private final BufferPool pool = new BufferPool(Download.WINDOW + ReceivePipe.PIPE + 2);
    private volatile boolean closed;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ipfs-fetch");
        t.setDaemon(true);
        return t;
    });

    Downloads(Path tmpDir, long maxBytes, CacheFiles files, Source source, NodeHealth health) {
        this.tmpDir = tmpDir;
        this.maxBytes = maxBytes;
        this.files = files;
        this.source = source;
        this.health = health;
    }

    /** The download of {@code cid} in progress, or null. */
    Download active(String cid) {
        return active.get(cid);
    }

    /** Downloads started (each shared by all its readers). */
    long started() {
        return started.get();
    }

    boolean closed() {
        return closed;
    }

    /** The download of {@code cid}: the one in progress, or a new one. */
    Download start(String cid, long size, String label) throws IOException {
        if (!health.mayTry()) {
            throw Failures.unavailable(label, null);
        }
        synchronized (files.stripe(cid)) {
            Download f = active.get(cid);
            if (f != null) {
                return f;
            }
            Path tmp = Files.createTempFile(tmpDir, cid + ".", ".part");
            f = new Download(cid, size, tmp, label, pool);
            active.put(cid, f);
            started.incrementAndGet();
            Download job = f;
            threads.execute(() -> download(job));
            return f;
        }
    }

    /**
     * Ends a download: a failed one's partial file is gone and the download has left
     * {@code active} before its readers are woken, so a reader that comes after a failure starts a
     * new download instead of joining the failed one, and nothing of the failed one remains to be
     * found.
     */
    private void done(Download f, BootStoreException failure) {
        if (failure != null) {
            try {
                Files.deleteIfExists(f.tmp); // readers that have it open keep reading their copy
            } catch (IOException e) {
                LOG.debug("ipfs cache: {}: {}", f.tmp, e.toString()); // tmp/ is emptied at the next start
            }
        }
        active.remove(f.cid, f);
        f.finish(failure);
    }

    private void download(Download f) {
        long t0 = System.nanoTime();
        boolean keep = f.size <= maxBytes;
        LOG.info("ipfs fetch {} ({}, {} bytes) from the node", f.label, f.cid, f.size);
        try {
            CRC32C crc = new CRC32C();
            try (ChannelStream in = source.open(f.cid, f.size, 0, f.size);
                    FileChannel out = FileChannel.open(f.tmp, StandardOpenOption.WRITE)) {
                f.in = in;
                if (closed) {
                    throw new IOException("cache closed");
                }
                health.ok();
                f.started.complete(null);
                ReceivePipe.pump(in, out, crc, f);
                if (out.size() != f.size) {
                    throw new KuboException("cat", 200, -1, f.cid + ": got " + out.size() + " bytes, the DAG says "
                            + f.size, false, null);
                }
                // No fsync: a cache file damaged by a crash fails the length or CRC32C check at its
                // first use after the restart and is fetched again.
            }
            if (keep) {
                files.admit(f.cid, f.size, f.tmp, Hashes.crc32cHex(crc));
            } else {
                LOG.warn("ipfs fetch {}: {} bytes is more than the whole cache limit ({}), streamed but not kept",
                        f.label, f.size, maxBytes);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            LOG.info("ipfs cached {} ({} bytes) in {} ms", f.label, f.size, ms);
            if (keep) {
                files.evict(f.cid, active.keySet());
            }
            done(f, null);
        } catch (KuboException e) {
            health.failed(e);
            LOG.warn("ipfs fetch {} failed: {}", f.label, e.getMessage());
            done(f, Failures.map(f.label, e));
        } catch (VerificationException e) {
            done(f, Failures.refused(f.label, e));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ipfs fetch {} failed: {}", f.label, e.toString());
            done(f, new BootStoreException(Kind.IO, f.label + ": " + e.getMessage(), e));
        } finally {
            active.remove(f.cid, f);
            if (!keep || f.failure() != null) {
                try {
                    Files.deleteIfExists(f.tmp);
                } catch (IOException ignored) {
                    // tmp/ is emptied at the next start
                }
            }
        }
    }

    /**
     * Stops the downloads by closing their streams. Never by interrupting: an interrupt during a
     * MapDB write closes the database file for every user of it.
     */
    @Override
    public void close() {
        closed = true;
        for (Download f : active.values()) {
            Closeable in = f.in;
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // being abandoned
                }
            }
        }
        threads.shutdown();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

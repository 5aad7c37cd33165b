package org.astralboot.ipfs.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The complete files of the cache folder and their index entries: the integrity check before a
 * file is served (with the migration of sha256 entries to CRC32C), use times, the move of a
 * finished download into place, and eviction. Every change of one CID's file and entry happens
 * under that CID's lock ({@link #stripe}), so a check, a download's move and an eviction of the
 * same file never interleave.
 */
final class CacheFiles {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCache.class);
    /** Last-use times are written to the index at most this often per file. */
    private static final long TOUCH_MILLIS = 60_000;

    private final Path dir;
    private final long maxBytes;
    private final CacheIndex index;
    /** CID to the mtime (µs) of its file when it last passed the check in this process. */
    private final Map<String, Long> verified = new ConcurrentHashMap<>();
    /** Use times newer than the index's (which is written at most every {@link #TOUCH_MILLIS}). */
    private final Map<String, Long> lastUse = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong corruptions = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final Object[] stripes = new Object[64];

    CacheFiles(Path dir, long maxBytes, CacheIndex index, long total) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.index = index;
        this.total.set(total);
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    long total() {
        return total.get();
    }

    long corruptions() {
        return corruptions.get();
    }

    /** Files evicted to keep the cache within its limit. */
    long evictions() {
        return evictions.get();
    }

    Object stripe(String cid) {
        return stripes[Math.floorMod(cid.hashCode(), stripes.length)];
    }

    /**
     * The cache file of {@code cid} if it is present and intact; empty otherwise (a damaged file
     * is removed on the way, so the caller fetches it again).
     */
    Optional<Path> cached(String cid, long size) {
        Optional<CacheIndex.Blob> ob = index.blob(cid);
        if (ob.isEmpty() || ob.get().state() != CacheIndex.State.COMPLETE) {
            return Optional.empty();
        }
        CacheIndex.Blob b = ob.get();
        Path p = dir.resolve(cid);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            forget(cid, b, "file missing");
            return Optional.empty();
        }
        if (a.size() != size || b.size() != size) {
            discard(cid, b, "length " + a.size() + ", expected " + size);
            return Optional.empty();
        }
        long mtime = a.lastModifiedTime().to(TimeUnit.MICROSECONDS);
        Long v = verified.get(cid);
        if (v == null || v != mtime) {
            synchronized (stripe(cid)) {
                v = verified.get(cid);
                if (v == null || v != mtime) {
                    String damage;
                    try {
                        damage = check(cid, p, b);
                    } catch (IOException e) {
                        damage = "unreadable: " + e.getMessage();
                    }
                    if (damage != null) {
                        discard(cid, b, damage);
                        return Optional.empty();
                    }
                    verified.put(cid, mtime);
                    // The check may have rewritten the entry (sha256 migrated to CRC32C): touch that one.
                    b = index.blob(cid).orElse(b);
                }
            }
        }
        touch(cid, b);
        return Optional.of(p);
    }

    /**
     * Null when the cache file matches the checksum of its index entry, else what is wrong. An
     * entry from an earlier build (sha256 only) is checked against its sha256 and, when intact,
     * rewritten with the CRC32C computed in the same pass, so each file is migrated at its first
     * use and costs the cheap check from then on.
     */
    private String check(String cid, Path p, CacheIndex.Blob b) throws IOException {
        if (b.crc32c() != null) {
            String crc = Hashes.crc32c(p);
            return crc.equals(b.crc32c()) ? null
                    : "CRC32C " + crc + " differs from the one recorded when it was fetched (" + b.crc32c() + ")";
        }
        if (b.sha256() == null) {
            return "no checksum recorded";
        }
        String[] sums = Hashes.sha256AndCrc32c(p);
        if (!sums[0].equals(b.sha256())) {
            return "sha256 " + sums[0] + " differs from the one recorded when it was fetched";
        }
        index.putBlob(cid, b.withCrc32c(sums[1]));
        index.commitLater();
        LOG.info("ipfs cache: {} checked against its sha256 and moved to a CRC32C check", cid);
        return null;
    }

    private void touch(String cid, CacheIndex.Blob b) {
        long now = System.currentTimeMillis();
        lastUse.put(cid, now);
        if (now - b.lastUse() > TOUCH_MILLIS) {
            index.putBlob(cid, b.touched(now));
            index.commitLater();
        }
    }

    private void forget(String cid, CacheIndex.Blob b, String why) {
        synchronized (stripe(cid)) {
            if (index.blob(cid).isPresent()) {
                index.removeBlob(cid);
                total.addAndGet(-b.size());
                index.commitLater();
                LOG.warn("ipfs cache: {} dropped from the index: {}", cid, why);
            }
            verified.remove(cid);
        }
    }

    /** Removes a damaged cache file; the next request fetches it again. */
    void discard(String cid, CacheIndex.Blob b, String why) {
        corruptions.incrementAndGet();
        LOG.warn("ipfs cache: {} is corrupt ({}): removed, will be fetched again", cid, why);
        try {
            Files.deleteIfExists(dir.resolve(cid));
        } catch (IOException e) {
            LOG.warn("ipfs cache: cannot remove {}: {}", dir.resolve(cid), e.getMessage());
        }
        forget(cid, b, "corrupt");
    }

    /**
     * Moves a finished download's temporary file into place as the cache file of {@code cid}
     * and records it (length, CRC32C, mtime) as checked and just used.
     */
    void admit(String cid, long size, Path tmp, String crc32c) throws IOException {
        Path dest = dir.resolve(cid);
        synchronized (stripe(cid)) {
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            long now = System.currentTimeMillis();
            long mtime = Files.getLastModifiedTime(dest).to(TimeUnit.MICROSECONDS);
            boolean had = index.blob(cid).map(b -> b.state() == CacheIndex.State.COMPLETE).orElse(false);
            index.putBlob(cid, new CacheIndex.Blob(size, CacheIndex.State.COMPLETE, now, null, mtime, now, crc32c));
            if (!had) {
                total.addAndGet(size);
            }
            verified.put(cid, mtime);
            lastUse.put(cid, now);
        }
        index.commitLater();
    }

    /**
     * Evicts least recently used files until the total is within the limit ({@link Eviction}),
     * sparing {@code justAdded} and the files being downloaded ({@code active}). A file that cannot
     * be deleted stays, and the next one in use order goes instead.
     */
    synchronized void evict(String justAdded, Set<String> active) {
        if (total.get() <= maxBytes) {
            return;
        }
        Map<String, CacheIndex.Blob> blobs = index.blobs();
        Set<String> kept = new HashSet<>();
        boolean again = true;
        while (again) {
            again = false;
            List<Eviction.Entry> entries = new ArrayList<>();
            for (Map.Entry<String, CacheIndex.Blob> e : blobs.entrySet()) {
                String cid = e.getKey();
                CacheIndex.Blob b = e.getValue();
                if (b.state() != CacheIndex.State.COMPLETE) {
                    continue;
                }
                boolean busy = cid.equals(justAdded) || active.contains(cid) || kept.contains(cid);
                entries.add(new Eviction.Entry(cid, b.size(), Math.max(b.lastUse(), lastUse.getOrDefault(cid, 0L)),
                        busy));
            }
            for (Eviction.Entry v : Eviction.choose(entries, total.get(), maxBytes)) {
                try {
                    Files.deleteIfExists(dir.resolve(v.cid()));
                } catch (IOException ex) {
                    LOG.warn("ipfs cache: cannot evict {}: {}", v.cid(), ex.getMessage());
                    kept.add(v.cid());
                    again = true;
                    continue;
                }
                blobs.remove(v.cid());
                forgetQuietly(v.cid(), v.size());
                evictions.incrementAndGet();
                LOG.info("ipfs cache: evicted {} ({} bytes, least recently used); cache now {} of {} bytes", v.cid(),
                        v.size(), total.get(), maxBytes);
            }
        }
        index.commitLater();
    }

    private void forgetQuietly(String cid, long size) {
        synchronized (stripe(cid)) {
            if (index.blob(cid).isPresent()) {
                index.removeBlob(cid);
                total.addAndGet(-size);
            }
            verified.remove(cid);
            lastUse.remove(cid);
        }
    }
}

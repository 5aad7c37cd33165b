package org.astralboot.ipfs.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.astralboot.db.Database;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IPFS part of the shared MapDB database. Four maps, values stored as JSON so a change of
 * record does not make old databases unreadable:
 * <ul>
 * <li>{@code ipfs.dirs.verified}: directory CID → its entries, as verified against the CIDs of
 * the blocks they come from. Content-addressed, so never stale; kept so listings (and file sizes)
 * are known while the node is down. The listings of {@code ipfs.dirs}, taken from the node's
 * {@code ls} unchecked before listings were verified, are dropped at open: a node could have
 * forged them, and a forged listing would be trusted for ever.</li>
 * <li>{@code ipfs.blobs}: file CID → size, state, last use, CRC32C and mtime of the cache file
 * (entries written before 2026-11-22 carry a sha256 instead; see {@link Blob}).</li>
 * <li>{@code ipfs.paths}: tree path → CID and size, as last resolved (what operators look up).</li>
 * <li>{@code ipfs.roots}: ref as written in refs.toml → the CID it resolved to (for {@code /ipns/}
 * names and sub-paths when the node is down at start).</li>
 * </ul>
 *
 * <p>{@code ipfs.blobs} and {@code ipfs.paths}, read on every request, are read from copies in
 * memory ({@link Mirrored}), written through to MapDB. A MapDB read waits while a commit holds the
 * store's locks through its {@code fdatasync}, and that took 0.16-1.23 s on the project's VM with
 * a few hundred MiB of cache files being written back (bench/ipfs/README.md, 2026-12-07 03:06): a
 * cold request whose own new path entry had just started a commit waited for it before its
 * download could start. The copies are loaded when the index is opened, so the instance a process
 * opens must be the only one that writes these maps (one per database: {@code IpfsBootStore} when
 * serving, {@code Verify} on its own).
 */
public final class CacheIndex {
    private static final Logger LOG = LoggerFactory.getLogger(CacheIndex.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Lifecycle of a cache file. */
    public enum State {
        /** Being downloaded into a temporary file. */
        FETCHING,
        /** In the cache folder under its CID, length and checksum recorded. */
        COMPLETE
    }

    /**
     * A cached (or being cached) file.
     *
     * <p>{@code crc32c} (8 hex digits) is the integrity check of the cache file against truncation
     * and bit rot, computed as the bytes arrived from the node. It replaced {@code sha256} (64 hex
     * digits), which cost ~30 times more CPU per byte on the cold path; the CID itself, the real
     * content check, is what {@code astralboot verify} recomputes. An entry written by an earlier
     * build has only {@code sha256}: its file is checked against it once and the entry rewritten
     * with {@code crc32c} ({@code CacheFiles#cached}). A build that predates {@code crc32c} finds no
     * {@code sha256} in a new entry, takes the file for damaged and fetches it again: safe.
     */
    public record Blob(long size, State state, long lastUse, String sha256, long mtime, long added, String crc32c) {
        Blob touched(long now) {
            return new Blob(size, state, now, sha256, mtime, added, crc32c);
        }

        /** This entry with a CRC32C and without the legacy sha256. */
        Blob withCrc32c(String crc) {
            return new Blob(size, state, lastUse, null, mtime, added, crc);
        }
    }

    /** A directory entry: {@code cid} of the file or directory, {@code size} of a file. */
    public record Link(String name, String cid, long size, boolean dir) {
    }

    /** The last resolution of a tree path. */
    public record PathEntry(String cid, long size) {
    }

    private final Database database;
    private final ConcurrentMap<String, String> dirs;
    private final Mirrored blobs;
    private final Mirrored paths;
    private final ConcurrentMap<String, String> roots;

    public CacheIndex(Database database) {
        this.database = database;
        var db = database.db();
        if (db.exists("ipfs.dirs")) {
            var unverified = db.hashMap("ipfs.dirs", Serializer.STRING, Serializer.STRING).open();
            if (!unverified.isEmpty()) {
                LOG.info("ipfs cache index: {} directory listings taken unverified from the node dropped; "
                        + "they are listed again, verified", unverified.size());
                unverified.clear();
            }
        }
        this.dirs = db.hashMap("ipfs.dirs.verified", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.blobs = new Mirrored(db.hashMap("ipfs.blobs", Serializer.STRING, Serializer.STRING).createOrOpen());
        this.paths = new Mirrored(db.hashMap("ipfs.paths", Serializer.STRING, Serializer.STRING).createOrOpen());
        this.roots = db.hashMap("ipfs.roots", Serializer.STRING, Serializer.STRING).createOrOpen();
    }

    /**
     * A MapDB map with a copy in memory: reads never touch MapDB (so never wait for a commit);
     * writes go to MapDB first, then to the copy, one writer at a time so both end in the same
     * order. A write may still wait for a commit; readers see the old value meanwhile.
     */
    private static final class Mirrored {
        private final ConcurrentMap<String, String> stored;
        private final Map<String, String> copy;

        Mirrored(ConcurrentMap<String, String> stored) {
            this.stored = stored;
            this.copy = new ConcurrentHashMap<>(stored);
        }

        String get(String k) {
            return copy.get(k);
        }

        Set<String> keySet() {
            return copy.keySet();
        }

        synchronized void put(String k, String v) {
            stored.put(k, v);
            copy.put(k, v);
        }

        synchronized void remove(String k) {
            stored.remove(k);
            copy.remove(k);
        }
    }

    void commitLater() {
        database.commitAsync();
    }

    public void commit() {
        try {
            database.commit();
        } catch (java.io.IOException e) {
            LOG.warn("ipfs cache index commit failed: {}", e.getMessage());
        }
    }

    public Optional<List<Link>> dir(String cid) {
        String v = dirs.get(cid);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(List.of(JSON.readValue(v, Link[].class)));
        } catch (JsonProcessingException e) {
            dirs.remove(cid);
            return Optional.empty();
        }
    }

    public void putDir(String cid, List<Link> links) {
        dirs.put(cid, write(links));
        commitLater();
    }

    Optional<Blob> blob(String cid) {
        String v = blobs.get(cid);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(v, Blob.class));
        } catch (JsonProcessingException e) {
            blobs.remove(cid);
            return Optional.empty();
        }
    }

    void putBlob(String cid, Blob b) {
        blobs.put(cid, write(b));
    }

    public void removeBlob(String cid) {
        blobs.remove(cid);
    }

    /** Every blob entry, for eviction and verification. */
    public Map<String, Blob> blobs() {
        Map<String, Blob> out = new HashMap<>();
        for (String cid : List.copyOf(blobs.keySet())) {
            blob(cid).ifPresent(b -> out.put(cid, b));
        }
        return out;
    }

    /** Records a resolution; writes (and commits) only when it changed, not on every request. */
    public void putPath(String treePath, PathEntry e) {
        String v = write(e);
        if (!v.equals(paths.get(treePath))) {
            paths.put(treePath, v);
            commitLater();
        }
    }

    Optional<PathEntry> path(String treePath) {
        String v = paths.get(treePath);
        try {
            return v == null ? Optional.empty() : Optional.of(JSON.readValue(v, PathEntry.class));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    public Optional<String> root(String ref) {
        return Optional.ofNullable(roots.get(ref));
    }

    public void putRoot(String ref, String cid) {
        if (!cid.equals(roots.get(ref))) {
            roots.put(ref, cid);
            commitLater();
        }
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

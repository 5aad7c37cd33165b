package org.astralboot.ipfs.cache;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.astralboot.ipfs.kubo.ChannelStream;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.astralboot.ipfs.kubo.VerifiedSource;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.BootStoreException.Kind;
import org.astralboot.store.GrowingFile;

/**
 * The content-addressed cache folder: {@code <cache>/<cid>} holds exactly the bytes of that CID.
 * This class routes reads; the jobs behind it are {@link Recovery} (at start), {@link CacheFiles}
 * (integrity checks, use times, eviction by {@link Eviction}), {@link Downloads} (one shared
 * {@link Download} per cold file, received by {@link ReceivePipe}) and the streams.
 *
 * <p>Filling: a file is downloaded into {@code <cache>/tmp/} as the bytes {@link VerifiedSource}
 * releases, each block checked against its CID on the way (a block that does not match ends the
 * download: nothing of it is kept, its readers get a {@link Kind#CORRUPT} failure naming the CID);
 * its length is checked against the size the DAG announced and its CRC32C recorded, then it is
 * moved into place atomically.
 * Concurrent requests for a file that is being downloaded read the growing temporary file, so a
 * cold file is fetched from the node once however many clients ask for it, and the first client
 * is served as the bytes arrive.
 *
 * <p>Serving from disk: before the first use of a cache file in this process its CRC32C is
 * recomputed and compared with the index (and again whenever its size or mtime changes); a
 * truncated or altered file is removed and fetched again, never served. The checksum guards
 * against truncation and bit rot, not against someone forging cache files: CRC32C detects every
 * burst error up to 32 bits and all but 2^-32 of the others, at ~2 ms of CPU per 100 MiB
 * (hardware instruction) where sha256 took ~65 ms even with SHA-NI; whether a file really is its
 * CID is what {@code astralboot verify} checks.
 *
 * <p>Size limit: after each completed download the least recently used files are evicted until
 * the total is under the limit. A file larger than the whole limit is streamed but not kept.
 */
public final class BlobCache implements Closeable {
    private final Path dir;
    private final VerifiedSource verified;
    private final Source source;
    private final NodeHealth health;
    private final CacheFiles files;
    private final Downloads downloads;
    /** Reads served from a complete cache file. */
    private final java.util.concurrent.atomic.LongAdder hits = new java.util.concurrent.atomic.LongAdder();
    /** Reads of a file not in the cache: a download started or joined, or a range from the node. */
    private final java.util.concurrent.atomic.LongAdder misses = new java.util.concurrent.atomic.LongAdder();

    /** A cache filled from {@code client}'s RPC API ({@code dag/export}, verified). */
    public BlobCache(Path dir, long maxBytes, CacheIndex index, KuboClient client, NodeHealth health)
            throws IOException {
        this(dir, maxBytes, index, VerifiedSource.of(client, null), health);
    }

    public BlobCache(Path dir, long maxBytes, CacheIndex index, VerifiedSource source, NodeHealth health)
            throws IOException {
        this(dir, maxBytes, index, source, source::open, health);
    }

    /** With any source of content (unit tests: a fake stream). */
    BlobCache(Path dir, long maxBytes, CacheIndex index, Source source, NodeHealth health) throws IOException {
        this(dir, maxBytes, index, null, source, health);
    }

    private BlobCache(Path dir, long maxBytes, CacheIndex index, VerifiedSource verified, Source source,
            NodeHealth health) throws IOException {
        this.dir = dir.toAbsolutePath();
        Path tmpDir = this.dir.resolve("tmp");
        this.verified = verified;
        this.source = source;
        this.health = health;
        Files.createDirectories(tmpDir);
        long total = Recovery.recover(this.dir, tmpDir, index);
        this.files = new CacheFiles(this.dir, maxBytes, index, total);
        this.downloads = new Downloads(tmpDir, maxBytes, files, source, health);
    }

    Path dir() {
        return dir;
    }

    /** Bytes of the complete files in the cache. */
    public long totalBytes() {
        return files.total();
    }

    /** Where file content comes from (and is verified); null for a cache on a test source. */
    public VerifiedSource source() {
        return verified;
    }

    /** Downloads started from the node (each shared by all its readers). */
    public long fetches() {
        return downloads.started();
    }

    /** Cache files found corrupt (and removed). */
    public long corruptions() {
        return files.corruptions();
    }

    /** Cache files evicted (least recently used) to keep the cache within its limit. */
    public long evictions() {
        return files.evictions();
    }

    /**
     * Reads served from a complete cache file: each {@link #cached} that found one, each
     * {@link #open} that read one.
     */
    public long hits() {
        return hits.sum();
    }

    /**
     * Reads of a file that was not in the cache: each {@link #open} or {@link #openGrowing} that
     * started or joined a download or read a range from the node. A reader that asks
     * {@link #cached} first and then opens counts once. (A read that starts a download which
     * completes before the reader opens its temporary file reads the cache file: a hit.)
     */
    public long misses() {
        return misses.sum();
    }

    /**
     * The cache file of {@code cid} if it is present and intact (a hit); empty otherwise (a damaged
     * file is removed on the way, so the caller fetches it again).
     */
    public Optional<Path> cached(String cid, long size) {
        Optional<Path> p = files.cached(cid, size);
        if (p.isPresent()) {
            hits.increment();
        }
        return p;
    }

    /**
     * Exactly {@code length} bytes of {@code cid} from {@code offset}: from the cache file, from
     * the download in progress, from a new shared download (whole-file reads), or for a partial
     * read of a file not cached, straight from the node (verified, see {@link VerifiedSource}) so a
     * range never waits for the whole file.
     *
     * @throws BootStoreException UNAVAILABLE when the node cannot be reached and the file is not
     *                            cached
     */
    public BlobStream open(String cid, long size, long offset, long length, String label) throws IOException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + size);
        }
        if (length == 0 && size > 0) {
            return new DownloadStream(null, null, offset, 0, label);
        }
        Local l = local(cid, size, offset, length, label);
        if (l != null) {
            (l.download() == null ? hits : misses).increment();
            return new DownloadStream(l.download(), l.channel(), offset, length, label);
        }
        misses.increment();
        if (!health.mayTry()) {
            throw Failures.unavailable(label, null);
        }
        try {
            ChannelStream in = source.open(cid, size, offset, length);
            health.ok();
            return new MappedStream(in, label, health);
        } catch (KuboException e) {
            health.failed(e);
            throw Failures.map(label, e);
        } catch (VerificationException e) {
            throw Failures.refused(label, e);
        }
    }

    /**
     * Bytes {@code [offset, offset + length)} of {@code cid} from the temporary file of its
     * download in progress (joined, or started here for a whole-file read), for senders that
     * hand its pages to the socket as it fills; empty when the file is cached (use
     * {@link #cached}) or when a range of an uncached file is asked for (use {@link #open}).
     *
     * @throws BootStoreException UNAVAILABLE when the node cannot be reached
     */
    public Optional<GrowingFile> openGrowing(String cid, long size, long offset, long length, String label)
            throws IOException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + size);
        }
        Local l = local(cid, size, offset, length, label);
        if (l == null) {
            return Optional.empty();
        }
        if (l.download() == null) {
            l.channel().close();
            return Optional.empty(); // the caller reads the cache file: counted there
        }
        misses.increment();
        return Optional.of(l);
    }

    /**
     * Where the bytes {@code [.., end)} of a read are on disk: the cache file ({@code download}
     * null) or the temporary file of {@code download}.
     */
    private record Local(Download download, FileChannel channel, long end) implements GrowingFile {
        @Override
        public long readable(long pos) throws IOException {
            return download.available(pos);
        }

        /** A range that ends before the end of the file does not wait for the whole download. */
        @Override
        public void finish() throws IOException {
            if (end == download.size) {
                download.awaitDone();
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * The local source of a read, or null when there is none: for a partial read of a file that
     * is neither cached nor being downloaded (a range never waits for the whole file).
     */
    private Local local(String cid, long size, long offset, long length, String label) throws IOException {
        // A download can finish (its temporary file moved into place) or a cache file be evicted
        // between two of these steps: look again rather than fail.
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Path> p = files.cached(cid, size);
            if (p.isPresent()) {
                try {
                    return new Local(null, FileChannel.open(p.get(), StandardOpenOption.READ), offset + length);
                } catch (NoSuchFileException e) {
                    continue;
                }
            }
            Download f = downloads.active(cid);
            if (f == null && offset == 0 && length == size) {
                f = downloads.start(cid, size, label);
            }
            if (f == null) {
                return null;
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(f.tmp, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                if (f.failure() != null) {
                    throw f.failure();
                }
                continue;
            }
            try {
                f.awaitStarted();
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new Local(f, ch, offset + length);
        }
        return null;
    }

    /**
     * Makes sure {@code cid} is in the cache: joins or starts its download, or null when the file
     * already is in place.
     */
    public Download fill(String cid, long size, String label) throws IOException {
        if (files.cached(cid, size).isPresent()) {
            return null;
        }
        Download f = downloads.active(cid);
        return f != null ? f : downloads.start(cid, size, label);
    }

    /**
     * Stops the downloads by closing their streams. Never by interrupting: an interrupt during a
     * MapDB write closes the database file for every user of it.
     */
    @Override
    public void close() {
        downloads.close();
    }

    public boolean closed() {
        return downloads.closed();
    }
}

package org.astralboot.ipfs;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.BootStoreException.Kind;
import org.astralboot.store.GrowingFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The content-addressed cache folder: {@code <cache>/<cid>} holds exactly the bytes of that CID.
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
final class BlobCache implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCache.class);
    private static final Pattern CID_NAME = Pattern.compile("(Qm|b|z|f|B|F|k)[0-9A-Za-z]{20,}");
    private static final int BUF = 256 * 1024;
    /** Last-use times are written to the index at most this often per file. */
    private static final long TOUCH_MILLIS = 60_000;

    private final Path dir;
    private final Path tmpDir;
    private final long maxBytes;
    private final CacheIndex index;
    private final VerifiedSource source;
    private final NodeHealth health;
    private final Map<String, Fetch> active = new ConcurrentHashMap<>();
    private final Map<String, Long> verified = new ConcurrentHashMap<>();
    private final Map<String, Long> lastUse = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong corruptions = new AtomicLong();
    private final Object[] stripes = new Object[64];
    private volatile boolean closed;
    private final ExecutorService downloads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ipfs-fetch");
        t.setDaemon(true);
        return t;
    });

    BlobCache(Path dir, long maxBytes, CacheIndex index, KuboClient client, NodeHealth health) throws IOException {
        this(dir, maxBytes, index, VerifiedSource.of(client, null), health);
    }

    BlobCache(Path dir, long maxBytes, CacheIndex index, VerifiedSource source, NodeHealth health) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.tmpDir = this.dir.resolve("tmp");
        this.maxBytes = maxBytes;
        this.index = index;
        this.source = source;
        this.health = health;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
        Files.createDirectories(tmpDir);
        recover();
    }

    /**
     * Brings the folder and the index into agreement after a stop or crash: partial downloads are
     * dropped (they restart from the beginning), index entries without a file are forgotten, and
     * CID-named files the index does not vouch for are removed.
     */
    private void recover() throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(tmpDir)) {
            for (Path p : s) {
                Files.deleteIfExists(p);
            }
        }
        long sum = 0;
        for (Map.Entry<String, CacheIndex.Blob> e : index.blobs().entrySet()) {
            CacheIndex.Blob b = e.getValue();
            Path p = dir.resolve(e.getKey());
            if (b.state() != CacheIndex.State.COMPLETE || !Files.isRegularFile(p)) {
                index.removeBlob(e.getKey());
                continue;
            }
            sum += b.size();
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && CID_NAME.matcher(name).matches()
                        && index.blob(name).map(b -> b.state() != CacheIndex.State.COMPLETE).orElse(true)) {
                    LOG.warn("ipfs cache: removing {} (not in the cache index)", p);
                    Files.deleteIfExists(p);
                }
            }
        }
        total.set(sum);
        index.commit();
    }

    Path dir() {
        return dir;
    }

    long totalBytes() {
        return total.get();
    }

    /** Where file content comes from (and is verified). */
    VerifiedSource source() {
        return source;
    }

    /** Downloads started from the node (each shared by all its readers). */
    long fetches() {
        return fetches.get();
    }

    /** Cache files found corrupt (and removed). */
    long corruptions() {
        return corruptions.get();
    }

    private Object stripe(String cid) {
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
            String crc = crc32c(p);
            return crc.equals(b.crc32c()) ? null
                    : "CRC32C " + crc + " differs from the one recorded when it was fetched (" + b.crc32c() + ")";
        }
        if (b.sha256() == null) {
            return "no checksum recorded";
        }
        String[] sums = sha256AndCrc32c(p);
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
     * Exactly {@code length} bytes of {@code cid} from {@code offset}: from the cache file, from
     * the download in progress, from a new shared download (whole-file reads), or for a partial
     * read of a file not cached, straight from the node (verified, see {@link VerifiedSource}) so a
     * range never waits for the whole file.
     *
     * @throws BootStoreException UNAVAILABLE when the node cannot be reached and the file is not
     *                            cached
     */
    BlobStream open(String cid, long size, long offset, long length, String label) throws IOException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + size);
        }
        if (length == 0 && size > 0) {
            return new FetchStream(null, null, offset, 0, label);
        }
        Local l = local(cid, size, offset, length, label);
        if (l != null) {
            return new FetchStream(l.fetch(), l.channel(), offset, length, label);
        }
        if (!health.mayTry()) {
            throw unavailable(label, null);
        }
        try {
            ChannelStream in = source.open(cid, size, offset, length);
            health.ok();
            return new MappedStream(in, label);
        } catch (KuboException e) {
            health.failed(e);
            throw map(label, e);
        } catch (VerificationException e) {
            throw refused(label, e);
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
    Optional<GrowingFile> openGrowing(String cid, long size, long offset, long length, String label)
            throws IOException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + size);
        }
        Local l = local(cid, size, offset, length, label);
        if (l == null) {
            return Optional.empty();
        }
        if (l.fetch() == null) {
            l.channel().close();
            return Optional.empty();
        }
        return Optional.of(l);
    }

    /**
     * Where the bytes {@code [.., end)} of a read are on disk: the cache file ({@code fetch} null)
     * or the download of {@code fetch}.
     */
    private record Local(Fetch fetch, FileChannel channel, long end) implements GrowingFile {
        @Override
        public long readable(long pos) throws IOException {
            return fetch.available(pos);
        }

        /** A range that ends before the end of the file does not wait for the whole download. */
        @Override
        public void finish() throws IOException {
            if (end == fetch.size) {
                fetch.awaitDone();
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
            Optional<Path> p = cached(cid, size);
            if (p.isPresent()) {
                try {
                    return new Local(null, FileChannel.open(p.get(), StandardOpenOption.READ), offset + length);
                } catch (NoSuchFileException e) {
                    continue;
                }
            }
            Fetch f = active.get(cid);
            if (f == null && offset == 0 && length == size) {
                f = start(cid, size, label);
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
     * Makes sure {@code cid} is in the cache: joins or starts its download. The future completes
     * when the file is in place (at once when it already is).
     */
    Fetch fill(String cid, long size, String label) throws IOException {
        if (cached(cid, size).isPresent()) {
            return null;
        }
        Fetch f = active.get(cid);
        return f != null ? f : start(cid, size, label);
    }

    private Fetch start(String cid, long size, String label) throws IOException {
        if (!health.mayTry()) {
            throw unavailable(label, null);
        }
        synchronized (stripe(cid)) {
            Fetch f = active.get(cid);
            if (f != null) {
                return f;
            }
            Path tmp = Files.createTempFile(tmpDir, cid + ".", ".part");
            f = new Fetch(cid, size, tmp, label);
            active.put(cid, f);
            fetches.incrementAndGet();
            Fetch job = f;
            downloads.execute(() -> download(job));
            return f;
        }
    }

    /**
     * Ends a fetch: a failed one's partial file is gone and the fetch has left {@code active} before
     * its readers are woken, so a reader that comes after a failure starts a new fetch instead of
     * joining the failed one, and nothing of the failed one remains to be found.
     */
    private void done(Fetch f, BootStoreException failure) {
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

    private void download(Fetch f) {
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
                pump(in, out, crc, f);
                if (out.size() != f.size) {
                    throw new KuboException("cat", 200, -1, f.cid + ": got " + out.size() + " bytes, the DAG says "
                            + f.size, false, null);
                }
                // No fsync: a cache file damaged by a crash fails the length or CRC32C check at its
                // first use after the restart and is fetched again.
            }
            String hex = crc32cHex(crc);
            if (keep) {
                Path dest = dir.resolve(f.cid);
                synchronized (stripe(f.cid)) {
                    Files.move(f.tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    long now = System.currentTimeMillis();
                    long mtime = Files.getLastModifiedTime(dest).to(TimeUnit.MICROSECONDS);
                    boolean had = index.blob(f.cid).map(b -> b.state() == CacheIndex.State.COMPLETE).orElse(false);
                    index.putBlob(f.cid, new CacheIndex.Blob(f.size, CacheIndex.State.COMPLETE, now, null, mtime, now, hex));
                    if (!had) {
                        total.addAndGet(f.size);
                    }
                    verified.put(f.cid, mtime);
                    lastUse.put(f.cid, now);
                }
                index.commitLater();
            } else {
                LOG.warn("ipfs fetch {}: {} bytes is more than the whole cache limit ({}), streamed but not kept",
                        f.label, f.size, maxBytes);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            LOG.info("ipfs cached {} ({} bytes) in {} ms", f.label, f.size, ms);
            if (keep) {
                evict(f.cid);
            }
            done(f, null);
        } catch (KuboException e) {
            health.failed(e);
            LOG.warn("ipfs fetch {} failed: {}", f.label, e.getMessage());
            done(f, map(f.label, e));
        } catch (VerificationException e) {
            done(f, refused(f.label, e));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ipfs fetch {} failed: {}", f.label, e.toString());
            done(f, new BootStoreException(Kind.IO, f.label + ": " + e.getMessage(), e));
        } finally {
            active.remove(f.cid, f);
            if (!keep || f.failure != null) {
                try {
                    Files.deleteIfExists(f.tmp);
                } catch (IOException ignored) {
                    // tmp/ is emptied at the next start
                }
            }
        }
    }

    /**
     * A receive buffer: direct, so the socket read, the checksum and the file write all work on
     * it without a copy through the heap; recycled within a download and between downloads. It is
     * published to two users, the readers' window and the disk writer, and goes back to the spares
     * when both let go of it ({@link Fetch#release}).
     */
    static final class Buf {
        final ByteBuffer bb = ByteBuffer.allocateDirect(FILL);
        /** Users still holding it; guarded by the download's lock. */
        int users;
    }

    /** A filled buffer on its way from the socket to the disk; {@code n < 0} ends the stream. */
    private record Chunk(Buf buf, int n) {
    }

    private static final Chunk END = new Chunk(null, -1);
    /** Bytes per chunk: read from the socket, handed to the readers, written in one call. */
    private static final int FILL = 128 * 1024;
    /** Chunks in flight between the receiving and the writing thread. */
    private static final int PIPE = 8;
    /**
     * Most recent received chunks kept for the readers of a download in progress (bounded memory:
     * at most this many buffers of {@link #FILL} per download); older bytes are read from the
     * temporary file.
     */
    private static final int WINDOW = 8;
    /** Spare buffers kept for the next downloads. */
    private static final java.util.concurrent.BlockingQueue<Buf> SPARE = new java.util.concurrent.ArrayBlockingQueue<>(
            WINDOW + PIPE + 2);

    /**
     * Copies the node's stream into the cache file on two threads: one receives from the socket
     * into direct buffers, which readers take from at once ({@link Fetch#received}), before the
     * disk; this one checksums and writes them, so a slow write never stops the socket being read.
     * ({@code O_DIRECT} writes were tried: on this project's 2-vCPU VM they took ~30 % more kernel
     * time than writes into the page cache, and the cold fetch got slower.)
     */
    private void pump(ChannelStream in, FileChannel out, CRC32C crc, Fetch f) throws IOException {
        java.util.concurrent.ArrayBlockingQueue<Chunk> full = new java.util.concurrent.ArrayBlockingQueue<>(PIPE + 1);
        java.util.concurrent.atomic.AtomicReference<Throwable> received = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.Future<?> receiver = downloads.submit(() -> {
            try {
                boolean eof = false;
                while (!eof && !stop.get()) {
                    Buf buf = f.buffer();
                    ByteBuffer bb = buf.bb.clear().limit(FILL);
                    while (bb.hasRemaining()) {
                        if (in.read(bb) < 0) {
                            eof = true;
                            break;
                        }
                    }
                    int n = bb.position();
                    if (n > 0) {
                        f.received(buf, n);
                        full.put(new Chunk(buf, n));
                    } else {
                        f.release(buf);
                    }
                }
            } catch (Throwable t) {
                received.set(t);
            } finally {
                try {
                    full.put(END);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        IOException failed = null;
        try {
            while (true) {
                Chunk c = full.take();
                if (c == END) {
                    break;
                }
                if (failed == null) {
                    try {
                        ByteBuffer bb = c.buf().bb.duplicate().position(0).limit(c.n());
                        crc.update(bb);
                        bb.position(0);
                        while (bb.hasRemaining()) {
                            out.write(bb);
                        }
                        f.advance(c.n());
                    } catch (IOException e) {
                        // Stop the receiver (closing the stream unblocks its read), keep draining.
                        failed = e;
                        stop.set(true);
                        in.close();
                    }
                }
                f.release(c.buf());
            }
            receiver.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.set(true);
            in.close();
            throw new InterruptedIOException("interrupted while fetching " + f.label);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
        if (failed != null) {
            throw failed;
        }
        Throwable t = received.get();
        if (t instanceof IOException io) {
            throw io;
        }
        if (t != null) {
            throw new IOException(t);
        }
    }

    /** Evicts least recently used files until the total is within the limit. */
    private synchronized void evict(String justAdded) {
        if (total.get() <= maxBytes) {
            return;
        }
        List<Map.Entry<String, CacheIndex.Blob>> all = new ArrayList<>(index.blobs().entrySet());
        all.sort(Comparator.comparingLong(e -> Math.max(e.getValue().lastUse(),
                lastUse.getOrDefault(e.getKey(), 0L))));
        for (Map.Entry<String, CacheIndex.Blob> e : all) {
            if (total.get() <= maxBytes) {
                break;
            }
            String cid = e.getKey();
            if (cid.equals(justAdded) || active.containsKey(cid) || e.getValue().state() != CacheIndex.State.COMPLETE) {
                continue;
            }
            try {
                Files.deleteIfExists(dir.resolve(cid));
            } catch (IOException ex) {
                LOG.warn("ipfs cache: cannot evict {}: {}", cid, ex.getMessage());
                continue;
            }
            forgetQuietly(cid, e.getValue());
            LOG.info("ipfs cache: evicted {} ({} bytes, least recently used); cache now {} of {} bytes", cid,
                    e.getValue().size(), total.get(), maxBytes);
        }
        index.commitLater();
    }

    private void forgetQuietly(String cid, CacheIndex.Blob b) {
        synchronized (stripe(cid)) {
            if (index.blob(cid).isPresent()) {
                index.removeBlob(cid);
                total.addAndGet(-b.size());
            }
            verified.remove(cid);
            lastUse.remove(cid);
        }
    }

    /** The CRC32C of a file, as 8 hex digits. */
    static String crc32c(Path p) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(BUF);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            while (ch.read(buf.clear()) > 0) {
                crc.update(buf.flip());
            }
        }
        return crc32cHex(crc);
    }

    static String crc32cHex(CRC32C crc) {
        return String.format(java.util.Locale.ROOT, "%08x", crc.getValue());
    }

    /** The sha256 and the CRC32C of a file in one pass (migration of entries from earlier builds). */
    static String[] sha256AndCrc32c(Path p) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            CRC32C crc = new CRC32C();
            byte[] buf = new byte[BUF];
            try (InputStream in = Files.newInputStream(p)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                    crc.update(buf, 0, n);
                }
            }
            return new String[] {HexFormat.of().formatHex(sha.digest()), crc32cHex(crc)};
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
                InputStream in = Channels.newInputStream(ch)) {
            return sha256(in);
        }
    }

    static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[BUF];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static BootStoreException map(String label, KuboException e) {
        if (e.unreachable()) {
            return unavailable(label, e);
        }
        return new BootStoreException(Kind.CORRUPT, label + ": " + e.getMessage(), e);
    }

    /**
     * Content that is not what its CID says: the source (node or gateway) is broken or hostile.
     * Logged as an error with the CID, so the operator sees which block and which source.
     */
    static BootStoreException refused(String label, VerificationException e) {
        verificationFailures.incrementAndGet();
        LOG.error("ipfs fetch {} refused: block {} does not verify: {}", label, e.cid(), e.getMessage());
        return new BootStoreException(Kind.CORRUPT, label + ": content failed verification against its CID: "
                + e.getMessage(), e);
    }

    private static final AtomicLong verificationFailures = new AtomicLong();

    /** Downloads and ranges refused because a block did not verify (since start, all caches). */
    static long verificationFailures() {
        return verificationFailures.get();
    }

    static BootStoreException unavailable(String label, Throwable cause) {
        return new BootStoreException(Kind.UNAVAILABLE, label + ": not cached and the IPFS node is unreachable"
                + (cause == null ? "" : " (" + cause.getMessage() + ")"), cause);
    }

    /**
     * Stops the downloads by closing their streams. Never by interrupting: an interrupt during a
     * MapDB write closes the database file for every user of it.
     */
    @Override
    public void close() {
        closed = true;
        for (Fetch f : active.values()) {
            Closeable in = f.in;
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // being abandoned
                }
            }
        }
        downloads.shutdown();
        try {
            downloads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean closed() {
        return closed;
    }

    /** One download, shared by every reader of the file while it runs. */
    static final class Fetch {
        final String cid;
        final long size;
        final Path tmp;
        final String label;
        final CompletableFuture<Void> started = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile Closeable in;
        private long written;
        private long received;
        private final java.util.ArrayDeque<Held> window = new java.util.ArrayDeque<>();
        private boolean finished;
        private BootStoreException failure;

        Fetch(String cid, long size, Path tmp, String label) {
            this.cid = cid;
            this.size = size;
            this.tmp = tmp;
            this.label = label;
        }

        synchronized BootStoreException failure() {
            return failure;
        }

        synchronized long written() {
            return written;
        }

        synchronized void advance(long n) {
            written += n;
            notifyAll();
        }

        /** A buffer to receive into: a spare one when there is one. */
        Buf buffer() {
            Buf b = SPARE.poll();
            return b != null ? b : new Buf();
        }

        /** One user (the window or the disk writer) is done with {@code b}. */
        synchronized void release(Buf b) {
            if (--b.users <= 0) {
                SPARE.offer(b);
            }
        }

        /**
         * A chunk arrived from the node (not yet on disk): readers may take it from memory. The
         * disk writer is its other user.
         */
        synchronized void received(Buf b, int n) {
            b.users = 2;
            window.addLast(new Held(received, b, n));
            if (window.size() > WINDOW) {
                release(window.removeFirst().buf);
            }
            received += n;
            notifyAll();
        }

        /**
         * Copies bytes from {@code pos} out of the received chunks still held in memory into
         * {@code dst}, waiting until byte {@code pos} has arrived. Returns how many were copied, or
         * -1 when that byte is no longer held (the caller reads it from the temporary file once
         * {@link #available} says it is there).
         */
        synchronized int copy(long pos, ByteBuffer dst) throws IOException {
            while (received <= pos && !finished) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for " + label);
                }
            }
            if (received <= pos) {
                available(pos); // throws the failure (or reports the bytes on disk)
                return -1;
            }
            for (Held h : window) {
                if (pos >= h.offset && pos < h.offset + h.n) {
                    int at = (int) (pos - h.offset);
                    int n = Math.min(dst.remaining(), h.n - at);
                    dst.put(dst.position(), h.buf.bb, at, n);
                    dst.position(dst.position() + n);
                    return n;
                }
            }
            return -1;
        }

        /** A received chunk: bytes {@code [offset, offset + n)} of the file. */
        private record Held(long offset, Buf buf, int n) {
        }

        void finish(BootStoreException e) {
            synchronized (this) {
                finished = true;
                failure = e;
                // Readers still behind go on from the file (their channel stays valid after the move).
                for (Held h : window) {
                    release(h.buf);
                }
                window.clear();
                notifyAll();
            }
            if (e == null) {
                started.complete(null);
                done.complete(null);
            } else {
                started.completeExceptionally(e);
                done.completeExceptionally(e);
            }
        }

        /** Waits until the node answered the download (or refused it). */
        void awaitStarted() throws IOException {
            try {
                started.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for " + label);
            }
        }

        void awaitDone() throws IOException {
            try {
                done.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for " + label);
            }
        }

        /** Waits for the download to end. */
        void await(long timeout, TimeUnit unit) throws IOException, TimeoutException {
            try {
                done.get(timeout, unit);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for " + label);
            }
        }

        /** Blocks until byte {@code pos} is on disk; returns how many bytes are, or throws the failure. */
        synchronized long available(long pos) throws IOException {
            while (written <= pos && !finished) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for " + label);
                }
            }
            if (written > pos) {
                return written;
            }
            if (failure != null) {
                throw failure;
            }
            throw new BootStoreException(Kind.CORRUPT, label + ": download ended at " + written + " of " + size);
        }
    }

    /**
     * Bytes of a blob, read as a stream or into (direct) buffers as a channel: exactly the asked
     * length, then -1 once the store accepted the whole file.
     */
    abstract static class BlobStream extends ChannelStream {
        private boolean open = true;

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() throws IOException {
            open = false;
        }
    }

    /**
     * Reads a range from a cache file, or from a download in progress: from its receive buffers
     * while they are held, else from its temporary file as it grows.
     */
    private static final class FetchStream extends BlobStream {
        private final Fetch fetch;
        private final FileChannel ch;
        private final String label;
        private long pos;
        private long remaining;
        private boolean ended;

        FetchStream(Fetch fetch, FileChannel ch, long offset, long length, String label) {
            this.fetch = fetch;
            this.ch = ch;
            this.pos = offset;
            this.remaining = length;
            this.label = label;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (remaining == 0) {
                if (fetch != null && !ended && pos == fetch.size) {
                    ended = true;
                    // The last byte is received; wait for the length check and the move into the
                    // cache, so a reader that saw the end also sees the file cached, and a download
                    // that failed its final check is reported rather than taken as complete.
                    fetch.awaitDone();
                }
                return -1;
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            int lim = dst.limit();
            if (dst.remaining() > remaining) {
                dst.limit(dst.position() + (int) remaining);
            }
            try {
                int n = -1;
                if (fetch != null) {
                    n = fetch.copy(pos, dst);
                    if (n < 0) {
                        long on = fetch.available(pos) - pos;
                        if (dst.remaining() > on) {
                            dst.limit(dst.position() + (int) on);
                        }
                    }
                }
                if (n < 0) {
                    n = ch.read(dst, pos);
                    if (n <= 0) {
                        throw new BootStoreException(Kind.CORRUPT, label + ": cache file ended early at " + pos);
                    }
                }
                pos += n;
                remaining -= n;
                return n;
            } finally {
                dst.limit(lim);
            }
        }

        @Override
        public long skip(long n) {
            long s = Math.max(0, Math.min(n, remaining));
            pos += s;
            remaining -= s;
            return s;
        }

        @Override
        public void close() throws IOException {
            super.close();
            if (ch != null) {
                ch.close();
            }
        }
    }

    /** A range streamed straight from the node: turns the client's failures into the store's, mid-stream too. */
    private final class MappedStream extends BlobStream {
        private final ChannelStream in;
        private final String label;

        MappedStream(ChannelStream in, String label) {
            this.in = in;
            this.label = label;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                return in.read(dst);
            } catch (KuboException e) {
                health.failed(e);
                throw map(label, e);
            } catch (VerificationException e) {
                throw refused(label, e);
            }
        }

        @Override
        public void close() throws IOException {
            super.close();
            in.close();
        }
    }
}

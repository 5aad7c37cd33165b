package org.astralboot.boot.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files a boot source names, as the HTTP service sends them: a local file ({@code file:} +
 * absolute path) is read in place; an {@code http(s)} URL is fetched once by Astralboot and kept by
 * content ({@code <dir>/sha256/<hex>}), so every machine booting it within {@code remember} gets the
 * same bytes without another fetch (Pixiecore fetches the URL again for each machine and each
 * boot); an IPFS path ({@code /ipfs/<CID>[/path]}) is read once through the configured node,
 * verified against its CID ({@link Ipfs}), and kept the same way, for good (its content cannot
 * change). Several machines asking at once share one fetch. Nothing else is a source: an API cannot
 * make Astralboot read its disk or another scheme.
 *
 * <p>Size cap: past {@code maxBytes} the least recently served files are deleted, at start and
 * after each fetch, never one that is being served (a stream open on it) or that was handed out in
 * the last {@link #IN_USE_GRACE} (the HTTP service opens its stream just after); so the folder may
 * exceed the cap for as long as those files are in use, and is brought back within it when a
 * stream closes. An evicted file is fetched again when asked.
 */
public final class ContentCache {
    private static final Logger log = LoggerFactory.getLogger("org.astralboot.boot.api");
    private static final HexFormat HEX = HexFormat.of();

    /** A file handed out this recently counts as being served even before its stream is opened. */
    static final Duration IN_USE_GRACE = Duration.ofSeconds(30);

    /** Reads one IPFS path's content, verified against its CID (the wiring gives the node's reader). */
    @FunctionalInterface
    public interface Ipfs {
        /**
         * Writes the content of {@code path} to {@code out}; returns its size.
         *
         * @throws java.io.FileNotFoundException the path names no file
         * @throws BootStoreException            {@code CORRUPT}: content or a block failed its CID check
         * @throws IOException                    the node cannot be asked
         */
        long copy(String path, OutputStream out) throws IOException;
    }

    private final Path dir;
    private final Ipfs ipfs;
    /** The size cap's bookkeeping, by SHA-256 hex. */
    private final FileUses uses;
    private final HttpClient http;
    private final Duration fetchTimeout;
    private final Duration remember;
    private final Clock clock;
    /** Source URL to its content, for {@link #remember}. */
    private final Map<String, Held> known = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Held>> fetching = new ConcurrentHashMap<>();
    private long fetches;

    private record Held(String sha256, Instant at) {
    }

    /**
     * @param dir          folder of the cached content (created)
     * @param fetchTimeout connect timeout and the longest wait for the response head of one fetch
     * @param remember     how long a URL's content is served without asking the URL again;
     *                     {@code null}: for the life of the process (a static boot)
     */
    public ContentCache(Path dir, Duration fetchTimeout, Duration remember, Clock clock) throws IOException {
        this(dir, fetchTimeout, remember, clock, Long.MAX_VALUE, null);
    }

    /**
     * @param maxBytes size cap of the folder ({@code [api] files_max}); least recently served first
     * @param ipfs     the reader of IPFS paths, or null: IPFS paths are not sources
     */
    public ContentCache(Path dir, Duration fetchTimeout, Duration remember, Clock clock, long maxBytes, Ipfs ipfs)
            throws IOException {
        this.dir = Files.createDirectories(dir.resolve("sha256"));
        this.fetchTimeout = fetchTimeout;
        this.remember = remember;
        this.clock = clock;
        this.uses = new FileUses(maxBytes, IN_USE_GRACE, clock);
        this.ipfs = ipfs;
        this.http = HttpClient.newBuilder().connectTimeout(fetchTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        scan();
    }

    /** Learns the content already in the folder (last use: its modification time), drops partial fetches, applies the cap. */
    private void scan() throws IOException {
        try (var files = Files.list(this.dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith("fetch-") && n.endsWith(".part")) {
                    Files.deleteIfExists(p);
                } else if (n.matches("[0-9a-f]{64}") && Files.isRegularFile(p)) {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    uses.found(n, a.size(), a.lastModifiedTime().toMillis()); // older fetches go first
                }
            }
        }
        evict();
    }

    /** How many URLs were fetched (not served from the cache), for tests. */
    public synchronized long fetches() {
        return fetches;
    }

    /** Bytes of content in the folder now. */
    public long bytes() {
        return uses.bytes();
    }

    /** Files deleted by the size cap since start. */
    public long evictions() {
        return uses.evictions();
    }

    /** Deletes least recently served content, none in use, until the folder is within the cap. */
    private void evict() {
        FileUses.Evicted e = uses.evict();
        for (String hex : e.victims()) {
            try {
                Files.deleteIfExists(dir.resolve(hex));
                log.info("files: evicted {} (size cap {} bytes)", hex, uses.maxBytes());
            } catch (IOException x) {
                log.warn("files: cannot delete {}: {}", dir.resolve(hex), x.toString());
            }
        }
        if (e.stillOver() > 0) {
            log.info("files: {} bytes over the cap of {} in files being served; evicted when they are not",
                    e.stillOver(), uses.maxBytes());
        }
    }

    /** A stream on {@code hex} closed: content kept over the cap while it was served may go now. */
    void closed(String hex) {
        if (uses.closed(hex)) {
            evict();
        }
    }

    /** A stream opens on {@code hex}. */
    void opened(String hex) {
        uses.opened(hex);
    }

    /** New content of {@code size} bytes is in the folder. */
    private void added(String hex, long size) {
        uses.added(hex, size);
        evict();
    }

    /**
     * The file {@code source} names, fetched now when it is a URL not in the cache.
     *
     * @return empty for a missing local file, a 404 or 410, or a source that is not a file or URL
     * @throws BootStoreException {@code UNAVAILABLE} when the URL cannot be fetched now
     */
    public Optional<BootFile> open(String source) throws BootStoreException {
        try {
            return Optional.of(openOrThrow(source));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    /** Within this class: the source names nothing. */
    private static final class NotFound extends BootStoreException {
        NotFound(String message) {
            super(Kind.IO, message);
        }
    }

    private BootFile openOrThrow(String source) throws BootStoreException {
        if (source.startsWith("file:")) {
            return local(Path.of(URI.create(source)));
        }
        boolean immutable = source.startsWith("/ipfs/");
        if (immutable ? ipfs == null : !(source.startsWith("http://") || source.startsWith("https://"))) {
            throw new NotFound("not a source Astralboot fetches: " + source);
        }
        Held h = known.get(source);
        if (h != null && (immutable || remember == null || clock.instant().isBefore(h.at().plus(remember)))) {
            Path blob = dir.resolve(h.sha256());
            if (uses.touch(h.sha256()) && Files.isRegularFile(blob)) {
                return file(blob, h.sha256());
            }
        }
        CompletableFuture<Held> mine = new CompletableFuture<>();
        CompletableFuture<Held> running = fetching.putIfAbsent(source, mine);
        if (running == null) {
            try {
                Held got = fetch(source);
                known.put(source, got);
                mine.complete(got);
            } catch (BootStoreException | RuntimeException e) {
                mine.completeExceptionally(e);
            } finally {
                fetching.remove(source, mine);
            }
            running = mine;
        }
        try {
            Held got = running.get();
            uses.touch(got.sha256());
            return file(dir.resolve(got.sha256()), got.sha256());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BootStoreException b) {
                throw b;
            }
            throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, source + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, source + ": interrupted");
        }
    }

    private Held fetch(String source) throws BootStoreException {
        if (source.startsWith("/ipfs/")) {
            return fetchIpfs(source);
        }
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(source)).timeout(fetchTimeout).GET().build();
        } catch (IllegalArgumentException e) {
            throw new NotFound("not a URL: " + source);
        }
        Path tmp = null;
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() == 404 || r.statusCode() == 410) {
                    throw new NotFound(source + ": HTTP " + r.statusCode());
                }
                if (r.statusCode() != 200) {
                    throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, source + ": HTTP " + r.statusCode());
                }
                tmp = Files.createTempFile(dir, "fetch-", ".part");
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                long n;
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                    n = in.transferTo(out);
                }
                long declared = r.headers().firstValueAsLong("content-length").orElse(-1);
                if (declared >= 0 && declared != n) {
                    throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE,
                            source + ": " + n + " bytes of the " + declared + " announced");
                }
                Held h = keep(tmp, sha, n, source, "");
                tmp = null;
                return h;
            }
        } catch (BootStoreException e) {
            throw e; // already says what went wrong (a 404 stays a 404)
        } catch (IOException e) {
            throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, source + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, source + ": interrupted");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    log.debug("cannot remove {}: {}", tmp, e.toString());
                }
            }
        }
    }

    /**
     * Keeps a complete download {@code tmp} under its SHA-256 name (atomically: a reader never sees a
     * part), counts the fetch and applies the size cap.
     */
    private Held keep(Path tmp, MessageDigest sha, long n, String source, String how) throws IOException {
        String hex = HEX.formatHex(sha.digest());
        Files.move(tmp, dir.resolve(hex), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        synchronized (this) {
            fetches++;
        }
        log.info("fetched {}{} ({} bytes, sha256 {})", source, how, n, hex);
        added(hex, n);
        return new Held(hex, clock.instant());
    }

    /** {@code source} ({@code /ipfs/...}) read through the node, verified, into the folder. */
    private Held fetchIpfs(String source) throws BootStoreException {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "fetch-", ".part");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long n;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                n = ipfs.copy(source, out);
            }
            Held h = keep(tmp, sha, n, source, " through the IPFS node, verified");
            tmp = null;
            return h;
        } catch (java.io.FileNotFoundException e) {
            throw new NotFound(source + ": " + e.getMessage());
        } catch (org.astralboot.store.BootStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new BootStoreException(BootStoreException.Kind.UNAVAILABLE, source + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    log.debug("cannot remove {}: {}", tmp, e.toString());
                }
            }
        }
    }

    private static BootFile local(Path p) throws BootStoreException {
        if (!Files.isRegularFile(p)) {
            throw new NotFound("no file " + p);
        }
        return local(p, null);
    }

    private static BootFile local(Path p, String sha256) throws BootStoreException {
        return file(p, sha256, null);
    }

    private BootFile file(Path p, String sha256) throws BootStoreException {
        return file(p, sha256, this);
    }

    /** @param owner the cache whose content this is (counts the streams open on it), or null for a local file */
    private static BootFile file(Path p, String sha256, ContentCache owner) throws BootStoreException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            String etag = sha256 != null ? sha256 : Long.toHexString(a.size()) + "-" + Long.toHexString(a.lastModifiedTime().toMillis());
            return new LocalFile(TreePath.of("file", p.getFileName().toString()), p, a.size(), a.lastModifiedTime().toInstant(),
                    etag, sha256 != null, owner);
        } catch (IOException | InvalidPathException e) {
            throw new NotFound("no file " + p + ": " + e.getMessage());
        }
    }
}

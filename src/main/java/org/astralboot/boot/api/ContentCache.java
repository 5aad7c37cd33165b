package org.astralboot.boot.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
 * boot). Several machines asking at once share one fetch. Nothing else is a source: an API cannot
 * make Astralboot read its disk or another scheme.
 */
public final class ContentCache {
    private static final Logger log = LoggerFactory.getLogger("org.astralboot.boot.api");
    private static final HexFormat HEX = HexFormat.of();

    private final Path dir;
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
        this.dir = Files.createDirectories(dir.resolve("sha256"));
        this.fetchTimeout = fetchTimeout;
        this.remember = remember;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(fetchTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** How many URLs were fetched (not served from the cache), for tests. */
    public synchronized long fetches() {
        return fetches;
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
        if (!(source.startsWith("http://") || source.startsWith("https://"))) {
            throw new NotFound("not a source Astralboot fetches: " + source);
        }
        Held h = known.get(source);
        if (h != null && (remember == null || clock.instant().isBefore(h.at().plus(remember)))) {
            Path blob = dir.resolve(h.sha256());
            if (Files.isRegularFile(blob)) {
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
                String hex = HEX.formatHex(sha.digest());
                Files.move(tmp, dir.resolve(hex), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
                synchronized (this) {
                    fetches++;
                }
                log.info("fetched {} ({} bytes, sha256 {})", source, n, hex);
                return new Held(hex, clock.instant());
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

    private static BootFile local(Path p) throws BootStoreException {
        if (!Files.isRegularFile(p)) {
            throw new NotFound("no file " + p);
        }
        return file(p, null);
    }

    private static BootFile file(Path p, String sha256) throws BootStoreException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            String etag = sha256 != null ? sha256 : Long.toHexString(a.size()) + "-" + Long.toHexString(a.lastModifiedTime().toMillis());
            return new LocalFile(TreePath.of("file", p.getFileName().toString()), p, a.size(), a.lastModifiedTime().toInstant(),
                    etag, sha256 != null);
        } catch (IOException | InvalidPathException e) {
            throw new NotFound("no file " + p + ": " + e.getMessage());
        }
    }

    /** A file on this host's disk; read with a bounded stream, as ranges need. */
    private record LocalFile(TreePath path, Path real, long size, Instant lastModified, String etag, boolean immutable)
            implements BootFile {
        @Override
        public InputStream open(long offset, long length) throws IOException {
            FileChannel ch = FileChannel.open(real, StandardOpenOption.READ);
            ch.position(offset);
            InputStream in = Channels.newInputStream(ch);
            return new java.io.FilterInputStream(in) {
                long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    if (b >= 0) {
                        left--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(b, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    } else if (n < 0) {
                        throw new BootStoreException(BootStoreException.Kind.CORRUPT, real + " shrank while being read");
                    }
                    return n;
                }
            };
        }

        @Override
        public Optional<Path> localPath() {
            return Optional.of(real);
        }
    }
}

package org.astralboot.ipfs.kubo;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A small typed client for the Kubo RPC API ({@code /api/v0}), also spoken by js-ipfs. Every call
 * is a {@code POST} over HTTP/1.1 (the API refuses GET with 405). Failures become
 * {@link KuboException}s naming the endpoint: command errors from the node's
 * {@code {Message, Code, Type}} body, connection problems and stalls as "unreachable".
 *
 * <p>Timeouts: a connect timeout, a header timeout (the wait for the response head) and an
 * idle-read watchdog on streamed bodies. Kubo reports errors that happen after streaming began in
 * an {@code X-Stream-Error} HTTP trailer, which the JDK client drops silently; every content read
 * is therefore checked against the size the DAG announced ({@link #cat} yields exactly the length
 * asked for or fails).
 *
 * <p>{@code cat}, the hot path, goes over {@link RawStream} instead of {@code java.net.http}: a
 * plain socket channel that reads large bodies straight into the caller's direct buffers, reads the
 * {@code X-Stream-Error} trailer, and enforces the header and idle timeouts itself.
 */
public final class KuboClient {
    /** Node version, for health and compatibility checks. */
    public record Version(@JsonProperty("Version") String version, @JsonProperty("Commit") String commit,
            @JsonProperty("Repo") String repo, @JsonProperty("System") String system) {
    }

    /** The node's identity. */
    public record Id(@JsonProperty("ID") String id, @JsonProperty("AgentVersion") String agentVersion,
            @JsonProperty("Addresses") List<String> addresses) {
    }

    /** A directory entry from {@code ls}; {@code type} is the UnixFS type (1 directory, 2 file). */
    public record Link(@JsonProperty("Name") String name, @JsonProperty("Hash") String hash,
            @JsonProperty("Size") long size, @JsonProperty("Type") int type) {
        public boolean directory() {
            return type == 1 || type == 5; // 5: HAMT-sharded directory
        }

        /** A regular file (UnixFS file or raw leaf); symlinks (4) and metadata (3) are neither. */
        public boolean file() {
            return type == 2 || type == 0;
        }
    }

    private record LsObject(@JsonProperty("Hash") String hash, @JsonProperty("Type") Integer type,
            @JsonProperty("Links") List<Link> links) {
    }

    /** The answer of {@code ls}: the entries of a directory, or {@code file} when the path is a file. */
    public record Listing(boolean file, List<Link> links) {
    }

    private record LsAnswer(@JsonProperty("Objects") List<LsObject> objects) {
    }

    /** One line of {@code refs}: a block CID, or an inline error. */
    public record Ref(@JsonProperty("Ref") String ref, @JsonProperty("Err") String err) {
    }

    /** One line of {@code add}: an added file or directory. */
    public record Added(@JsonProperty("Name") String name, @JsonProperty("Hash") String hash,
            @JsonProperty("Size") String size) {
    }

    /** The result of {@code files/stat} on an IPFS path. */
    public record Stat(@JsonProperty("Hash") String hash, @JsonProperty("Size") long size,
            @JsonProperty("CumulativeSize") long cumulativeSize, @JsonProperty("Type") String type) {
    }

    /** Parameters of {@code add}, which decide the resulting CIDs. */
    public record AddOptions(int cidVersion, boolean rawLeaves, String chunker, boolean pin, boolean onlyHash) {
        /** Kubo's defaults: CIDv0, 256 KiB chunks, no raw leaves. */
        public static final AddOptions DEFAULT = new AddOptions(0, false, "size-262144", true, false);

        /** The parameters that most likely produced {@code cid}: v0 implies no raw leaves, v1 raw leaves. */
        public static AddOptions forCid(String cid) {
            return cid.startsWith("Qm") ? new AddOptions(0, false, "size-262144", false, true)
                    : new AddOptions(1, true, "size-262144", false, true);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final URI base;
    private final HttpClient http;
    private final Duration headerTimeout;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final IdleWatchdog watchdog;
    private final AtomicLong catCalls = new AtomicLong();
    private final AtomicLong catBytes = new AtomicLong();

    /**
     * @param api           the node's RPC base URL, e.g. {@code http://127.0.0.1:5001}
     * @param connectTimeout TCP connect limit
     * @param headerTimeout limit on the wait for a response head (the node may have to find blocks)
     * @param idleTimeout   a streamed body that delivers nothing for this long is abandoned
     */
    public KuboClient(URI api, Duration connectTimeout, Duration headerTimeout, Duration idleTimeout) {
        String s = api.toString();
        this.base = URI.create((s.endsWith("/") ? s : s + "/") + "api/v0/");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.headerTimeout = headerTimeout;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.watchdog = new IdleWatchdog(idleTimeout);
    }

    /** With the defaults used by the server: 3 s connect, 60 s header, 30 s idle. */
    public KuboClient(URI api) {
        this(api, Duration.ofSeconds(3), Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    /**
     * Kubo's global {@code timeout} option for lookups, so the node gives up when we do rather
     * than searching for a missing block for ever. Not used on streaming commands, where it would
     * bound the whole transfer.
     */
    private String lookupTimeout() {
        return Math.max(1, headerTimeout.toSeconds() - 1) + "s";
    }

    public URI api() {
        return base;
    }

    /** The timeouts of this client, for the content source that shares its node ({@link VerifiedSource}). */
    Duration[] timeouts() {
        return new Duration[] {connectTimeout, headerTimeout, idleTimeout};
    }

    /** Number of {@code cat} calls made (for tests and metrics). */
    public long catCalls() {
        return catCalls.get();
    }

    /** Bytes received through {@code cat}. */
    public long catBytes() {
        return catBytes.get();
    }

    public Version version() throws KuboException {
        return json("version", Map.of(), Version.class);
    }

    public Id id() throws KuboException {
        return json("id", Map.of(), Id.class);
    }

    /**
     * The entries of the directory at {@code path} (a CID or {@code /ipfs/...} path), sorted by
     * name; {@link Listing#file()} when it names a file.
     */
    public Listing ls(String path) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("arg", path);
        q.put("resolve-type", "true");
        q.put("timeout", lookupTimeout());
        q.put("size", "true");
        List<Link> out = new ArrayList<>();
        boolean file = false;
        // Kubo sends one object; other nodes (js-ipfs) stream one Objects chunk per batch: read both alike.
        try (InputStream in = stream("ls", q, null, null)) {
            MappingIterator<LsAnswer> it = JSON.readerFor(LsAnswer.class).readValues(in);
            while (it.hasNext()) {
                LsAnswer a = it.next();
                if (a.objects() == null) {
                    continue;
                }
                for (LsObject o : a.objects()) {
                    if (o.type() != null && o.type() == 2) {
                        file = true; // js-ipfs describes a file as an object of Type 2 without links
                    }
                    // Kubo gives no object type: a multi-block file lists its chunks as links
                    // without names, which a UnixFS directory never has.
                    if (o.links() != null && !o.links().isEmpty()
                            && o.links().stream().allMatch(k -> k.name() == null || k.name().isEmpty())) {
                        file = true;
                        continue;
                    }
                    if (o.links() != null) {
                        out.addAll(o.links());
                    }
                }
            }
        } catch (KuboException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw malformed("ls", e);
        }
        if (!file && out.isEmpty()) {
            // Kubo lists a single-block file exactly like an empty directory (no links, no type):
            // only the node's stat tells them apart.
            file = "file".equals(stat(path).type());
        }
        out.sort(Comparator.comparing(Link::name));
        return new Listing(file, out);
    }

    /** Hash, size and type of {@code path}. */
    public Stat stat(String path) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("arg", path.startsWith("/") ? path : "/ipfs/" + path);
        q.put("timeout", lookupTimeout());
        return json("files/stat", q, Stat.class);
    }

    /**
     * Streams {@code length} bytes of the file at {@code path} from {@code offset}. The returned
     * stream yields exactly {@code length} bytes or throws {@link KuboException}: a body that ends
     * early (an error the node could only report in the dropped trailer) is never mistaken for the
     * end of the file, and a body that runs past the length is an error too.
     */
    public CatStream cat(String path, long offset, long length) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("arg", path);
        if (offset > 0) {
            q.put("offset", Long.toString(offset));
        }
        q.put("length", Long.toString(length));
        catCalls.incrementAndGet();
        RawStream.Body in = RawStream.post(base, "cat", base.getRawPath() + "cat" + query(q), connectTimeout,
                headerTimeout, idleTimeout);
        return new CatStream(in, length, "cat " + path + " @" + offset, catBytes);
    }

    /**
     * Downloads the tree at {@code path} into {@code target} (created), through the tar stream of
     * {@code get}. Entries are placed under {@code target} with the root name stripped; an entry
     * that would land outside {@code target}, and links of any kind, are refused.
     */
    public void get(String path, Path target) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("arg", path);
        q.put("archive", "true");
        q.put("compress", "false");
        Path root;
        try {
            Files.createDirectories(target);
            root = target.toRealPath();
        } catch (IOException e) {
            throw new KuboException("get", -1, -1, "cannot create " + target + ": " + e.getMessage(), false, e);
        }
        try (InputStream in = stream("get", q, null, null);
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                int slash = name.indexOf('/');
                String rel = slash < 0 ? "" : name.substring(slash + 1);
                Path dest = root.resolve(rel).normalize();
                if (!dest.startsWith(root)) {
                    throw new KuboException("get", 200, -1, "tar entry escapes the target: " + name, false, null);
                }
                if (e.isDirectory()) {
                    Files.createDirectories(dest);
                } else if (e.isFile()) {
                    Files.createDirectories(dest.getParent());
                    long n = Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                    if (n != e.getSize()) {
                        throw new KuboException("get", 200, -1, "tar entry " + name + " cut short", true, null);
                    }
                } else {
                    throw new KuboException("get", 200, -1, "tar entry " + name + " is not a plain file or directory",
                            false, null);
                }
            }
        } catch (KuboException e) {
            throw e;
        } catch (IOException e) {
            throw malformed("get", e);
        }
    }

    /**
     * Lists every block reachable from {@code path} (recursive, unique), which makes the node fetch
     * all of them. Each block is passed to {@code onRef}; an inline error fails the call.
     *
     * @return the number of blocks
     */
    public long refs(String path, Consumer<String> onRef) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("arg", path);
        q.put("recursive", "true");
        q.put("unique", "true");
        long n = 0;
        try (InputStream in = stream("refs", q, null, null)) {
            MappingIterator<Ref> it = JSON.readerFor(Ref.class).readValues(in);
            while (it.hasNext()) {
                Ref r = it.next();
                if (r.err() != null && !r.err().isEmpty()) {
                    throw new KuboException("refs", 200, 0, r.err(), false, null);
                }
                if (r.ref() != null) {
                    n++;
                    if (onRef != null) {
                        onRef.accept(r.ref());
                    }
                }
            }
        } catch (KuboException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw malformed("refs", e);
        }
        return n;
    }

    /** Pins {@code path} recursively. */
    public void pinAdd(String path) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("arg", path);
        q.put("recursive", "true");
        JsonNode n = json("pin/add", q, JsonNode.class);
        if (n == null || !n.has("Pins")) {
            throw new KuboException("pin/add", 200, -1, "answer without Pins: " + n, false, null);
        }
    }

    /** Resolves an {@code /ipns/} name to an {@code /ipfs/} path. */
    public String nameResolve(String name) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("arg", name);
        q.put("recursive", "true");
        q.put("timeout", lookupTimeout());
        JsonNode n = json("name/resolve", q, JsonNode.class);
        JsonNode p = n == null ? null : n.get("Path");
        if (p == null || !p.asText().startsWith("/ipfs/")) {
            throw new KuboException("name/resolve", 200, -1, "answer without an /ipfs/ Path: " + n, false, null);
        }
        return p.asText();
    }

    /** Publishes {@code path} under the node's own key; returns the IPNS name (the key's id). */
    public String namePublish(String path) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("arg", path);
        q.put("allow-offline", "true");
        JsonNode n = json("name/publish", q, JsonNode.class);
        JsonNode name = n == null ? null : n.get("Name");
        if (name == null || name.asText().isEmpty()) {
            throw new KuboException("name/publish", 200, -1, "answer without Name: " + n, false, null);
        }
        return name.asText();
    }

    /**
     * Adds a file or a directory tree. Directories become {@code application/x-directory} parts,
     * files are streamed from disk; the multipart body is assembled with
     * {@link HttpRequest.BodyPublishers#concat}. Symbolic links are followed only when they stay
     * inside {@code source}.
     *
     * @return every added entry; the last one is {@code source} itself
     */
    public List<Added> add(Path source, AddOptions o) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("cid-version", Integer.toString(o.cidVersion()));
        q.put("raw-leaves", Boolean.toString(o.rawLeaves()));
        q.put("chunker", o.chunker());
        q.put("pin", Boolean.toString(o.pin()));
        if (o.onlyHash()) {
            q.put("only-hash", "true");
        }
        q.put("progress", "false");
        String boundary = "astralboot-" + UUID.randomUUID();
        List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
        try {
            Path src = source.toRealPath();
            // The top name does not enter any CID; a fixed one avoids names the node's multipart
            // parser mishandles (js-ipfs 0.66 answers "Unexpected input: object" for "t").
            String top = Files.isDirectory(src) ? "tree" : "file";
            if (Files.isDirectory(src)) {
                List<Path> all;
                try (Stream<Path> w = Files.walk(src)) {
                    all = w.sorted().toList();
                }
                for (Path p : all) {
                    Path real = p.toRealPath();
                    if (!real.startsWith(src)) {
                        continue; // a link out of the tree is not published
                    }
                    String rel = src.relativize(p).toString();
                    String name = rel.isEmpty() ? top : top + "/" + rel;
                    if (Files.isDirectory(real)) {
                        parts.add(part(boundary, name, "application/x-directory", null));
                    } else if (Files.isRegularFile(real)) {
                        parts.add(part(boundary, name, "application/octet-stream", real));
                    }
                }
            } else {
                parts.add(part(boundary, top, "application/octet-stream", src));
            }
        } catch (IOException e) {
            throw new KuboException("add", -1, -1, "cannot read " + source + ": " + e.getMessage(), false, e);
        } catch (UncheckedIOException e) {
            throw new KuboException("add", -1, -1, "cannot read " + source + ": " + e.getMessage(), false, e);
        }
        parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n"));
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(parts.toArray(HttpRequest.BodyPublisher[]::new));
        List<Added> out = new ArrayList<>();
        try (InputStream in = stream("add", q, body, "multipart/form-data; boundary=" + boundary)) {
            MappingIterator<Added> it = JSON.readerFor(Added.class).readValues(in);
            while (it.hasNext()) {
                Added a = it.next();
                if (a.hash() != null) {
                    out.add(a);
                }
            }
        } catch (KuboException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw malformed("add", e);
        }
        if (out.isEmpty()) {
            throw new KuboException("add", 200, -1, "no entry added", false, null);
        }
        return out;
    }

    private static HttpRequest.BodyPublisher part(String boundary, String name, String type, Path file)
            throws IOException {
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\""
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20") + "\"\r\n"
                + "Content-Type: " + type + "\r\n\r\n";
        HttpRequest.BodyPublisher h = HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher tail = HttpRequest.BodyPublishers.ofString("\r\n");
        if (file == null) {
            return HttpRequest.BodyPublishers.concat(h, tail);
        }
        return HttpRequest.BodyPublishers.concat(h, HttpRequest.BodyPublishers.ofFile(file), tail);
    }

    private <T> T json(String endpoint, Map<String, String> q, Class<T> type) throws KuboException {
        try (InputStream in = stream(endpoint, q, null, null)) {
            return JSON.readValue(in, type);
        } catch (KuboException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw malformed(endpoint, e);
        }
    }

    private static KuboException malformed(String endpoint, Exception e) {
        if (e instanceof KuboException k) {
            return k;
        }
        return new KuboException(endpoint, 200, -1, "unreadable answer: " + e.getMessage(), false, e);
    }

    private static String query(Map<String, String> q) {
        StringBuilder b = new StringBuilder();
        char sep = '?';
        for (Map.Entry<String, String> e : q.entrySet()) {
            b.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return b.toString();
    }

    /** Sends the POST and returns the guarded body of a 200 answer; anything else throws. */
    private InputStream stream(String endpoint, Map<String, String> q, HttpRequest.BodyPublisher body,
            String contentType) throws KuboException {
        StringBuilder uri = new StringBuilder(base.toString()).append(endpoint).append(query(q));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString()))
                .timeout(headerTimeout)
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : body);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<InputStream> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw KuboException.unreachable(endpoint, "no answer from " + base + " within "
                    + headerTimeout.toSeconds() + " s", e);
        } catch (ConnectException e) {
            throw KuboException.unreachable(endpoint, "cannot connect to " + base + " (" + e + ")", e);
        } catch (IOException e) {
            throw KuboException.unreachable(endpoint, "request to " + base + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KuboException.unreachable(endpoint, "interrupted", e);
        }
        if (r.statusCode() == 200) {
            return watchdog.guard(r.body(), endpoint);
        }
        byte[] err;
        try (InputStream in = r.body()) {
            err = in.readNBytes(64 * 1024);
        } catch (IOException e) {
            err = new byte[0];
        }
        throw errorOf(endpoint, r.statusCode(), err);
    }

    /** The exception for a non-200 answer: Kubo's {@code {Message, Code}} when the body has them. */
    static KuboException errorOf(String endpoint, int status, byte[] err) {
        String text = new String(err, StandardCharsets.UTF_8).strip();
        String message = text.isEmpty() ? "HTTP " + status : text;
        int code = -1;
        try {
            JsonNode n = JSON.readTree(err);
            if (n != null && n.has("Message")) {
                message = n.get("Message").asText();
                code = n.path("Code").asInt(-1);
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: plain-text body (404 unknown command, 403 Origin refused) kept as is
        }
        return new KuboException(endpoint, status, code, message + " (HTTP " + status + ")", false, null);
    }

    /**
     * The body of a {@code cat}: exactly the asked length, read into direct buffers as a channel
     * (the cache's hot path) or as a stream. Short and long bodies are errors, never a different
     * file.
     */
    public static final class CatStream extends ChannelStream {
        private final RawStream.Body in;
        private final String what;
        private final AtomicLong counter;
        private long remaining;
        private boolean checkedEnd;

        CatStream(RawStream.Body in, long length, String what, AtomicLong counter) {
            this.in = in;
            this.remaining = length;
            this.what = what;
            this.counter = counter;
        }

        /** Up to {@code dst.remaining()} bytes; -1 once exactly the asked length was read and the body ended. */
        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (remaining == 0) {
                if (!checkedEnd) {
                    checkedEnd = true;
                    if (in.read() >= 0) {
                        throw new KuboException("cat", 200, -1, what + ": more bytes than the DAG announced", false, null);
                    }
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
            int n;
            try {
                do {
                    n = in.read(dst);
                } while (n == 0);
            } finally {
                dst.limit(lim);
            }
            if (n < 0) {
                // The node hit an error after the 200 head; a node that sends no trailer says nothing more.
                throw KuboException.unreachable("cat", what + ": stream ended " + remaining + " bytes early", null);
            }
            remaining -= n;
            counter.addAndGet(n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return in.isOpen();
        }

        /** Safe from any thread: a read in progress fails. */
        @Override
        public void close() {
            in.close();
        }
    }
}

package org.astralboot.ipfs.kubo;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code X-Stream-Error} trailer, and enforces the header and idle timeouts itself. The other
 * calls go through {@link Rpc}; {@code add}'s body is built by {@link Multipart}, {@code get}'s
 * tar unpacked by {@link TarTree}.
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

    private final URI base;
    private final Rpc rpc;
    private final Duration headerTimeout;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
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
        this.headerTimeout = headerTimeout;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.rpc = new Rpc(base, connectTimeout, headerTimeout, idleTimeout);
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
        return rpc.json("version", Map.of(), Version.class);
    }

    public Id id() throws KuboException {
        return rpc.json("id", Map.of(), Id.class);
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
        try (InputStream in = rpc.stream("ls", q, null, null)) {
            MappingIterator<LsAnswer> it = Rpc.JSON.readerFor(LsAnswer.class).readValues(in);
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
            throw Rpc.malformed("ls", e);
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
        return rpc.json("files/stat", q, Stat.class);
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
        RawStream.Body in = RawStream.post(base, "cat", base.getRawPath() + "cat" + Rpc.query(q), connectTimeout,
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
        try (InputStream in = rpc.stream("get", q, null, null)) {
            TarTree.extract(in, root);
        } catch (KuboException e) {
            throw e;
        } catch (IOException e) {
            throw Rpc.malformed("get", e);
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
        try (InputStream in = rpc.stream("refs", q, null, null)) {
            MappingIterator<Ref> it = Rpc.JSON.readerFor(Ref.class).readValues(in);
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
            throw Rpc.malformed("refs", e);
        }
        return n;
    }

    /** Pins {@code path} recursively. */
    public void pinAdd(String path) throws KuboException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("arg", path);
        q.put("recursive", "true");
        JsonNode n = rpc.json("pin/add", q, JsonNode.class);
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
        JsonNode n = rpc.json("name/resolve", q, JsonNode.class);
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
        JsonNode n = rpc.json("name/publish", q, JsonNode.class);
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
        List<HttpRequest.BodyPublisher> parts;
        try {
            parts = Multipart.parts(source, boundary);
        } catch (IOException | UncheckedIOException e) {
            throw new KuboException("add", -1, -1, "cannot read " + source + ": " + e.getMessage(), false, e);
        }
        parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n"));
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(parts.toArray(HttpRequest.BodyPublisher[]::new));
        List<Added> out = new ArrayList<>();
        try (InputStream in = rpc.stream("add", q, body, "multipart/form-data; boundary=" + boundary)) {
            MappingIterator<Added> it = Rpc.JSON.readerFor(Added.class).readValues(in);
            while (it.hasNext()) {
                Added a = it.next();
                if (a.hash() != null) {
                    out.add(a);
                }
            }
        } catch (KuboException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw Rpc.malformed("add", e);
        }
        if (out.isEmpty()) {
            throw new KuboException("add", 200, -1, "no entry added", false, null);
        }
        return out;
    }
}

package org.astralboot.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.astralboot.boot.Machine;
import org.astralboot.boot.MachineRegistry;
import org.astralboot.boot.OsCatalog;
import org.astralboot.boot.OsDefinition;
import org.astralboot.events.BootEvent;
import org.astralboot.net.HostLookup;
import org.astralboot.net.MacAddress;
import org.astralboot.server.Service;
import org.astralboot.store.BootStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/**
 * The operator's listener ({@code [admin] listen}, default {@code 127.0.0.1:9080}), apart from the
 * machines' HTTP port: the status page, the JSON API, the event stream and {@code /metrics}.
 * Routes and their replies: {@code docs/operator.md}.
 *
 * <p>With a token set, every route but the page's static files needs {@code Authorization: Bearer
 * <token>} (or {@code ?token=} on the event stream, which a browser's EventSource cannot give a
 * header): 401 otherwise. Without a token it must listen on loopback ({@link AdminSettings}).
 */
public final class AdminService implements Service {
    private static final Logger log = LoggerFactory.getLogger("org.astralboot.admin");
    static final ObjectMapper JSON = new ObjectMapper();
    /** Comment lines sent on an idle event stream, so proxies and clients see it alive. */
    static final long KEEPALIVE_MILLIS = 15_000;
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html", "/admin.css", "admin.css", "/admin.js", "admin.js");

    private final AdminSettings settings;
    private final BootWatch watch;
    private final MachineRegistry registry;
    private final OsCatalog catalog;
    private final HostLookup hosts;
    private final Supplier<Map<String, Object>> status;
    private Undertow server;
    private InetSocketAddress bound;
    private volatile boolean closing;

    /**
     * @param status extra figures for {@code GET /api/v1/status} (lease pool, cache, IPFS node),
     *               read on each request
     */
    public AdminService(AdminSettings settings, BootWatch watch, MachineRegistry registry, OsCatalog catalog,
            HostLookup hosts, Supplier<Map<String, Object>> status) {
        this.settings = settings;
        this.watch = watch;
        this.registry = registry;
        this.catalog = catalog;
        this.hosts = hosts;
        this.status = status;
    }

    @Override
    public String name() {
        return "admin";
    }

    /** The address actually bound (after {@link #start()}). */
    public InetSocketAddress address() {
        return bound;
    }

    @Override
    public synchronized void start() throws IOException {
        String problem = settings.problem();
        if (problem != null) {
            throw new IOException(problem);
        }
        String host = settings.listen().getAddress().getHostAddress();
        Undertow u = Undertow.builder()
                .addHttpListener(settings.listen().getPort(), host)
                .setIoThreads(1)
                // Each event stream holds a worker thread for as long as it is open.
                .setWorkerThreads(32)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 16L * 1024)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                .setSocketOption(Options.REUSE_ADDRESSES, true)
                .setHandler(new Handler())
                .build();
        try {
            u.start();
        } catch (RuntimeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IOException("admin cannot listen on " + host + ":" + settings.listen().getPort() + ": "
                    + c.getMessage(), e);
        }
        server = u;
        bound = (InetSocketAddress) u.getListenerInfo().get(0).getAddress();
        log.info("admin listening on {}:{} ({})", host, bound.getPort(),
                settings.token().isEmpty() ? "loopback, no token" : "bearer token required");
    }

    @Override
    public synchronized void close() {
        closing = true;
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    private final class Handler implements HttpHandler {
        @Override
        public void handleRequest(HttpServerExchange ex) throws Exception {
            if (ex.isInIoThread()) {
                ex.dispatch(this);
                return;
            }
            ex.startBlocking();
            try {
                route(ex);
            } catch (ApiError e) {
                error(ex, e.status, e.getMessage());
            } catch (IllegalArgumentException e) {
                error(ex, 400, e.getMessage());
            } catch (BootStoreException e) {
                error(ex, 503, "boot tree unavailable: " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                if (!ex.isResponseStarted()) {
                    log.warn("admin {} {}: {}", ex.getRequestMethod(), ex.getRequestPath(), e.toString());
                    error(ex, 500, e.toString());
                }
            }
        }
    }

    static final class ApiError extends Exception {
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void route(HttpServerExchange ex) throws ApiError, IOException, BootStoreException {
        String path = ex.getRequestPath();
        boolean get = ex.getRequestMethod().equals(Methods.GET) || ex.getRequestMethod().equals(Methods.HEAD);
        String file = STATIC.get(path);
        if (file != null && get) {
            resource(ex, file); // the page itself holds no data: the API calls it makes carry the token
            return;
        }
        authorize(ex);
        if (path.equals("/metrics") && get) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            watch.metrics().write(b);
            send(ex, 200, BootMetrics.contentType(), b.toByteArray());
        } else if (path.equals("/api/v1/machines") && get) {
            json(ex, 200, machines());
        } else if (path.equals("/api/v1/status") && get) {
            json(ex, 200, statusJson());
        } else if (path.equals("/api/v1/events") && get) {
            String accept = ex.getRequestHeaders().getFirst(Headers.ACCEPT);
            Optional<String> mac = query(ex, "mac").map(AdminService::mac);
            if (accept != null && accept.contains("text/event-stream") || query(ex, "follow").isPresent()) {
                stream(ex, mac);
            } else {
                List<BootEvent> events = watch.ring().snapshot();
                json(ex, 200, eventsJson(mac.map(m -> events.stream().filter(e -> e.mac().equals(m)).toList())
                        .orElse(events)));
            }
        } else if (path.startsWith("/api/v1/machines/")) {
            String rest = path.substring("/api/v1/machines/".length());
            if (rest.endsWith("/events") && get) {
                String m = mac(rest.substring(0, rest.length() - "/events".length()));
                json(ex, 200, eventsJson(watch.ring().byMac(m)));
            } else if (!rest.contains("/") && ex.getRequestMethod().equals(Methods.POST)) {
                json(ex, 200, act(ex, MacAddress.parse(mac(rest))));
            } else if (!rest.contains("/") && get) {
                String m = mac(rest);
                ObjectNode found = null;
                for (JsonNode n : machines()) {
                    if (n.path("mac").asText().equals(m)) {
                        found = (ObjectNode) n;
                    }
                }
                if (found == null) {
                    throw new ApiError(404, "unknown machine " + m);
                }
                json(ex, 200, found);
            } else {
                throw new ApiError(get || ex.getRequestMethod().equals(Methods.POST) ? 404 : 405,
                        "no such route: " + ex.getRequestMethod() + " " + path);
            }
        } else {
            throw new ApiError(404, "no such route: " + ex.getRequestMethod() + " " + path);
        }
    }

    /** A MAC in a URL, colons or hyphens, any case: lower case with colons. */
    static String mac(String s) {
        try {
            return MacAddress.parse(s.replace('-', ':')).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a MAC address: " + s);
        }
    }

    private void authorize(HttpServerExchange ex) throws ApiError {
        if (settings.token().isEmpty()) {
            return;
        }
        String h = ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        String presented = null;
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = h.substring(7).trim();
        } else if (ex.getRequestPath().equals("/api/v1/events")) {
            presented = query(ex, "token").orElse(null);
        }
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                settings.token().getBytes(StandardCharsets.UTF_8))) {
            ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"astralboot\"");
            throw new ApiError(401, presented == null ? "a bearer token is required" : "wrong token");
        }
    }

    private static Optional<String> query(HttpServerExchange ex, String name) {
        Deque<String> v = ex.getQueryParameters().get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.peekFirst());
    }

    // ---- machines ---------------------------------------------------------------------------

    /** Database records joined with the latest boot the events tell of; MACs only heard of too. */
    ArrayNode machines() {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (Machine m : registry.all()) {
            ObjectNode n = JSON.createObjectNode();
            n.put("mac", m.mac().toString());
            n.put("state", m.state().name().toLowerCase(Locale.ROOT));
            n.put("os", m.os());
            n.put("class", m.osClass());
            n.put("ip", m.lastIp());
            n.put("first_seen", m.firstSeen().toString());
            n.put("updated", m.updated().toString());
            out.put(m.mac().toString(), n);
        }
        for (MachineBoard.Progress p : watch.board().all()) {
            ObjectNode n = out.computeIfAbsent(p.mac(), k -> {
                ObjectNode f = JSON.createObjectNode();
                f.put("mac", k);
                f.put("state", "unknown");
                f.put("os", "");
                f.put("class", "");
                f.put("ip", "");
                return f;
            });
            if (!p.ip().isEmpty()) {
                n.put("ip", p.ip());
            }
            n.put("firmware", p.firmware());
            n.put("step", p.step().name().toLowerCase(Locale.ROOT));
            n.put("boot_started", p.bootStarted().toString());
            n.put("boot_seconds", p.bootMillis() / 1000.0);
            n.put("bytes", p.bytes());
            n.put("last_event", p.lastEvent());
            n.put("last_seen", p.lastSeen().toString());
            n.put("last_error", p.lastError());
            if (p.lastErrorTime() != null) {
                n.put("last_error_time", p.lastErrorTime().toString());
            }
        }
        ArrayNode a = JSON.createArrayNode();
        for (ObjectNode n : out.values()) {
            if (!n.has("step")) {
                n.put("firmware", "");
                n.put("step", "none");
                n.put("last_error", "");
            }
            String hostname = "";
            try {
                hostname = hosts.byMac(MacAddress.parse(n.get("mac").asText())).map(h -> h.hostname()).orElse("");
            } catch (RuntimeException e) {
                // a lookup that fails leaves the name out
            }
            n.put("hostname", hostname == null ? "" : hostname);
            a.add(n);
        }
        return a;
    }

    /**
     * {@code POST /api/v1/machines/<mac>} with {@code {"action": ...}}: {@code set} (with
     * {@code os} and optional {@code class}), {@code reinstall}, {@code installed}, {@code forget}.
     * Goes through the {@link MachineRegistry} (committed before the reply), and is an event.
     */
    private ObjectNode act(HttpServerExchange ex, MacAddress mac) throws ApiError, IOException, BootStoreException {
        JsonNode body;
        try (InputStream in = ex.getInputStream()) {
            body = JSON.readTree(in.readNBytes(16 * 1024));
        } catch (IOException e) {
            throw new ApiError(400, "body is not JSON: " + e.getMessage());
        }
        String action = body == null ? "" : body.path("action").asText("");
        Optional<Machine> before = registry.get(mac);
        String detail;
        switch (action) {
            case "set" -> {
                String os = body.path("os").asText("");
                String cls = body.path("class").asText("");
                OsDefinition d = catalog.find(os).orElseThrow(() -> new ApiError(400, "unknown OS: " + os));
                if (cls.isEmpty() && d.hasClasses()) {
                    throw new ApiError(400, "OS " + os + " needs a class: one of " + d.classes());
                }
                if (!cls.isEmpty() && !d.classes().contains(cls)) {
                    throw new ApiError(400, "OS " + os + " has no class " + cls);
                }
                registry.choose(mac, null, os, cls);
                detail = "set " + os + (cls.isEmpty() ? "" : "/" + cls);
            }
            case "reinstall" -> {
                Machine m = before.orElseThrow(() -> new ApiError(404, "unknown machine " + mac));
                if (m.os().isEmpty()) {
                    throw new ApiError(409, "machine " + mac + " has no OS to reinstall: set one");
                }
                registry.choose(mac, null, m.os(), m.osClass());
                detail = "reinstall " + m.os();
            }
            case "installed" -> {
                before.orElseThrow(() -> new ApiError(404, "unknown machine " + mac));
                try {
                    registry.markInstalled(mac, null);
                } catch (IllegalStateException e) {
                    throw new ApiError(409, e.getMessage());
                }
                detail = "marked installed";
            }
            case "forget" -> {
                if (before.isEmpty() && watch.board().get(mac.toString()).isEmpty()) {
                    throw new ApiError(404, "unknown machine " + mac);
                }
                registry.forget(mac);
                detail = "forgotten";
            }
            default -> throw new ApiError(400, "action must be one of set, reinstall, installed, forget (got '"
                    + action + "')");
        }
        log.info("operator: machine {} {}", mac, detail);
        watch.emit(BootEvent.of(BootEvent.Kind.OPERATOR, mac.toString(), "", "", detail));
        if (action.equals("forget")) {
            watch.board().remove(mac.toString()); // after its event, which would otherwise bring it back
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("mac", mac.toString());
        r.put("action", action);
        Optional<Machine> after = registry.get(mac);
        r.put("state", after.map(m -> m.state().name().toLowerCase(Locale.ROOT)).orElse("forgotten"));
        r.put("os", after.map(Machine::os).orElse(""));
        r.put("class", after.map(Machine::osClass).orElse(""));
        return r;
    }

    private ObjectNode statusJson() {
        ObjectNode n = JSON.valueToTree(status.get());
        n.put("machines", registry.size());
        n.put("events_kept", watch.ring().snapshot().size());
        n.put("events_capacity", watch.ring().capacity());
        n.put("last_event", watch.ring().lastSeq());
        return n;
    }

    // ---- events -----------------------------------------------------------------------------

    static ObjectNode eventJson(BootEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("seq", e.seq());
        n.put("time", e.time().toString());
        n.put("mac", e.mac());
        n.put("ip", e.ip());
        n.put("firmware", e.firmware());
        n.put("kind", e.kind().name().toLowerCase(Locale.ROOT));
        n.put("step", e.kind().step().name().toLowerCase(Locale.ROOT));
        n.put("failure", e.failure());
        n.put("detail", e.detail());
        if (e.bytes() >= 0) {
            n.put("bytes", e.bytes());
        }
        if (e.millis() >= 0) {
            n.put("millis", e.millis());
        }
        return n;
    }

    private static ArrayNode eventsJson(List<BootEvent> events) {
        ArrayNode a = JSON.createArrayNode();
        events.forEach(e -> a.add(eventJson(e)));
        return a;
    }

    /**
     * Server-sent events (HTML Living Standard §9.2): the kept events after {@code ?since=} or
     * {@code Last-Event-ID} (none without either), then each new one as it happens, {@code id} its
     * sequence number. Holds this worker thread until the client goes away.
     */
    private void stream(HttpServerExchange ex, Optional<String> mac) throws IOException {
        long since = -1;
        String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
        try {
            if (last != null) {
                since = Long.parseLong(last.trim());
            } else if (query(ex, "since").isPresent()) {
                since = Long.parseLong(query(ex, "since").get());
            }
        } catch (NumberFormatException e) {
            since = -1;
        }
        ex.setStatusCode(200);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        try (EventRing.Subscription sub = watch.ring().subscribe(); OutputStream out = ex.getOutputStream()) {
            long sent = since < 0 ? watch.ring().lastSeq() : since;
            out.write(": astralboot events\n\n".getBytes(StandardCharsets.UTF_8));
            List<BootEvent> backlog = new ArrayList<>(since < 0 ? List.of() : watch.ring().since(since));
            for (BootEvent e : backlog) {
                sent = write(out, e, mac, sent);
            }
            out.flush();
            long idle = 0;
            while (!closing && !sub.overflowed()) {
                BootEvent e;
                try {
                    e = sub.poll(500); // short, so a stopping server is not held up by its streams
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (e != null) {
                    sent = write(out, e, mac, sent);
                    idle = 0;
                    out.flush();
                } else if ((idle += 500) >= KEEPALIVE_MILLIS) {
                    out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
                    idle = 0;
                    out.flush();
                }
            }
        } catch (IOException e) {
            log.debug("event stream closed: {}", e.toString());
        }
    }

    private static long write(OutputStream out, BootEvent e, Optional<String> mac, long sent) throws IOException {
        if (e.seq() <= sent) {
            return sent; // already sent from the backlog
        }
        if (mac.isEmpty() || mac.get().equals(e.mac())) {
            out.write(("id: " + e.seq() + "\nevent: boot\ndata: " + JSON.writeValueAsString(eventJson(e)) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return e.seq();
    }

    // ---- replies ----------------------------------------------------------------------------

    private static void resource(HttpServerExchange ex, String name) throws IOException, ApiError {
        try (InputStream in = AdminService.class.getResourceAsStream("/admin/" + name)) {
            if (in == null) {
                throw new ApiError(404, "no page " + name + " in this build");
            }
            String type = name.endsWith(".css") ? "text/css; charset=utf-8"
                    : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8";
            ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
            ex.getResponseHeaders().put(new io.undertow.util.HttpString("Content-Security-Policy"),
                    "default-src 'self'; img-src 'self' data:");
            send(ex, 200, type, in.readAllBytes());
        }
    }

    private static void json(HttpServerExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json", (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void error(HttpServerExchange ex, int status, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        n.put("status", status);
        try {
            json(ex, status, n);
        } catch (IOException e) {
            log.debug("client went away: {}", e.toString());
        }
    }

    private static void send(HttpServerExchange ex, int status, String type, byte[] body) throws IOException {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        if (!ex.getRequestMethod().equals(Methods.HEAD)) {
            ex.getOutputStream().write(body);
        }
        ex.endExchange();
    }
}

package org.astralboot.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astralboot.boot.BootDecision;
import org.astralboot.boot.BootDecision.Boot;
import org.astralboot.boot.BootDecision.Ignore;
import org.astralboot.boot.BootDecision.LocalDisk;
import org.astralboot.boot.BootDecision.Menu;
import org.astralboot.boot.BootDecision.Script;
import org.astralboot.boot.BootDecision.View;
import org.astralboot.boot.BootPolicy;
import org.astralboot.boot.CatalogPolicy;
import org.astralboot.boot.Machine;
import org.astralboot.boot.MachineAccess;
import org.astralboot.boot.MachineContext;
import org.astralboot.boot.MachineRegistry;
import org.astralboot.boot.MachineRequest;
import org.astralboot.boot.MachineState;
import org.astralboot.boot.NewMachineLimit;
import org.astralboot.boot.OsCatalog;
import org.astralboot.boot.OsDefinition;
import org.astralboot.boot.TemplateException;
import org.astralboot.boot.Templates;
import org.astralboot.config.Config;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.events.Events;
import org.astralboot.net.MacAddress;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes of the HTTP boot service (documented in {@code docs/http.md}) and the rendering of a
 * {@link BootPolicy}'s decisions as iPXE scripts. Routing works on the raw, undecoded request path
 * (URL decoding is off in {@link HttpService}), and every file path goes through {@link TreePath}
 * and the {@link BootStore}, so {@code ..}, {@code %2e%2e}, backslashes and absolute paths never
 * reach a file. Machines are identified by the MAC in the URL and the connection's source address;
 * forwarding headers are never read.
 *
 * <p>What a machine boots is the policy's answer; the menu routes of the boot tree ask the
 * {@link CatalogPolicy}.
 *
 * <p>Errors are turned into replies in one place ({@link #fail}). On iPXE routes the body is an
 * iPXE script that prints the reason and exits with a failure, so the calling script goes back to
 * its menu; an iPXE client ({@code User-Agent: iPXE/...}) gets it with status 200, because iPXE
 * never executes the body of an error response, and the real status in {@code X-Astralboot-Status}.
 */
final class BootHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger("org.astralboot.http");
    static final HttpString REAL_STATUS = new HttpString("X-Astralboot-Status");
    /** Seconds for the Retry-After of a 429, from the {@link HttpError} to {@link #fail}. */
    private static final io.undertow.util.AttachmentKey<Long> RETRY_AFTER = io.undertow.util.AttachmentKey.create(Long.class);
    /** Compact output, as {@code GET /machine/<mac>} has always answered. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Config cfg;
    private final BootStore store;
    private final OsCatalog catalog;
    private final Templates templates;
    private final MachineRegistry registry;
    private final MachineContext context;
    private final Admission admission;
    /** What a machine boots at {@code /ipxe/<mac>}. */
    private final BootPolicy policy;
    /** The boot tree's menus and choices (the routes under {@code /ipxe/<mac>/}). */
    private final CatalogPolicy tree;
    /** Files a boot source (an API, a static boot) names, behind signed URLs; null: none. */
    private final BootSources.Files files;
    /** Unknown MACs per source address: each creates a record and costs a commit. */
    private final NewMachineLimit newMachines = new NewMachineLimit(Clock.systemUTC());
    /** Where boot steps and refusals are reported (the admin interface's events and metrics). */
    private final Events events;

    BootHandler(Config cfg, BootStore store, OsCatalog catalog, Templates templates, MachineRegistry registry,
            MachineContext context, CatalogPolicy tree, BootPolicy policy, Admission admission) {
        this(cfg, store, catalog, templates, registry, context, tree, policy, admission, null, Events.NONE);
    }

    /**
     * @param files  files a boot source names, behind signed URLs; null: none
     * @param events where boot steps and refusals are reported
     */
    BootHandler(Config cfg, BootStore store, OsCatalog catalog, Templates templates, MachineRegistry registry,
            MachineContext context, CatalogPolicy tree, BootPolicy policy, Admission admission, BootSources.Files files,
            Events events) {
        this.files = files;
        this.events = events;
        this.cfg = cfg;
        this.admission = admission;
        this.store = store;
        this.catalog = catalog;
        this.templates = templates;
        this.registry = registry;
        this.context = context;
        this.tree = tree;
        this.policy = policy;
    }

    /** Per-request facts used by routes and by error replies. */
    private record Req(HttpServerExchange ex, String ip, boolean ipxeRoute, boolean get) {
    }

    @Override
    public void handleRequest(HttpServerExchange ex) {
        if (ex.isInIoThread()) {
            admission.admit(ex, this); // everything below may block: store, database, templates
            return;
        }
        ex.startBlocking();
        String path = ex.getRequestPath();
        ex.addExchangeCompleteListener((done, next) -> {
            try {
                events.request(routeName(path), done.getStatusCode(), done.getResponseBytesSent());
            } finally {
                next.proceed();
            }
        });
        boolean ipxeRoute = path.equals("/boot.ipxe") || path.startsWith("/ipxe/");
        HttpString method = ex.getRequestMethod();
        Req req = new Req(ex, sourceIp(ex), ipxeRoute, method.equals(Methods.GET));
        try {
            HttpError refused = ex.getAttachment(Admission.REFUSED);
            if (refused != null) {
                throw refused;
            }
            routes.dispatch(req, decoded(path), method);
        } catch (HttpError e) {
            if (e.retryAfter() > 0) {
                req.ex().putAttachment(RETRY_AFTER, e.retryAfter());
            }
            fail(req, e.status(), e.getMessage(), null, e.quiet());
        } catch (BootStoreException e) {
            if (e.kind() == BootStoreException.Kind.UNAVAILABLE) {
                fail(req, 503, "boot store unavailable, try again later: " + e.getMessage(), null);
            } else if (e.kind() == BootStoreException.Kind.CORRUPT) {
                // The source (IPFS node or gateway) answered with content that is not the file: a bad gateway.
                fail(req, 502, "boot store source sent bad content: " + e.getMessage(), null);
            } else {
                fail(req, 500, "boot store error (" + e.kind() + "): " + e.getMessage(), null);
            }
        } catch (TemplateException e) {
            fail(req, 500, "template " + e.getMessage(), null); // the message starts with the template's source
        } catch (SendRate.TooSlow e) {
            fail(req, 408, e.getMessage(), null); // the client's doing: cut, not a server error
        } catch (IOException | RuntimeException e) {
            fail(req, 500, "internal error: " + e, e);
        }
    }

    /** The route family of a raw path, for request counters (few, fixed values). */
    static String routeName(String path) {
        if (path.equals("/boot.ipxe")) {
            return "entry";
        }
        for (String family : List.of("ipxe", "machine", "os", "file", "tftp")) {
            if (path.startsWith("/" + family + "/")) {
                return family;
            }
        }
        return path.equals("/") ? "root" : path.equals("/leases") ? "leases" : "other";
    }

    /** The firmware of an HTTP client, from its User-Agent: iPXE's name, else "". */
    private static String firmware(HttpServerExchange ex) {
        String ua = ex.getRequestHeaders().getFirst(Headers.USER_AGENT);
        return ua != null && ua.startsWith("iPXE/") ? "iPXE" : "";
    }

    /** Reports a boot step of {@code mac} (null: the MAC the source address is known by). */
    private void event(Req req, Kind kind, MacAddress mac, String detail) {
        events.emit(BootEvent.of(kind, mac != null ? mac.toString() : knownMac(req.ip()), req.ip(), firmware(req.ex()),
                detail));
    }

    /** {@link #macOf} for events: "" when no MAC is known. */
    private String knownMac(String ip) {
        String m = macOf(ip);
        return m.equals("unknown MAC") ? "" : m;
    }

    /** The MAC in an {@code /ipxe/<mac>...} or {@code /machine/<mac>...} path, or null. */
    private static MacAddress macInPath(String path) {
        for (String p : List.of("/ipxe/", "/machine/")) {
            if (path.startsWith(p)) {
                int end = path.indexOf('/', p.length());
                try {
                    return MacAddress.parse(path.substring(p.length(), end < 0 ? path.length() : end).replace('-', ':'));
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The path as text ({@link RequestPath}); octets that are not UTF-8 name nothing: 404. */
    private static String decoded(String raw) throws HttpError {
        try {
            return RequestPath.decode(raw);
        } catch (InvalidPathException e) {
            throw HttpError.quiet(404, "bad path (" + e.getMessage() + ")");
        }
    }

    private static String sourceIp(HttpServerExchange ex) {
        InetSocketAddress a = ex.getConnection().getPeerAddress(InetSocketAddress.class);
        return a == null || a.getAddress() == null ? "" : a.getAddress().getHostAddress();
    }

    /** The routes (docs/http.md); {@link RouteTable} says in which order they are tried. */
    private final RouteTable<Req> routes = new RouteTable<Req>()
            .exact("/boot.ipxe", (r, p) -> entry(r))
            .exact("/leases", (r, p) -> leases(r))
            .exact("/", (r, p) -> root(r))
            .family("ipxe", true, "no such iPXE route: ")
            .on("ipxe", RouteTable.READ, (r, mac, a) -> start(r, mac))
            .on("ipxe", RouteTable.READ, (r, mac, a) -> menu(r, mac), "menu")
            .on("ipxe", RouteTable.READ, (r, mac, a) -> bootAgain(r, mac), "boot")
            .on("ipxe", RouteTable.READ, (r, mac, a) -> classMenu(r, mac, a[0]), "classes", "*")
            .on("ipxe", RouteTable.READ, (r, mac, a) -> choose(r, mac, a[0], null), "choose", "*")
            .on("ipxe", RouteTable.READ, (r, mac, a) -> choose(r, mac, a[0], a[1]), "choose", "*", "*")
            .family("machine", false, "no such machine route: ")
            .on("machine", RouteTable.READ, (r, mac, a) -> status(r, mac))
            .on("machine", RouteTable.HOOK, (r, mac, a) -> installed(r, mac), "installed")
            .on("machine", RouteTable.READ, (r, mac, a) -> template(r, mac, a[0]), "template", "*")
            .prefix("/os/", this::osImage)
            .prefix(org.astralboot.boot.api.FileUrls.ROUTE, this::signedFile)
            .prefix("/tftp/", (r, rest) -> file(r, filePath(new TreePath(List.of("tftp")), rest), "tftp", Kind.HTTP_FILE));

    private OsDefinition os(String name) throws HttpError, BootStoreException {
        if (!OsDefinition.NAME.matcher(name).matches()) {
            throw HttpError.notFound("unknown OS: " + printable(name));
        }
        return catalog.find(name).orElseThrow(() -> HttpError.notFound("unknown OS: " + name));
    }

    /** {@code prefix} + the raw remainder of the URL, which must be a safe relative path. */
    private static TreePath filePath(TreePath prefix, String raw) throws HttpError {
        try {
            TreePath rel = TreePath.parse(raw);
            if (rel.isRoot()) {
                throw HttpError.notFound("no file named");
            }
            return prefix.resolve(rel);
        } catch (InvalidPathException e) {
            throw HttpError.notFound("bad path (" + e.getMessage() + ")");
        }
    }

    // ---- routes ---------------------------------------------------------------------------

    private void root(Req req) {
        text(req.ex(), 200, "Astralboot HTTP boot service. iPXE entry point: " + cfg.http().base() + "/boot.ipxe\n",
                "text/plain; charset=utf-8");
    }

    /** {@code /os/<os>/images/<file>}: a file of an OS the tree offers. */
    private void osImage(Req req, String rest) throws HttpError, BootStoreException, TemplateException, IOException {
        int slash = rest.indexOf('/');
        if (slash < 0 || !rest.startsWith("images/", slash + 1)) {
            throw HttpError.notFound("no such route: /os/" + rest);
        }
        String osName = rest.substring(0, slash);
        OsDefinition os = os(osName);
        TreePath file = filePath(os.images(), rest.substring(slash + 1 + "images/".length()));
        Kind kind = file.equals(os.images().resolve(os.kernel())) ? Kind.HTTP_KERNEL
                : os.initrds().stream().anyMatch(i -> file.equals(os.images().resolve(i))) ? Kind.HTTP_INITRD : Kind.HTTP_FILE;
        file(req, file, "image " + osName, kind);
    }

    /**
     * {@code /file/<token>/<name>}: a file a boot source named (an API's kernel, a static boot's
     * initrd), only under a URL this server signed; any other token is refused (403), so the
     * server never fetches what no boot source named.
     */
    private void signedFile(Req req, String rest) throws HttpError, BootStoreException, TemplateException, IOException {
        if (files == null) {
            throw HttpError.notFound("no such route: " + org.astralboot.boot.api.FileUrls.ROUTE + rest);
        }
        String token = org.astralboot.boot.api.FileUrls.tokenOf(rest);
        String source = files.urls().verify(token)
                .orElseThrow(() -> new HttpError(403, "not a file URL this server signed"));
        BootFile f = files.cache().open(source).orElseThrow(() -> HttpError.notFound("no file " + source));
        long t0 = System.nanoTime();
        FileResponder.Sent s = FileResponder.send(req.ex(), f, admission.sendRate());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (req.get() && s.status() == 200 && !req.ex().getRequestHeaders().contains(Headers.RANGE)) {
            String mac = macOf(req.ip());
            log.info("file {} ({} bytes) to {} ({})", source, s.bytes(), req.ip(), mac);
            int slash = rest.indexOf('/');
            events.emit(BootEvent.transfer(signedKinds.getOrDefault(token, Kind.HTTP_FILE),
                    mac.equals("unknown MAC") ? "" : mac, req.ip(), firmware(req.ex()),
                    "file " + printable(slash < 0 ? rest : rest.substring(slash + 1)), s.bytes(), millis));
        }
    }

    /** Signed-file tokens that a boot decision named as its kernel or an initrd, for their events. */
    private final Map<String, Kind> signedKinds = new java.util.concurrent.ConcurrentHashMap<>();
    /** Tokens remembered at most (all forgotten past it: a busy API server makes new ones all day). */
    static final int MAX_SIGNED_KINDS = 10_000;

    /**
     * Remembers which signed files are a boot's kernel and initrds, so that their sends are
     * {@link Kind#HTTP_KERNEL} and {@link Kind#HTTP_INITRD} events like the tree's images (API and
     * static boots name their files by signed URL).
     */
    private void rememberSigned(Boot b) {
        if (files == null) {
            return;
        }
        rememberSigned(b.kernel(), Kind.HTTP_KERNEL);
        for (String i : b.initrds()) {
            rememberSigned(i, Kind.HTTP_INITRD);
        }
    }

    private void rememberSigned(String url, Kind kind) {
        int at = url.indexOf(org.astralboot.boot.api.FileUrls.ROUTE);
        if (at < 0) {
            return;
        }
        if (signedKinds.size() >= MAX_SIGNED_KINDS) {
            signedKinds.clear();
        }
        signedKinds.put(org.astralboot.boot.api.FileUrls.tokenOf(url.substring(at + org.astralboot.boot.api.FileUrls.ROUTE.length())),
                kind);
    }

    /**
     * {@code GET /leases[?all=1]}: the lease table for {@code astralboot leases} while the server
     * holds the database. Served only to this host (a peer address that is one of its own): the
     * machines on the boot network have no business listing each other.
     */
    private void leases(Req req) throws HttpError {
        InetSocketAddress peer = req.ex().getConnection().getPeerAddress(InetSocketAddress.class);
        if (peer == null || !isLocal(peer.getAddress())) {
            throw new HttpError(403, "the lease table is served to this host only");
        }
        java.util.Deque<String> all = req.ex().getQueryParameters().get("all");
        boolean everything = all != null && !all.isEmpty() && (all.peekFirst().equals("1") || all.peekFirst().equals("true"));
        String report = context.hosts().leaseReport(everything).orElseThrow(() -> HttpError.notFound(
                "this server hands out no leases (dhcp mode " + cfg.dhcp().mode().name().toLowerCase() + ")"));
        text(req.ex(), 200, report, "text/plain; charset=utf-8");
    }

    private static boolean isLocal(java.net.InetAddress a) {
        if (a == null) {
            return false;
        }
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return java.net.NetworkInterface.getByInetAddress(a) != null;
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    private void entry(Req req) throws HttpError, BootStoreException, TemplateException, IOException {
        Map<String, Object> ctx = new LinkedHashMap<>(Templates.LAMBDAS);
        ctx.put("base_url", cfg.httpBaseFor(req.ip()));
        ctx.put("server", req.ip().indexOf(':') >= 0 && cfg.dhcp6().address() != null
                ? org.astralboot.net.Ipv6.text(cfg.dhcp6().address()) : cfg.address().getHostAddress());
        script(req, new View("entry", null, ctx));
        log.info("entry script /boot.ipxe to {}", req.ip());
        event(req, Kind.HTTP_ENTRY, null, "/boot.ipxe");
    }

    /** The start of a boot: the policy's decision for the machine. */
    private void start(Req req, MacAddress mac) throws HttpError, BootStoreException, TemplateException, IOException {
        if (req.get() && registry.get(mac).isEmpty()) {
            long wait = newMachines.acquire(req.ip());
            if (wait > 0) {
                throw new HttpError(429, "too many new machines from " + req.ip() + "; retry in " + wait + " s", wait);
            }
        }
        String key = keyFor(req, mac);
        // Only the machine itself moves its recorded address: a stranger's request for its MAC must
        // not put the stranger's address into the cluster data of the machine's peers.
        Machine m = req.get() ? registry.seen(mac, key.isEmpty() ? null : req.ip())
                : registry.get(mac).orElse(Machine.fresh(mac, req.ip(), Instant.EPOCH));
        BootDecision d = policy.decide(new MachineRequest(mac, req.ip(), key, Optional.of(m), ""));
        event(req, Kind.HTTP_START, mac, switch (d) {
            case Boot b -> "boots " + b.label();
            case LocalDisk l -> l.os() + " installed: local disk";
            case Script s -> "the boot policy's script";
            case Menu mn -> "menu";
            case Ignore i -> "ignored";
        });
        render(req, mac, d);
        switch (d) {
            case Boot b -> log.info("start {} from {}: boots {} (menu on key m)", mac, req.ip(), b.label());
            case LocalDisk l -> log.info("start {} from {}: {} installed, local disk (menu on key m)", mac, req.ip(), l.os());
            case Script s -> log.info("start {} from {}: the boot policy's script", mac, req.ip());
            case Menu mn -> { } // render logs menus
            case Ignore i -> { } // render threw
        }
    }

    /** What the menu routes tell the {@link CatalogPolicy} about the machine. */
    private MachineRequest machine(Req req, MacAddress mac, String key) {
        return new MachineRequest(mac, req.ip(), key, registry.get(mac), "");
    }

    private void menu(Req req, MacAddress mac) throws HttpError, BootStoreException, TemplateException, IOException {
        render(req, mac, tree.menu(machine(req, mac, keyFor(req, mac))));
    }

    private void classMenu(Req req, MacAddress mac, String osName) throws HttpError, BootStoreException, TemplateException, IOException {
        OsDefinition os = os(osName);
        if (!os.hasClasses()) {
            throw HttpError.notFound("OS " + os.name() + " has no classes");
        }
        script(req, tree.classMenu(machine(req, mac, keyFor(req, mac)), os));
        log.info("class menu of {} for {} from {}", os.name(), mac, req.ip());
        event(req, Kind.HTTP_MENU, mac, "classes of " + os.name());
    }

    private void choose(Req req, MacAddress mac, String osName, String osClass) throws HttpError, BootStoreException, TemplateException, IOException {
        OsDefinition os = os(osName);
        if (osClass == null && os.hasClasses()) {
            throw HttpError.notFound("OS " + os.name() + " needs a class: one of " + os.classes());
        }
        if (osClass != null && !os.classes().contains(osClass)) {
            throw HttpError.notFound("OS " + os.name() + " has no class " + printable(osClass)
                    + (os.hasClasses() ? " (classes: " + os.classes() + ")" : ""));
        }
        String cls = osClass == null ? "" : osClass;
        String key = authorize(req, mac, "choose its OS");
        // A HEAD shows the script without recording the choice.
        BootDecision d = tree.choose(machine(req, mac, key), os, cls, req.get());
        render(req, mac, d);
        logBoot(req, mac, d, "chosen");
        event(req, Kind.HTTP_CHOICE, mac, os.name() + (cls.isEmpty() ? "" : "/" + cls));
    }

    private void bootAgain(Req req, MacAddress mac) throws HttpError, BootStoreException, TemplateException, IOException {
        BootDecision d = tree.bootAgain(machine(req, mac, keyFor(req, mac)));
        render(req, mac, d);
        logBoot(req, mac, d, "sticky choice");
        event(req, Kind.HTTP_CHOICE, mac, d instanceof Boot b ? b.label() + " (sticky)" : "sticky choice");
    }

    private static void logBoot(Req req, MacAddress mac, BootDecision d, String why) {
        if (d instanceof Boot b) {
            log.info("boot script {} for {} ({}) from {} ({})", b.label(), mac,
                    b.view() == null ? "" : b.view().data().get("hostname"), req.ip(), why);
        }
    }

    /** The reply for a decision: its script (200), or the one error path for {@link Ignore} (404). */
    private void render(Req req, MacAddress mac, BootDecision d) throws HttpError, BootStoreException, TemplateException, IOException {
        if (d instanceof Boot b) {
            rememberSigned(b);
        }
        switch (d) {
            case Menu m -> {
                if (!m.why().isEmpty()) {
                    log.warn("{}", m.why());
                }
                script(req, m.view());
                int oses = m.view().data().get("oses") instanceof List<?> l ? l.size() : 0;
                log.info("menu for {} from {} ({} OSes)", mac, req.ip(), oses);
                event(req, Kind.HTTP_MENU, mac, oses + " OSes");
            }
            case Boot b when b.view() != null -> script(req, b.view());
            case LocalDisk l when l.view() != null -> script(req, l.view());
            case Boot b -> script(req, IpxeScripts.plain(b));
            case LocalDisk l -> script(req, IpxeScripts.plain(l));
            case Script s -> script(req, s.text());
            case Ignore i -> throw HttpError.notFound(i.reason());
        }
    }

    private Machine chosenMachine(MacAddress mac) throws HttpError {
        Machine m = registry.get(mac).orElseThrow(() -> HttpError.notFound("unknown machine " + mac));
        if (m.state() == MachineState.NEW) {
            throw new HttpError(409, "machine " + mac + " has not chosen an OS");
        }
        return m;
    }

    private void template(Req req, MacAddress mac, String name) throws HttpError, BootStoreException, TemplateException, IOException {
        if (!OsDefinition.NAME.matcher(name).matches()) {
            throw HttpError.notFound("no template " + printable(name));
        }
        String key = authorize(req, mac, "read its templates");
        Machine m = chosenMachine(mac);
        OsDefinition os = os(m.os());
        if (templates.find(name, os).isEmpty()) {
            throw HttpError.notFound("no template " + printable(name) + " for OS " + os.name());
        }
        Map<String, Object> ctx = context.forOs(mac, req.ip(), os, m.osClass(), key);
        String body = templates.render(name, os, ctx).orElseThrow();
        text(req.ex(), 200, body, "text/plain; charset=utf-8");
        log.info("template {} of {} for {} ({}) from {}", name, os.name(), mac, ctx.get("hostname"), req.ip());
        event(req, Kind.HTTP_TEMPLATE, mac, name + " of " + os.name());
    }

    private void installed(Req req, MacAddress mac) throws HttpError, BootStoreException, TemplateException, IOException {
        authorize(req, mac, "report its install");
        Machine m = chosenMachine(mac);
        if (!req.ex().getRequestMethod().equals(Methods.HEAD)) {
            m = registry.markInstalled(mac, req.ip());
        }
        text(req.ex(), 200, "ok: " + mac + " " + m.state().name().toLowerCase() + " " + m.os() + "\n",
                "text/plain; charset=utf-8");
        log.info("install end hook: {} installed {} (from {}); next boot: local disk", mac, m.os(), req.ip());
        event(req, Kind.HTTP_INSTALLED, mac, m.os());
    }

    /**
     * Refuses (403, and a log line with the evidence) a request that {@link MachineAccess} cannot tie
     * to the machine {@code mac}.
     *
     * @return the machine's key, for its own URLs in the reply
     */
    private String authorize(Req req, MacAddress mac, String what) throws HttpError {
        MachineAccess.Decision d = context.access().check(mac, req.ip(), presentedKey(req));
        if (!d.allowed()) {
            log.warn("refused: {} may not {} for {}: {}", req.ip(), what, mac, d.reason());
            throw new HttpError(403, "only the machine " + mac + " itself may " + what);
        }
        return context.access().keys().of(mac);
    }

    /** The machine's key when the request is proven to come from it, else "" (no key handed out). */
    private String keyFor(Req req, MacAddress mac) {
        return context.access().check(mac, req.ip(), presentedKey(req)).allowed() ? context.access().keys().of(mac) : "";
    }

    private static String presentedKey(Req req) {
        java.util.Deque<String> k = req.ex().getQueryParameters().get("key");
        return k == null || k.isEmpty() ? "" : k.peekFirst();
    }

    /** The reply of {@code GET /machine/<mac>} ({@code docs/http.md}). */
    @JsonPropertyOrder({"mac", "state", "os", "class", "ip", "hostname", "first_seen", "updated"})
    record MachineStatus(String mac, String state, String os, @JsonProperty("class") String osClass, String ip,
            String hostname, @JsonProperty("first_seen") String firstSeen, String updated) {
    }

    private void status(Req req, MacAddress mac) throws HttpError, JsonProcessingException {
        Machine m = registry.get(mac).orElseThrow(() -> HttpError.notFound("unknown machine " + mac));
        String ip = context.ipOf(mac, m.lastIp());
        MachineStatus s = new MachineStatus(mac.toString(), m.state().name().toLowerCase(), m.os(), m.osClass(), ip,
                context.hostnameOf(mac, ip), m.firstSeen().toString(), m.updated().toString());
        text(req.ex(), 200, json(s), "application/json");
    }

    /** The body of {@code GET /machine/<mac>}: one compact JSON object and a line feed. */
    static String json(MachineStatus s) throws JsonProcessingException {
        return JSON.writeValueAsString(s) + "\n";
    }

    private void file(Req req, TreePath path, String what, Kind kind) throws HttpError, BootStoreException, TemplateException,
            IOException {
        BootFile f = store.file(path).orElseThrow(() -> HttpError.notFound("no file " + path));
        long t0 = System.nanoTime();
        FileResponder.Sent s = FileResponder.send(req.ex(), f, admission.sendRate());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        boolean ranged = req.ex().getRequestHeaders().contains(Headers.RANGE);
        if (req.get() && !ranged && s.status() == 200) {
            String mac = macOf(req.ip());
            log.info("{} {} ({} bytes) to {} ({})", what, path, s.bytes(), req.ip(), mac);
            events.emit(BootEvent.transfer(kind, mac.equals("unknown MAC") ? "" : mac, req.ip(), firmware(req.ex()),
                    path.toString(), s.bytes(), millis));
        } else {
            log.debug("{} {} {} {} ({} bytes) to {}", req.ex().getRequestMethod(), what, path, s.status(),
                    s.bytes(), req.ip());
        }
    }

    /**
     * For log lines of file sends, whose URLs carry no MAC: DHCP's lease of the address, else the one
     * machine whose last script request came from it, else "unknown MAC".
     */
    private String macOf(String ip) {
        try {
            var h = context.hostByAddress(ip);
            if (h.isPresent()) {
                return h.get().toString();
            }
        } catch (IllegalArgumentException e) {
            // not an address DHCP could have given: the registry may still know the source
        }
        List<Machine> m = registry.byLastIp(ip);
        return m.size() == 1 ? m.get(0).mac().toString() : "unknown MAC";
    }

    // ---- replies --------------------------------------------------------------------------

    private void script(Req req, View v) throws HttpError, BootStoreException, TemplateException, IOException {
        script(req, templates.render(v.template(), v.os(), v.data())
                .orElseThrow(() -> new TemplateException("built-in " + v.template(), "template missing", null)));
    }

    private static void script(Req req, String body) {
        HttpServerExchange ex = req.ex();
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        text(ex, 200, body, "text/plain; charset=utf-8");
    }

    private static void text(HttpServerExchange ex, int status, String body, String type) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, b.length);
        if (ex.getRequestMethod().equals(Methods.HEAD)) {
            ex.endExchange();
            return;
        }
        try {
            ex.getOutputStream().write(b);
            ex.getOutputStream().close();
        } catch (IOException e) {
            log.debug("client went away: {}", e.toString());
        }
        ex.endExchange();
    }

    private void fail(Req req, int status, String reason, Throwable cause) {
        fail(req, status, reason, cause, false);
    }

    /**
     * The one place where errors become replies. {@code quiet}: a client error that any client can
     * repeat at will and that says nothing about the server (a name that is not UTF-8) is logged
     * at debug, so it cannot flood the log.
     */
    private void fail(Req req, int status, String reason, Throwable cause, boolean quiet) {
        HttpServerExchange ex = req.ex();
        String what = ex.getRequestMethod() + " " + printable(ex.getRequestPath()) + " from " + req.ip();
        event(req, status >= 500 ? Kind.HTTP_ERROR : Kind.HTTP_REFUSED, macInPath(ex.getRequestPath()),
                status + " " + ex.getRequestMethod() + " " + printable(ex.getRequestPath()) + ": " + reason
                + (ex.isResponseStarted() ? " (cut short)" : ""));
        if (ex.isResponseStarted()) {
            if (status < 500) {
                log.warn("{}: reply cut short after its {} status line: {}", what, ex.getStatusCode(), reason);
            } else {
                log.error("{}: reply cut short after its {} status line: {}", what, ex.getStatusCode(), reason);
            }
            try {
                ex.getConnection().close(); // the client sees fewer bytes than Content-Length announced
            } catch (IOException e) {
                log.debug("close: {}", e.toString());
            }
            return;
        }
        if (status >= 500 && status != 503) {
            if (cause != null) {
                log.error("{} {}: {}", status, what, reason, cause);
            } else {
                log.error("{} {}: {}", status, what, reason);
            }
        } else if (quiet) {
            log.debug("{} {}: {}", status, what, reason);
        } else {
            log.warn("{} {}: {}", status, what, reason);
        }
        ex.getResponseHeaders().clear();
        if (status == 405) {
            ex.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
        }
        if (status == 503) {
            ex.getResponseHeaders().put(Headers.RETRY_AFTER, 10);
        }
        Long retry = ex.getAttachment(RETRY_AFTER);
        if (status == 429 && retry != null) {
            ex.getResponseHeaders().put(Headers.RETRY_AFTER, retry);
        }
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        if (req.ipxeRoute()) {
            String ua = ex.getRequestHeaders().getFirst(Headers.USER_AGENT);
            boolean ipxe = ua != null && ua.startsWith("iPXE/");
            ex.getResponseHeaders().put(REAL_STATUS, status);
            text(ex, ipxe ? 200 : status, IpxeScripts.error(status, reason), "text/plain; charset=utf-8");
        } else {
            text(ex, status, status + " " + reason + "\n", "text/plain; charset=utf-8");
        }
    }

    /** Request input echoed into logs and messages: printable ASCII only, bounded. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return sb.toString();
    }
}

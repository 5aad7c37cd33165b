package org.astralboot.http;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astralboot.boot.Machine;
import org.astralboot.boot.MachineAccess;
import org.astralboot.boot.MachineContext;
import org.astralboot.boot.MachineRegistry;
import org.astralboot.boot.MachineState;
import org.astralboot.boot.NewMachineLimit;
import org.astralboot.boot.OsCatalog;
import org.astralboot.boot.OsDefinition;
import org.astralboot.boot.TemplateException;
import org.astralboot.boot.Templates;
import org.astralboot.config.Config;
import org.astralboot.net.MacAddress;
import org.astralboot.store.BootFile;
import org.astralboot.store.BootStore;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes of the HTTP boot service (documented in {@code docs/http.md}). Routing works on the raw,
 * undecoded request path (URL decoding is off in {@link HttpService}), and every file path goes
 * through {@link TreePath} and the {@link BootStore}, so {@code ..}, {@code %2e%2e}, backslashes and
 * absolute paths never reach a file. Machines are identified by the MAC in the URL and the
 * connection's source address; forwarding headers are never read.
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

    private final Config cfg;
    private final BootStore store;
    private final OsCatalog catalog;
    private final Templates templates;
    private final MachineRegistry registry;
    private final MachineContext context;
    private final Admission admission;
    /** Unknown MACs per source address: each creates a record and costs a commit. */
    private final NewMachineLimit newMachines = new NewMachineLimit(Clock.systemUTC());

    BootHandler(Config cfg, BootStore store, OsCatalog catalog, Templates templates, MachineRegistry registry,
            MachineContext context, Admission admission) {
        this.cfg = cfg;
        this.admission = admission;
        this.store = store;
        this.catalog = catalog;
        this.templates = templates;
        this.registry = registry;
        this.context = context;
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
        boolean ipxeRoute = path.equals("/boot.ipxe") || path.startsWith("/ipxe/");
        HttpString method = ex.getRequestMethod();
        Req req = new Req(ex, sourceIp(ex), ipxeRoute, method.equals(Methods.GET));
        try {
            HttpError refused = ex.getAttachment(Admission.REFUSED);
            if (refused != null) {
                throw refused;
            }
            route(req, decoded(path), method);
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

    private void route(Req req, String path, HttpString method) throws HttpError, BootStoreException, TemplateException, IOException {
        boolean readOnly = method.equals(Methods.GET) || method.equals(Methods.HEAD);
        if (path.equals("/boot.ipxe")) {
            requireRead(readOnly);
            entry(req);
            return;
        }
        if (path.equals("/leases")) {
            requireRead(readOnly);
            leases(req);
            return;
        }
        if (path.equals("/")) {
            requireRead(readOnly);
            text(req.ex(), 200, "Astralboot HTTP boot service. iPXE entry point: " + cfg.http().base()
                    + "/boot.ipxe\n", "text/plain; charset=utf-8");
            return;
        }
        String[] seg = segments(path);
        if (seg.length >= 2 && seg[0].equals("ipxe")) {
            requireRead(readOnly);
            MacAddress mac = mac(seg[1]);
            if (seg.length == 2) {
                start(req, mac);
            } else if (seg.length == 3 && seg[2].equals("menu")) {
                menu(req, mac);
            } else if (seg.length == 3 && seg[2].equals("boot")) {
                bootAgain(req, mac);
            } else if (seg.length == 4 && seg[2].equals("classes")) {
                classMenu(req, mac, seg[3]);
            } else if ((seg.length == 4 || seg.length == 5) && seg[2].equals("choose")) {
                choose(req, mac, seg[3], seg.length == 5 ? seg[4] : null);
            } else {
                throw HttpError.notFound("no such iPXE route: " + path);
            }
            return;
        }
        if (seg.length >= 2 && seg[0].equals("machine")) {
            MacAddress mac = mac(seg[1]);
            if (seg.length == 2) {
                requireRead(readOnly);
                status(req, mac);
            } else if (seg.length == 3 && seg[2].equals("installed")) {
                if (!readOnly && !method.equals(Methods.POST) && !method.equals(Methods.PUT)) {
                    throw new HttpError(405, "use GET or POST");
                }
                installed(req, mac);
            } else if (seg.length == 4 && seg[2].equals("template")) {
                requireRead(readOnly);
                template(req, mac, seg[3]);
            } else {
                throw HttpError.notFound("no such machine route: " + path);
            }
            return;
        }
        if (path.startsWith("/os/")) {
            requireRead(readOnly);
            String rest = path.substring("/os/".length());
            int slash = rest.indexOf('/');
            if (slash < 0 || !rest.startsWith("images/", slash + 1)) {
                throw HttpError.notFound("no such route: " + path);
            }
            String osName = rest.substring(0, slash);
            OsDefinition os = os(osName);
            TreePath file = filePath(os.images(), rest.substring(slash + 1 + "images/".length()));
            file(req, file, "image " + osName);
            return;
        }
        if (path.startsWith("/tftp/")) {
            requireRead(readOnly);
            file(req, filePath(new TreePath(List.of("tftp")), path.substring("/tftp/".length())), "tftp");
            return;
        }
        throw HttpError.notFound("no such route: " + path);
    }

    private static void requireRead(boolean readOnly) throws HttpError {
        if (!readOnly) {
            throw new HttpError(405, "only GET and HEAD");
        }
    }

    /** Non-empty segments of the raw path; a segment that could escape is refused here already. */
    private static String[] segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out.toArray(String[]::new);
    }

    private static MacAddress mac(String s) throws HttpError {
        try {
            return MacAddress.parse(s);
        } catch (IllegalArgumentException e) {
            throw HttpError.notFound("not a MAC address: " + printable(s));
        }
    }

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
        ctx.put("base_url", cfg.http().base());
        ctx.put("server", cfg.address().getHostAddress());
        script(req, "entry", null, ctx);
        log.info("entry script /boot.ipxe to {}", req.ip());
    }

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
        if (m.state() == MachineState.NEW) {
            menu(req, mac);
            return;
        }
        Optional<OsDefinition> os = catalog.find(m.os());
        if (m.state() == MachineState.INSTALLED) {
            // The OS lives on the disk now: boot it even if the tree no longer offers that OS.
            Map<String, Object> ctx;
            if (os.isPresent()) {
                ctx = context.forOs(mac, req.ip(), os.get(), m.osClass(), key);
            } else {
                ctx = context.basic(mac, req.ip(), key);
                ctx.put("os", m.os());
                ctx.put("os_description", m.os());
                ctx.put("class", m.osClass());
                ctx.put("has_class", !m.osClass().isEmpty());
            }
            script(req, "local", os.orElse(null), ctx);
            log.info("start {} from {}: {} installed, local disk (menu on key m)", mac, req.ip(), m.os());
            return;
        }
        if (os.isEmpty() || (os.get().hasClasses() && !os.get().classes().contains(m.osClass()))) {
            log.warn("machine {} chose {}/{}, which the boot tree no longer offers: menu", mac, m.os(), m.osClass());
            menu(req, mac);
            return;
        }
        Map<String, Object> ctx = context.forOs(mac, req.ip(), os.get(), m.osClass(), key);
        script(req, "chosen", os.get(), ctx);
        log.info("start {} from {}: boots {}{} (menu on key m)", mac, req.ip(), m.os(),
                m.osClass().isEmpty() ? "" : "/" + m.osClass());
    }

    private void menu(Req req, MacAddress mac) throws HttpError, BootStoreException, TemplateException, IOException {
        String key = keyFor(req, mac);
        String q = MachineContext.keyQuery(key);
        Map<String, Object> ctx = context.basic(mac, req.ip(), key);
        Machine m = registry.get(mac).orElse(null);
        ctx.put("installed", m != null && m.state() == MachineState.INSTALLED);
        ctx.put("os", m == null ? "" : m.os());
        ctx.put("class", m == null ? "" : m.osClass());
        List<OsDefinition> oses = catalog.list();
        List<Map<String, Object>> items = new ArrayList<>();
        String u = cfg.http().base() + "/ipxe/" + MachineContext.urlMac(mac);
        for (OsDefinition os : oses) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", os.name());
            item.put("description", os.description());
            item.put("has_classes", os.hasClasses());
            item.put("classes", os.classes());
            item.put("url", os.hasClasses() ? u + "/classes/" + os.name() + q : u + "/choose/" + os.name() + q);
            items.add(item);
        }
        ctx.put("oses", items);
        boolean installed = m != null && m.state() == MachineState.INSTALLED;
        ctx.put("choose_args", chooseArgs(oses, installed));
        script(req, "menu", null, ctx);
        log.info("menu for {} from {} ({} OSes)", mac, req.ip(), oses.size());
    }

    /**
     * {@code --default X --timeout N } for iPXE's choose, from [menu] default and timeout. For an
     * installed machine the default is the local disk, so a menu left alone never reinstalls it.
     */
    private String chooseArgs(List<OsDefinition> oses, boolean installed) {
        String configured = cfg.menu().defaultOs();
        if (configured == null || configured.isEmpty()) {
            return "";
        }
        String d = installed ? "local" : configured;
        String item;
        if (d.equals("local") || d.equals("shell")) {
            item = d;
        } else if (oses.stream().anyMatch(o -> o.name().equals(d))) {
            item = "os-" + d;
        } else {
            log.warn("[menu] default = \"{}\" is not an OS of the boot tree; the menu waits for a choice", d);
            return "";
        }
        return "--default " + item + " --timeout " + Math.max(0, cfg.menu().timeoutSeconds()) * 1000L + " ";
    }

    private void classMenu(Req req, MacAddress mac, String osName) throws HttpError, BootStoreException, TemplateException, IOException {
        OsDefinition os = os(osName);
        if (!os.hasClasses()) {
            throw HttpError.notFound("OS " + os.name() + " has no classes");
        }
        String key = keyFor(req, mac);
        Map<String, Object> ctx = context.forOs(mac, req.ip(), os, "", key);
        String u = cfg.http().base() + "/ipxe/" + MachineContext.urlMac(mac) + "/choose/" + os.name() + "/";
        List<Map<String, Object>> items = new ArrayList<>();
        for (String c : os.classes()) {
            items.add(Map.of("name", c, "url", u + c + MachineContext.keyQuery(key)));
        }
        ctx.put("class_items", items);
        script(req, "class-menu", os, ctx);
        log.info("class menu of {} for {} from {}", os.name(), mac, req.ip());
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
        checkBootFiles(os);
        if (req.get()) {
            registry.choose(mac, req.ip(), os.name(), cls);
        }
        bootScript(req, mac, os, cls, key, "chosen");
    }

    private void bootAgain(Req req, MacAddress mac) throws HttpError, BootStoreException, TemplateException, IOException {
        Machine m = registry.get(mac).orElseThrow(() -> HttpError.notFound("unknown machine " + mac));
        if (m.state() == MachineState.NEW) {
            throw HttpError.notFound("machine " + mac + " has not chosen an OS");
        }
        OsDefinition os = os(m.os());
        checkBootFiles(os);
        bootScript(req, mac, os, m.osClass(), keyFor(req, mac), "sticky choice");
    }

    private void bootScript(Req req, MacAddress mac, OsDefinition os, String cls, String key, String why) throws HttpError, BootStoreException, TemplateException, IOException {
        Map<String, Object> ctx = context.forOs(mac, req.ip(), os, cls, key);
        script(req, "boot", os, ctx);
        log.info("boot script {}{} for {} ({}) from {} ({})", os.name(), cls.isEmpty() ? "" : "/" + cls, mac,
                ctx.get("hostname"), req.ip(), why);
    }

    /** The kernel and initrds must exist before a machine is told to boot them. */
    private void checkBootFiles(OsDefinition os) throws HttpError, BootStoreException {
        List<TreePath> files = new ArrayList<>();
        files.add(os.kernel());
        files.addAll(os.initrds());
        for (TreePath p : files) {
            TreePath full = os.images().resolve(p);
            if (store.file(full).isEmpty()) {
                throw HttpError.notFound(full + " is missing from the boot tree (run scripts/fetch-boot-files?)");
            }
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

    private void status(Req req, MacAddress mac) throws HttpError {
        Machine m = registry.get(mac).orElseThrow(() -> HttpError.notFound("unknown machine " + mac));
        String ip = context.ipOf(mac, m.lastIp());
        String json = "{\"mac\":\"" + mac + "\",\"state\":\"" + m.state().name().toLowerCase() + "\",\"os\":"
                + jsonString(m.os()) + ",\"class\":" + jsonString(m.osClass()) + ",\"ip\":" + jsonString(ip)
                + ",\"hostname\":" + jsonString(context.hostnameOf(mac, ip)) + ",\"first_seen\":\"" + m.firstSeen()
                + "\",\"updated\":\"" + m.updated() + "\"}\n";
        text(req.ex(), 200, json, "application/json");
    }

    private void file(Req req, TreePath path, String what) throws HttpError, BootStoreException, TemplateException, IOException {
        BootFile f = store.file(path).orElseThrow(() -> HttpError.notFound("no file " + path));
        FileResponder.Sent s = FileResponder.send(req.ex(), f, admission.sendRate());
        boolean ranged = req.ex().getRequestHeaders().contains(Headers.RANGE);
        if (req.get() && !ranged && s.status() == 200) {
            log.info("{} {} ({} bytes) to {} ({})", what, path, s.bytes(), req.ip(), macOf(req.ip()));
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
            return "unknown MAC";
        }
        List<Machine> m = registry.byLastIp(ip);
        return m.size() == 1 ? m.get(0).mac().toString() : "unknown MAC";
    }

    // ---- replies --------------------------------------------------------------------------

    private void script(Req req, String name, OsDefinition os, Map<String, Object> ctx) throws HttpError, BootStoreException, TemplateException, IOException {
        String body = templates.render(name, os, ctx)
                .orElseThrow(() -> new TemplateException("built-in " + name, "template missing", null));
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
            text(ex, ipxe ? 200 : status, errorScript(status, reason), "text/plain; charset=utf-8");
        } else {
            text(ex, status, status + " " + reason + "\n", "text/plain; charset=utf-8");
        }
    }

    /** An iPXE script printing the reason, then returning failure to the script that chained it. */
    static String errorScript(int status, String reason) {
        String r = ipxeSafe(reason);
        String wait = status == 503 ? "Retrying in 10 seconds" : "Press any key to return to the menu";
        return "#!ipxe\n"
                + "echo Astralboot error " + status + ": " + r + "\n"
                + "prompt --timeout 10000 " + wait + "... ||\n"
                + "exit 1\n";
    }

    /** Text safe on an iPXE {@code echo} line: no settings expansion, no line breaks. */
    static String ipxeSafe(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && i < 300; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || " ._:/,'()=+-[]@#_".indexOf(c) >= 0;
            sb.append(ok ? c : '?');
        }
        return sb.toString();
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

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}

package org.astralboot.boot.api;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.boot.BootDecision;
import org.astralboot.boot.BootDecision.Boot;
import org.astralboot.boot.BootDecision.Ignore;
import org.astralboot.boot.BootDecision.Script;
import org.astralboot.boot.BootPolicy;
import org.astralboot.boot.MachineRequest;
import org.astralboot.boot.TemplateException;
import org.astralboot.net.MacAddress;
import org.astralboot.store.BootStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API mode: what a machine boots is the answer of an HTTP API, wire-compatible with Pixiecore's
 * ({@code pixiecore/README.api.md}): {@code GET <url>/v1/boot/<mac>} (lower-case, colon-separated),
 * plus {@code ?arch=bios|efi32|efi64|arm64} when the firmware said it (an unknown query parameter
 * that Pixiecore API servers ignore). A 200 with an {@link ApiAnswer} boots; anything else (another
 * status, a malformed body, no answer within {@code timeout}) leaves the machine unbooted, or gives
 * it the boot tree's menu with {@code fallback = "menu"}.
 *
 * <p>One call per boot, not per packet: the outcome (answer or failure) is kept per MAC for {@code
 * cacheTtl}, and the DHCP exchange, iPXE's own DHCP and the script fetch of one boot share it
 * (Pixiecore asks on every DHCP packet and every script fetch). Concurrent askers for one MAC wait
 * for the same call.
 *
 * <p>The API's file references (kernel, initrds, {@code {{ URL "..." }}} in cmdline) are resolved
 * against {@code <url>/v1} as Pixiecore resolves them (so {@code /k} is the API host's root, {@code
 * k} a sibling of {@code v1}) and must be {@code http(s)}; the machine gets Astralboot's signed URLs
 * of them ({@link FileUrls}), never the API's.
 */
public final class ApiPolicy implements BootPolicy {
    private static final Logger log = LoggerFactory.getLogger("org.astralboot.boot.api");
    /**
     * The most API calls in flight at once that the DHCP step starts: past it a new MAC is not asked
     * now (its DHCP request goes unanswered and its retransmission asks again), so a flood of new
     * MACs cannot pile up calls to a slow API. The HTTP steps of machines already booting are not
     * limited by it.
     */
    static final int MAX_CALLS_IN_FLIGHT = 256;

    /**
     * @param url          the API's URL prefix (the part before {@code /v1/boot/<mac>})
     * @param timeout      the longest wait for the API's answer
     * @param cacheTtl     how long one MAC's outcome is reused (one boot)
     * @param fallbackMenu serve the boot tree's menu when the API fails (not when it refuses)
     */
    public record Settings(URI url, Duration timeout, Duration cacheTtl, boolean fallbackMenu) {
        public Settings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(cacheTtl, "cacheTtl");
        }
    }

    /** One call's outcome. */
    sealed interface Outcome {
    }

    /** A usable answer. */
    record Answered(ApiAnswer answer) implements Outcome {
    }

    /**
     * No boot from the API. {@code refused}: the API answered and said no (a non-200); otherwise it
     * failed (down, timeout, malformed), which {@code fallback = "menu"} covers.
     */
    record Failed(String why, boolean refused) implements Outcome {
    }

    /** The HTTP call, replaceable in tests. */
    @FunctionalInterface
    interface Transport {
        /** Status and body of {@code GET uri}, within {@code timeout}. */
        HttpResult get(URI uri, Duration timeout) throws IOException, InterruptedException;
    }

    record HttpResult(int status, byte[] body) {
    }

    private record Cached(CompletableFuture<Outcome> outcome, Instant at) {
    }

    private final Settings settings;
    private final String prefix;
    private final FileUrls files;
    private final Clock clock;
    private final Transport transport;
    private final Executor executor;
    private final Map<MacAddress, Cached> cache = new ConcurrentHashMap<>();
    /** The architecture each MAC's firmware gave at DHCP, for the HTTP requests that do not carry it. */
    private final Map<MacAddress, String> arches = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    public ApiPolicy(Settings settings, FileUrls files) {
        this(settings, files, Clock.systemUTC(), httpTransport(settings.timeout()), Executors.newVirtualThreadPerTaskExecutor());
    }

    ApiPolicy(Settings settings, FileUrls files, Clock clock, Transport transport, Executor executor) {
        this.settings = settings;
        String u = settings.url().toString();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        this.prefix = u + "/v1";
        this.files = files;
        this.clock = clock;
        this.transport = transport;
        this.executor = executor;
    }

    public Settings settings() {
        return settings;
    }

    /** Calls made to the API so far (for logs and tests). */
    public long calls() {
        return calls.get();
    }

    /** The three answers of the DHCP step (mirrors {@code dhcp.engine.BootGate.Verdict}). */
    public enum Verdict {
        BOOT, NO, PENDING
    }

    /**
     * The DHCP step's question: is {@code mac} booted? Never waits: it answers from the outcome
     * kept for {@code mac}, or starts the call (unless {@link #MAX_CALLS_IN_FLIGHT} are under way)
     * and answers {@link Verdict#PENDING}; {@link #whenDecided} then says when to ask again.
     */
    public Verdict pxe(MacAddress mac, String arch) {
        if (arch != null && !arch.isEmpty()) {
            arches.put(mac, arch);
        }
        Cached c = cache.get(mac);
        if ((c == null || !fresh(c, clock.instant())) && inFlight.get() >= MAX_CALLS_IN_FLIGHT) {
            log.debug("api: {}: {} calls in flight; not asked now", mac, inFlight.get());
            return Verdict.PENDING;
        }
        Outcome o = lookup(mac).getNow(null);
        if (o == null) {
            return Verdict.PENDING;
        }
        return switch (o) {
            case Answered a -> Verdict.BOOT;
            case Failed fl -> !fl.refused() && settings.fallbackMenu() ? Verdict.BOOT : Verdict.NO;
        };
    }

    /**
     * After {@link #pxe} answered {@link Verdict#PENDING}: a stage that completes when the call for
     * {@code mac} has an outcome (at the latest after {@code timeout}, the call's own bound), or
     * {@code null} when no call is under way for it (it was not started: too many in flight).
     */
    public CompletableFuture<?> whenDecided(MacAddress mac) {
        Cached c = cache.get(mac);
        return c == null ? null : c.outcome();
    }

    @Override
    public BootDecision decide(MachineRequest machine) throws BootStoreException, TemplateException {
        return decide(machine, null);
    }

    /** This policy, with {@code menu} answering when the API fails and {@code fallback = "menu"}. */
    public BootPolicy withFallback(BootPolicy menu) {
        return settings.fallbackMenu() ? m -> decide(m, menu) : this;
    }

    private BootDecision decide(MachineRequest machine, BootPolicy menu) throws BootStoreException, TemplateException {
        MacAddress mac = machine.mac();
        if (!machine.arch().isEmpty()) {
            arches.put(mac, machine.arch());
        }
        Outcome o;
        try {
            // The call has its own timeout; this bound only guards against an executor that never ran it.
            o = lookup(mac).get(settings.timeout().toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            o = new Failed("no answer: " + e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            o = new Failed("interrupted", false);
        }
        if (o instanceof Failed f) {
            if (!f.refused() && menu != null) {
                log.warn("api: {}: {}; serving the boot tree's menu (fallback = \"menu\")", mac, f.why());
                return menu.decide(machine);
            }
            return new Ignore("the boot API does not boot " + mac + " (" + f.why() + ")");
        }
        ApiAnswer a = ((Answered) o).answer();
        try {
            return decision(mac, machine.sourceIp(), a);
        } catch (Cmdline.BadReference e) {
            log.warn("api: {}: answer not usable: {}", mac, e.getMessage());
            return new Ignore("the boot API's answer for " + mac + " is not usable: " + e.getMessage());
        }
    }

    /**
     * The decision for an answer: a verbatim script, or a boot through signed URLs on the address
     * the machine asked from ({@code sourceIp}: a machine that booted over IPv6 gets IPv6 URLs).
     */
    BootDecision decision(MacAddress mac, String sourceIp, ApiAnswer a) throws Cmdline.BadReference {
        if (a.script()) {
            return new Script(a.ipxeScript());
        }
        String kernel = files.url(resolve(a.kernel()), sourceIp);
        List<String> initrds = new ArrayList<>();
        for (String i : a.initrds()) {
            initrds.add(files.url(resolve(i), sourceIp));
        }
        String cmdline = Cmdline.render(a.cmdline(), ref -> files.url(resolve(ref), sourceIp));
        return new Boot("api answer for " + mac, kernel, initrds, cmdline, null, a.message());
    }

    /**
     * {@code ref} resolved against {@code <url>/v1} (RFC 3986 §5.2, as Go's ResolveReference);
     * http(s) only. An IPFS path, {@code /ipfs/<CID>[/path]} or {@code ipfs://<CID>[/path]}, is not
     * resolved: it is read through Astralboot's IPFS node, verified against the CID (Pixiecore
     * would take {@code /ipfs/...} as a path on the API's host; a host that serves IPFS content
     * there serves the same bytes).
     */
    String resolve(String ref) throws Cmdline.BadReference {
        if (ref.startsWith("ipfs://") || ref.startsWith("/ipfs/")) {
            return StaticPolicy.ipfsPath(ref);
        }
        URI r;
        try {
            r = new URI(ref);
        } catch (URISyntaxException e) {
            throw new Cmdline.BadReference("not a URL: " + ref);
        }
        URI abs = r.isAbsolute() ? r : URI.create(prefix).resolve(r);
        String scheme = abs.getScheme() == null ? "" : abs.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            // Pixiecore would read its own disk for file://; an API must not make Astralboot do that.
            throw new Cmdline.BadReference("only http and https URLs are fetched, not " + ref);
        }
        return abs.toString();
    }

    /** The cached outcome for {@code mac}, or a new call when there is none or it is older than the TTL. */
    CompletableFuture<Outcome> lookup(MacAddress mac) {
        Instant now = clock.instant();
        Cached c = cache.compute(mac, (k, old) -> {
            if (old != null && fresh(old, now)) {
                return old;
            }
            CompletableFuture<Outcome> f = new CompletableFuture<>();
            inFlight.incrementAndGet();
            executor.execute(() -> {
                try {
                    f.complete(call(mac));
                } finally {
                    inFlight.decrementAndGet();
                }
            });
            return new Cached(f, now);
        });
        cache.entrySet().removeIf(e -> e.getValue().outcome().isDone() && !fresh(e.getValue(), now));
        return c.outcome();
    }

    /** An outcome still in use: within the TTL, or a call not finished yet. */
    private boolean fresh(Cached c, Instant now) {
        return now.isBefore(c.at().plus(settings.cacheTtl())) || !c.outcome().isDone();
    }

    /** The API URL asked for {@code mac}. */
    URI uri(MacAddress mac) {
        String arch = arches.getOrDefault(mac, "");
        return URI.create(prefix + "/boot/" + mac.toString().toLowerCase(java.util.Locale.ROOT)
                + (arch.isEmpty() ? "" : "?arch=" + arch));
    }

    private Outcome call(MacAddress mac) {
        URI u = uri(mac);
        calls.incrementAndGet();
        try {
            HttpResult r = transport.get(u, settings.timeout());
            if (r.status() != 200) {
                log.info("api: {}: {} answered HTTP {}: not booted", mac, u, r.status());
                return new Failed("HTTP " + r.status(), true);
            }
            ApiAnswer a = ApiAnswer.parse(r.body());
            if (a.script()) {
                log.info("api: {}: ipxe-script ({} bytes)", mac, a.ipxeScript().length());
            } else {
                log.info("api: {}: kernel {}, {} initrd(s), cmdline {}", mac, a.kernel(), a.initrds().size(), a.cmdline());
            }
            return new Answered(a);
        } catch (ApiAnswer.Malformed e) {
            log.warn("api: {}: malformed answer from {}: {}: not booted", mac, u, e.getMessage());
            return new Failed("malformed answer: " + e.getMessage(), false);
        } catch (HttpTimeoutException e) {
            log.warn("api: {}: no answer from {} within {} s: not booted", mac, u, settings.timeout().toMillis() / 1000.0);
            return new Failed("timeout", false);
        } catch (IOException e) {
            log.warn("api: {}: {} failed: {}: not booted", mac, u, e.toString());
            return new Failed(e.toString(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failed("interrupted", false);
        } catch (RuntimeException e) {
            log.error("api: {}: {} failed", mac, u, e);
            return new Failed(e.toString(), false);
        }
    }

    static Transport httpTransport(Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        return (uri, t) -> {
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(t).header("Accept", "application/json").GET().build();
            // The body is read within the same timeout: a server that stalls mid-body is a timeout too.
            CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray());
            try {
                HttpResponse<byte[]> r = f.get(t.toMillis(), TimeUnit.MILLISECONDS);
                return new HttpResult(r.statusCode(), r.body());
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new HttpTimeoutException("timed out");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException(e.getCause());
            }
        };
    }
}

package org.astralboot.boot.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astralboot.boot.BootDecision;
import org.astralboot.boot.BootDecision.Boot;
import org.astralboot.boot.BootDecision.Ignore;
import org.astralboot.boot.BootDecision.Script;
import org.astralboot.boot.BootPolicy;
import org.astralboot.boot.MachineRequest;
import org.astralboot.net.MacAddress;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

/** API mode's logic with a scripted API: URLs asked, answers turned into decisions, one call per boot. */
class ApiPolicyTest {
    static final MacAddress A = MacAddress.parse("52:54:00:AA:00:01");
    static final MacAddress B = MacAddress.parse("52:54:00:aa:00:02");
    static final FileUrls URLS = new FileUrls(FileUrlsTest.KEY, "http://192.0.2.1");

    final List<URI> asked = new ArrayList<>();
    final ManualClock clock = new ManualClock(0);

    ApiPolicy policy(String url, boolean fallback, Map<String, ApiPolicy.HttpResult> answers) {
        ApiPolicy.Transport t = (uri, timeout) -> {
            asked.add(uri);
            String path = uri.getPath();
            ApiPolicy.HttpResult r = answers.get(path.substring(path.lastIndexOf('/') + 1));
            if (r == null) {
                throw new java.net.ConnectException("connection refused");
            }
            if (r.status() == 0) {
                throw new HttpTimeoutException("timed out");
            }
            return r;
        };
        return new ApiPolicy(new ApiPolicy.Settings(URI.create(url), Duration.ofSeconds(5), Duration.ofSeconds(60), fallback),
                URLS, clock, t, Runnable::run);
    }

    static ApiPolicy.HttpResult ok(String json) {
        return new ApiPolicy.HttpResult(200, json.getBytes(StandardCharsets.UTF_8));
    }

    static MachineRequest req(MacAddress mac) {
        return new MachineRequest(mac, "192.0.2.50", "", Optional.empty(), "");
    }

    /** The source a signed URL names. */
    static String source(String url) {
        String rest = url.substring("http://192.0.2.1/file/".length());
        return URLS.verify(FileUrls.tokenOf(rest)).orElseThrow();
    }

    @Test
    void aMachineThatAsksOverIpv6GetsIpv6UrlsFromTheSameAnswer() throws Exception {
        ApiPolicy.Transport t = (uri, timeout) -> ok("{\"kernel\": \"http://files.test/k\", \"initrd\": [\"i\"],"
                + " \"cmdline\": \"root={{ URL \\\"http://files.test/r\\\" }}\"}");
        // The base by address family, as Config.httpBaseFor gives it with DHCPv6 on.
        FileUrls urls = new FileUrls(FileUrlsTest.KEY, ip -> ip.contains(":") ? "http://[2001:db8:17::1]" : "http://192.0.2.1");
        ApiPolicy p = new ApiPolicy(new ApiPolicy.Settings(URI.create("http://api.test"), Duration.ofSeconds(5),
                Duration.ofSeconds(60), false), urls, clock, t, Runnable::run);
        Boot v4 = (Boot) p.decide(req(A));
        Boot v6 = (Boot) p.decide(new MachineRequest(A, "2001:db8:17::100", "", Optional.empty(), ""));
        assertTrue(v4.kernel().startsWith("http://192.0.2.1/file/"), v4.kernel());
        assertTrue(v6.kernel().startsWith("http://[2001:db8:17::1]/file/"), v6.kernel());
        assertTrue(v6.initrds().get(0).startsWith("http://[2001:db8:17::1]/file/"), v6.initrds().toString());
        assertTrue(v6.cmdline().startsWith("root=http://[2001:db8:17::1]/file/"), v6.cmdline());
        assertTrue(!v6.cmdline().contains("192.0.2.1") && !v6.kernel().contains("192.0.2.1"), v6.toString());
        assertEquals(1, p.calls(), "one API call: the answer is kept, the URLs are made per request");
    }

    @Test
    void asksWithTheMacLowerCaseAndTheArchitecture() {
        ApiPolicy p = policy("http://api.test:8080/pxe/", false, Map.of("52:54:00:aa:00:01", ok("{\"kernel\": \"k\"}")));
        assertEquals(ApiPolicy.Verdict.BOOT, p.pxe(A, "efi64"));
        assertEquals(List.of(URI.create("http://api.test:8080/pxe/v1/boot/52:54:00:aa:00:01?arch=efi64")), asked);
    }

    @Test
    void relativeUrlsResolveAsPixiecoreResolvesThem() throws Exception {
        ApiPolicy p = policy("http://api.test:8080/pxe", false, Map.of());
        assertEquals("http://api.test:8080/boot/k", p.resolve("/boot/k"));
        assertEquals("http://api.test:8080/pxe/k", p.resolve("k"), "a sibling of v1");
        assertEquals("http://api.test:8080/pxe/v1/k", p.resolve("v1/k"));
        assertEquals("http://api.test:8080/x", p.resolve("../x"));
        assertEquals("https://cdn.test/k?x=1", p.resolve("https://cdn.test/k?x=1"));
        assertEquals("http://other.test/k", p.resolve("//other.test/k"));
        String cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
        assertEquals("/ipfs/" + cid + "/boot/vmlinuz", p.resolve("/ipfs/" + cid + "/boot/vmlinuz"),
                "an IPFS path goes to the IPFS node, not the API host");
        assertEquals("/ipfs/" + cid + "/initrd", p.resolve("ipfs://" + cid + "/initrd"));
        assertEquals("/ipfs/" + cid, p.resolve("ipfs://" + cid));
        for (String bad : List.of("file:///etc/shadow", "ftp://x/y", "gopher://x", "http://bad host/",
                "/ipfs/" + cid + "/../x", "/ipfs/", "/ipfs/not-a-cid/x", "ipfs://" + cid + "/k?x=1")) {
            assertThrows(Cmdline.BadReference.class, () -> p.resolve(bad), bad);
        }
    }

    @Test
    void aKernelAnswerBootsThroughSignedUrls() throws Exception {
        ApiPolicy p = policy("http://api.test/", false, Map.of("52:54:00:aa:00:01", ok("""
                {"kernel": "/f/vmlinuz", "initrd": ["/f/one.gz", "https://cdn.test/two.gz"],
                 "cmdline": "console=ttyS0 cc={{ URL \\"/cc/x.yml\\" }} id={{ID \\"y\\"}}", "message": "Hello"}""")));
        Boot b = assertInstanceOf(Boot.class, p.decide(req(A)));
        assertEquals("http://api.test/f/vmlinuz", source(b.kernel()));
        assertEquals(List.of("http://api.test/f/one.gz", "https://cdn.test/two.gz"), b.initrds().stream().map(ApiPolicyTest::source).toList());
        assertTrue(b.cmdline().startsWith("console=ttyS0 cc=http://192.0.2.1/file/"), b.cmdline());
        String[] words = b.cmdline().split(" ");
        assertEquals("http://api.test/cc/x.yml", source(words[1].substring(3)));
        assertEquals("http://api.test/y", source(words[2].substring(3)));
        assertEquals("Hello", b.message());
    }

    @Test
    void aScriptIsServedVerbatim() throws Exception {
        ApiPolicy p = policy("http://api.test", false, Map.of("52:54:00:aa:00:01",
                ok("{\"ipxe-script\": \"#!ipxe\\necho hi {{ x }}\\n\", \"kernel\": \"ignored\"}")));
        assertEquals(new Script("#!ipxe\necho hi {{ x }}\n"), p.decide(req(A)));
    }

    @Test
    void oneCallPerBootThenAgainAfterTheTtl() throws Exception {
        ApiPolicy p = policy("http://api.test", false, Map.of("52:54:00:aa:00:01", ok("{\"kernel\": \"k\"}"),
                "52:54:00:aa:00:02", new ApiPolicy.HttpResult(404, new byte[0])));
        // A boot: DISCOVER, REQUEST (port 4011), iPXE's DISCOVER and REQUEST, then the script.
        for (int i = 0; i < 4; i++) {
            assertEquals(ApiPolicy.Verdict.BOOT, p.pxe(A, "bios"));
            assertEquals(ApiPolicy.Verdict.NO, p.pxe(B, "bios"));
        }
        assertInstanceOf(Boot.class, p.decide(req(A)));
        assertInstanceOf(Ignore.class, p.decide(req(B)));
        assertEquals(2, p.calls(), "one call per MAC: " + asked);
        clock.advance(Duration.ofSeconds(61));
        assertEquals(ApiPolicy.Verdict.BOOT, p.pxe(A, "bios"));
        assertEquals(3, p.calls(), "the next boot asks again");
    }

    @Test
    void refusalsFailuresAndFallback() throws Exception {
        Map<String, ApiPolicy.HttpResult> answers = Map.of(
                "52:54:00:aa:00:01", new ApiPolicy.HttpResult(404, "no".getBytes()),
                "52:54:00:aa:00:02", ok("{\"kernel\": 3}"),
                "52:54:00:aa:00:03", new ApiPolicy.HttpResult(0, new byte[0]));
        MacAddress c = MacAddress.parse("52:54:00:aa:00:03");
        MacAddress down = MacAddress.parse("52:54:00:aa:00:04"); // connection refused
        BootDecision menu = new Ignore("menu stand-in");
        BootPolicy tree = m -> menu;

        ApiPolicy strict = policy("http://api.test", false, answers);
        for (MacAddress m : List.of(A, B, c, down)) {
            assertEquals(ApiPolicy.Verdict.NO, strict.pxe(m, ""), m.toString());
            assertInstanceOf(Ignore.class, strict.withFallback(tree).decide(req(m)));
            assertTrue(((Ignore) strict.decide(req(m))).reason().contains("does not boot"), m.toString());
        }

        ApiPolicy lenient = policy("http://api.test", true, answers);
        // The API said no: no menu. It failed (malformed, timeout, down): the menu.
        assertEquals(ApiPolicy.Verdict.NO, lenient.pxe(A, ""));
        assertInstanceOf(Ignore.class, lenient.withFallback(tree).decide(req(A)));
        for (MacAddress m : List.of(B, c, down)) {
            assertEquals(ApiPolicy.Verdict.BOOT, lenient.pxe(m, ""), m.toString());
            assertEquals(menu, lenient.withFallback(tree).decide(req(m)), m.toString());
        }
    }

    @Test
    void aFileReferenceOutsideHttpIsNotBooted() throws Exception {
        ApiPolicy p = policy("http://api.test", false, Map.of("52:54:00:aa:00:01",
                ok("{\"kernel\": \"file:///boot/vmlinuz\"}"), "52:54:00:aa:00:02",
                ok("{\"kernel\": \"k\", \"cmdline\": \"x={{ .Env }}\"}")));
        assertTrue(((Ignore) p.decide(req(A))).reason().contains("not usable"));
        assertTrue(((Ignore) p.decide(req(B))).reason().contains("not usable"));
    }

    @Test
    void aPendingCallKeepsDhcpWaitingNotBlocked() {
        List<Runnable> queued = new ArrayList<>();
        ApiPolicy p = new ApiPolicy(new ApiPolicy.Settings(URI.create("http://api.test"), Duration.ofSeconds(5),
                Duration.ofSeconds(60), false), URLS, clock, (u, t) -> ok("{\"kernel\": \"k\"}"), queued::add);
        assertEquals(ApiPolicy.Verdict.PENDING, p.pxe(A, "bios"));
        java.util.concurrent.CompletableFuture<?> decided = p.whenDecided(A);
        assertTrue(decided != null && !decided.isDone(), "a stage for the DHCP transport to wait on");
        assertEquals(ApiPolicy.Verdict.PENDING, p.pxe(A, "bios"));
        assertEquals(1, queued.size(), "one call started, not one per packet");
        assertEquals(null, p.whenDecided(B), "nothing under way for a MAC not asked about");
        queued.get(0).run();
        assertTrue(decided.isDone());
        assertEquals(ApiPolicy.Verdict.BOOT, p.pxe(A, "bios"));
    }

    /** The DHCP step starts at most MAX_CALLS_IN_FLIGHT calls; past it a new MAC waits for its retransmission. */
    @Test
    void theDhcpStepBoundsTheCallsInFlight() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        ApiPolicy p = new ApiPolicy(new ApiPolicy.Settings(URI.create("http://api.test"), Duration.ofSeconds(5),
                Duration.ofSeconds(60), false), URLS, clock, (u, t) -> ok("{\"kernel\": \"k\"}"), queued::add);
        for (int i = 0; i < ApiPolicy.MAX_CALLS_IN_FLIGHT; i++) {
            assertEquals(ApiPolicy.Verdict.PENDING, p.pxe(MacAddress.parse(String.format("52:54:00:01:%02x:%02x", i >> 8, i & 0xFF)), ""));
        }
        MacAddress late = MacAddress.parse("52:54:00:02:00:00");
        assertEquals(ApiPolicy.Verdict.PENDING, p.pxe(late, ""));
        assertEquals(null, p.whenDecided(late), "not asked: nothing to wait for");
        assertEquals(ApiPolicy.MAX_CALLS_IN_FLIGHT, queued.size());
        assertEquals(ApiPolicy.Verdict.PENDING, p.pxe(MacAddress.parse("52:54:00:01:00:00"), ""), "one already asked still waits");
        queued.get(0).run();
        assertEquals(ApiPolicy.Verdict.BOOT, p.pxe(MacAddress.parse("52:54:00:01:00:00"), ""));
        assertEquals(ApiPolicy.Verdict.PENDING, p.pxe(late, ""));
        assertTrue(p.whenDecided(late) != null, "asked once a call ended");
        // The HTTP step of a machine is not held back by the DHCP step's bound.
        Runnable last = queued.get(queued.size() - 1);
        last.run();
        assertEquals(ApiPolicy.Verdict.BOOT, p.pxe(late, ""));
    }
}

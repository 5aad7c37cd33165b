package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.astralboot.testing.Netns;
import org.astralboot.testing.UnixBridge;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The operator interface around a real boot: a QEMU VM (BIOS, iPXE ROM) boots from Astralboot in a
 * namespace while Debian's headless Chromium shows the status page; the machine's row reaches the
 * kernel step without a reload; the events API has the boot's steps in order with the VM's MAC and
 * firmware; {@code /metrics} moved by the boot; a second VM whose OS has no kernel shows the 404
 * as its error event. The admin listener is on the namespace's loopback with a token: the test
 * reaches it through a {@link UnixBridge}; it does not answer on the boot interface, and without
 * the token it answers 401. A listener beyond loopback without a token keeps the server from
 * starting.
 *
 * <p>Heavy (two software-emulated VMs): run under {@code flock -x /tmp/astralboot-heavy.lock}.
 */
class AdminBootIT {
    static final String MAC = "52:54:00:e2:0a:01";
    static final String MAC_BROKEN = "52:54:00:e2:0a:02";
    static final String TOKEN = "e2e-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(String url, boolean token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15));
        if (token) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of a metric's samples whose line starts with {@code prefix}. */
    static double metric(String text, String prefix) {
        double sum = 0;
        for (String l : text.split("\n")) {
            if (l.startsWith(prefix)) {
                sum += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The test OS tree plus an OS {@code broken} whose kernel is missing. */
    private static Path treeWithBrokenOs(Path work) throws IOException {
        Path src = TestOs.tree();
        Path dst = work.resolve("tree");
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        // After its marker, marker2 takes a lease with its own DHCP client (udhcpc): the sign that
        // its kernel runs.
        Path marker2 = dst.resolve("boot/" + TestOs.OS2 + "/os.toml");
        Files.writeString(marker2, Files.readString(marker2).replace("e2eos=" + TestOs.OS2, "e2eos=" + TestOs.OS2 + " e2e.dns"));
        if (!Files.readString(marker2).contains(" e2e.dns")) {
            throw new IllegalStateException("no e2e.dns in " + Files.readString(marker2));
        }
        Path images = Files.createDirectories(dst.resolve("boot/broken/images"));
        Files.writeString(images.resolve("initrd.gz"), "not a real initrd\n");
        Files.writeString(dst.resolve("boot/broken/os.toml"), """
                description = "E2E test OS without its kernel"
                kernel = "vmlinuz-missing"
                initrd = ["initrd.gz"]
                cmdline = "console=ttyS0"
                """);
        return dst;
    }

    @Test
    void aBootIsWatchedLiveCountedAndExplained() throws Exception {
        try (BootLab lab = BootLab.create("AdminBootIT")) {
            Path tree = treeWithBrokenOs(lab.work());

            // Beyond loopback without a token: the config is refused, the server does not start.
            Files.writeString(lab.work().resolve("open.toml"), lab.config(tree, "full", TestOs.OS2, 2)
                    + "\n[admin]\nlisten = \"" + BootLab.SERVER + ":9080\"\n");
            int rc = lab.runAstralboot(Duration.ofSeconds(60), "serve", "-c", lab.work().resolve("open.toml").toString());
            assertEquals(2, rc, "exit code of a refused config");
            assertTrue(lab.serverLogText().contains("admin.listen: '" + BootLab.SERVER
                    + ":9080' is beyond loopback, so [admin] token is required"), lab.serverLogText());

            lab.startAstralboot(lab.config(tree, "full", TestOs.OS2, 2)
                    + "\n[admin]\nlisten = \"127.0.0.1:9080\"\ntoken = \"" + TOKEN + "\"\n", "-l");
            Path socket = lab.work().resolve("admin.sock");
            lab.netns().start(lab.work().resolve("bridge.log"), Netns.javaBinary(), "-cp",
                    System.getProperty("java.class.path"), UnixBridge.class.getName(), socket.toString(), "127.0.0.1", "9080");
            Netns.awaitLog(lab.work().resolve("bridge.log"), "bridge ready", Duration.ofSeconds(30));
            try (UnixBridge bridge = UnixBridge.hostSide(socket)) {
                String api = "http://127.0.0.1:" + bridge.port();
                assertEquals(401, get(api + "/api/v1/machines", false).statusCode());
                assertEquals(401, get(api + "/metrics", false).statusCode());
                // Not on the boot interface: nothing listens on the server's boot address at the admin port.
                Netns.Result onBoot = lab.netns().run(Duration.ofSeconds(15), "curl", "-s", "-m", "5",
                        "http://" + BootLab.SERVER + ":9080/api/v1/machines");
                assertNotEquals(0, onBoot.code(), "admin port answered on the boot interface: " + onBoot.out());
                assertEquals(200, get(api + "/api/v1/machines", true).statusCode());

                String before = get(api + "/metrics", true).body();
                watchInBrowser(lab, api);
                String after = get(api + "/metrics", true).body();

                JsonNode events = JSON.readTree(get(api + "/api/v1/machines/" + MAC.replace(':', '-') + "/events", true).body());
                List<String> kinds = new ArrayList<>();
                events.forEach(e -> kinds.add(e.path("kind").asText()));
                System.err.println("AdminBootIT events of " + MAC + ": " + kinds);
                assertInOrder(kinds, List.of("dhcp_discover", "dhcp_offer", "dhcp_request", "dhcp_ack", "http_entry",
                        "http_start", "http_menu", "http_choice", "http_kernel", "http_initrd", "kernel_running"));
                for (JsonNode e : events) {
                    assertEquals(MAC, e.path("mac").asText(), e.toString());
                }
                JsonNode kernel = find(events, "http_kernel");
                assertTrue(kernel.path("detail").asText().startsWith("boot/" + TestOs.OS2 + "/images/"), kernel.toString());
                assertTrue(kernel.path("bytes").asLong() > 1_000_000, kernel.toString());
                assertEquals("bios", find(events, "dhcp_discover").path("firmware").asText(), "firmware of the DISCOVER");

                assertEquals(1, metric(after, "astralboot_boots_completed_total") - metric(before, "astralboot_boots_completed_total"),
                        after);
                // One boot of a BIOS machine from the menu tree: started, completed, its kernel seen running.
                for (String family : List.of("started", "completed", "running")) {
                    String series = "astralboot_boots_" + family + "_total{firmware=\"bios\",source=\"menu\"}";
                    assertEquals(1, metric(after, series) - metric(before, series), series + "\n" + after);
                }
                assertEquals(1, metric(after, "astralboot_boot_duration_seconds_count{firmware=\"bios\",source=\"menu\"}")
                        - metric(before, "astralboot_boot_duration_seconds_count{firmware=\"bios\",source=\"menu\"}"), after);
                // QEMU's NIC ROM (iPXE) and the booted system's udhcpc each sent a DISCOVER; their leases
                // were committed. (Before iPXE got no-pxedhcp, it often resent its DISCOVER while it
                // waited for ProxyDHCP offers, so there were three.)
                assertTrue(metric(after, "astralboot_dhcp_packets_total{outcome=\"received\",type=\"discover\"}")
                        - metric(before, "astralboot_dhcp_packets_total{outcome=\"received\",type=\"discover\"}") >= 2, after);
                double commits = metric(after, "astralboot_dhcp_commit_seconds_count")
                        - metric(before, "astralboot_dhcp_commit_seconds_count");
                double commitSeconds = metric(after, "astralboot_dhcp_commit_seconds_sum")
                        - metric(before, "astralboot_dhcp_commit_seconds_sum");
                assertTrue(commits >= 2 && commitSeconds > 0 && commitSeconds / commits < 1, commits + " commits, "
                        + commitSeconds + " s\n" + after);
                System.err.println("AdminBootIT: " + (long) commits + " lease commits, mean "
                        + String.format("%.2f", commitSeconds / commits * 1000) + " ms");
                assertTrue(after.contains("\nastralboot_dhcp_leases{state=\"pool\"} 51"), after);
                assertTrue(after.contains("\nastralboot_tftp_retransmissions_total "), after);
                assertTrue(after.contains("\nastralboot_dhcp_malformed_total 0"), after);
                assertTrue(after.contains("\nastralboot_dhcp_shed_discovers_total 0"), after);
                assertEquals(2, metric(after, "astralboot_http_requests_total{route=\"os\",status=\"200\"}")
                        - metric(before, "astralboot_http_requests_total{route=\"os\",status=\"200\"}"), after);
                assertTrue(metric(after, "astralboot_dhcp_packets_total{outcome=\"sent\",type=\"ack\"}")
                        > metric(before, "astralboot_dhcp_packets_total{outcome=\"sent\",type=\"ack\"}"), after);
                assertTrue(metric(after, "astralboot_http_bytes_total{route=\"os\"}")
                        - metric(before, "astralboot_http_bytes_total{route=\"os\"}") > 1_000_000, after);

                // A failing boot: its OS has no kernel. The 404 is its error event.
                HttpResponse<String> set = post(api + "/api/v1/machines/" + MAC_BROKEN, "{\"action\":\"set\",\"os\":\"broken\"}");
                assertEquals(200, set.statusCode(), set.body());
                // The boot policy refuses a boot script whose kernel is missing; iPXE shows the error.
                BootResult r = lab.boot(Firmware.BIOS_IPXE_ROM, MAC_BROKEN, Duration.ofSeconds(150), "Astralboot error 404");
                assertEquals("Astralboot error 404", r.matched(), r.console());
                JsonNode broken = JSON.readTree(get(api + "/api/v1/machines/" + MAC_BROKEN + "/events", true).body());
                JsonNode refused = find(broken, "http_refused");
                assertTrue(refused.path("detail").asText().startsWith("404 GET /ipxe/")
                        && refused.path("detail").asText().contains("boot/broken/images/vmlinuz-missing"), refused.toString());
                JsonNode row = null;
                for (JsonNode m : JSON.readTree(get(api + "/api/v1/machines", true).body())) {
                    if (m.path("mac").asText().equals(MAC_BROKEN)) {
                        row = m;
                    }
                }
                assertTrue(row != null && row.path("last_error").asText().contains("vmlinuz-missing"), String.valueOf(row));

                // TFTP: a transfer and a missing file (curl's TFTP client, inside the namespace).
                String tftpBefore = get(api + "/metrics", true).body();
                Netns.Result ok = lab.netns().run(Duration.ofSeconds(30), "curl", "-s", "-o", "/dev/null",
                        "tftp://" + BootLab.SERVER + "/undionly.kpxe");
                assertEquals(0, ok.code(), ok.out());
                Netns.Result missing = lab.netns().run(Duration.ofSeconds(30), "curl", "-s", "-o", "/dev/null",
                        "tftp://" + BootLab.SERVER + "/no-such-file");
                assertNotEquals(0, missing.code(), missing.out());
                String tftpAfter = get(api + "/metrics", true).body();
                // The missing file never starts a transfer: one started, one error.
                assertEquals(1, metric(tftpAfter, "astralboot_tftp_transfers_total") - metric(tftpBefore,
                        "astralboot_tftp_transfers_total"), tftpAfter);
                assertEquals(1, metric(tftpAfter, "astralboot_tftp_errors_total") - metric(tftpBefore,
                        "astralboot_tftp_errors_total"), tftpAfter);
                assertEquals(1, metric(tftpAfter, "astralboot_tftp_errors_total{code=\"1\"}") - metric(tftpBefore,
                        "astralboot_tftp_errors_total{code=\"1\"}"), "ERROR 1, file not found\n" + tftpAfter);
                assertTrue(metric(tftpAfter, "astralboot_tftp_bytes_total") - metric(tftpBefore, "astralboot_tftp_bytes_total")
                        > 10_000, tftpAfter);
                JsonNode all = JSON.readTree(get(api + "/api/v1/events", true).body());
                JsonNode end = null;
                JsonNode err = null;
                for (JsonNode e : all) {
                    if (e.path("kind").asText().equals("tftp_end") && e.path("detail").asText().startsWith("undionly.kpxe")) {
                        end = e;
                    } else if (e.path("kind").asText().equals("tftp_error")) {
                        err = e;
                    }
                }
                assertTrue(end != null && end.path("bytes").asLong() > 10_000 && end.path("detail").asText().contains("blksize"),
                        String.valueOf(end));
                assertTrue(err != null && err.path("detail").asText().contains("no-such-file")
                        && err.path("detail").asText().contains("ERROR 1"), String.valueOf(err));
            }
            lab.passed();
        }
    }

    /**
     * Loads the status page in headless Chromium, boots the VM, and waits for the machine's row to
     * reach the kernel without a reload; keeps screenshots (1280 px and a phone's width) in target/.
     */
    private void watchInBrowser(BootLab lab, String api) throws Exception {
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeDriverService svc = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().withLogFile(lab.work().resolve("chromedriver.log").toFile()).build();
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--user-data-dir=" + lab.work().resolve("chromium"));
        ChromeDriver d = new ChromeDriver(svc, o);
        try {
            d.get(api + "/#token=" + TOKEN);
            JavascriptExecutor js = d;
            waitFor(() -> d.findElement(By.id("live")).getText().equals("live"), Duration.ofSeconds(20), "event stream live");
            js.executeScript("window.astralbootTestMark = 42;");
            CompletableFuture<BootResult> boot = CompletableFuture.supplyAsync(() -> {
                try {
                    // On past the marker: the test OS then takes a lease with its own DHCP client.
                    return lab.bootUntil(Firmware.BIOS_IPXE_ROM, MAC, Duration.ofSeconds(240), "ASTRALBOOT-E2E-DNS done");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String selector = "tr[data-mac='" + MAC + "']";
            waitFor(() -> {
                List<WebElement> rows = d.findElements(By.cssSelector(selector));
                return !rows.isEmpty() && List.of("kernel", "initrd", "running", "installed")
                        .contains(rows.get(0).getAttribute("data-step"));
            }, Duration.ofSeconds(200), "row of " + MAC + " at the kernel step");
            assertEquals(42L, js.executeScript("return window.astralbootTestMark;"), "the page was reloaded");
            Path target = TestOs.projectRoot().resolve("target");
            // Then "kernel running": the booted system's own DHCP client asked for its lease.
            waitFor(() -> "running".equals(d.findElement(By.cssSelector(selector)).getAttribute("data-step")),
                    Duration.ofSeconds(240), "row of " + MAC + " at the kernel running step");
            assertEquals(42L, js.executeScript("return window.astralbootTestMark;"), "the page was reloaded");
            assertEquals("kernel running", fresh(() -> d.findElement(By.cssSelector(selector + " .steps span.now")).getText()));
            assertEquals(null, fresh(() -> d.findElement(By.cssSelector(selector)).getAttribute("data-error")));
            // The lease pool card, from the status API.
            waitFor(() -> d.findElement(By.id("c-leases")).getText().endsWith("/ 51 bound"), Duration.ofSeconds(15),
                    "the lease pool card");
            Files.copy(d.getScreenshotAs(OutputType.FILE).toPath(), target.resolve("admin-status-page.png"),
                    StandardCopyOption.REPLACE_EXISTING);
            BootResult r = boot.get();
            assertEquals(Optional.of(TestOs.OS2), r.bootedOs(), r.console());
            assertTrue(r.console().contains("ASTRALBOOT-E2E-DNS done"), r.console());
            d.manage().window().setSize(new Dimension(390, 844));
            assertEquals(Boolean.TRUE, js.executeScript(
                    "return document.documentElement.scrollWidth <= window.innerWidth;"), "no sideways scrolling on a phone");
            Files.copy(d.getScreenshotAs(OutputType.FILE).toPath(), target.resolve("admin-status-page-phone.png"),
                    StandardCopyOption.REPLACE_EXISTING);
            // A click on the row opens the machine's timeline: its events, kernel and initrd among them.
            fresh(() -> {
                d.findElement(By.cssSelector(selector)).click();
                return null;
            });
            waitFor(() -> d.findElements(By.cssSelector("#tl-list li")).stream()
                    .anyMatch(li -> li.getText().contains("http_initrd")), Duration.ofSeconds(10), "the timeline");
            Files.copy(d.getScreenshotAs(OutputType.FILE).toPath(), target.resolve("admin-status-page-timeline.png"),
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            d.quit();
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c, Duration limit, String what) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (c.ok()) {
                    return;
                }
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                // the row was redrawn between finding and reading it: look again
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    /**
     * {@code read} on an element found afresh each time: the live page redraws a machine's row when
     * an event arrives, so an element found a moment earlier can be gone (stale) by the time it is
     * read or clicked; a person's click lands on the new row, the test looks again.
     */
    private static <T> T fresh(java.util.function.Supplier<T> read) {
        for (int i = 0; ; i++) {
            try {
                return read.get();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (i == 20) {
                    throw e;
                }
            }
        }
    }

    private static JsonNode find(JsonNode events, String kind) {
        for (JsonNode e : events) {
            if (e.path("kind").asText().equals(kind)) {
                return e;
            }
        }
        throw new AssertionError("no " + kind + " event in " + events);
    }

    /** {@code expected} appear in {@code actual} in this order (other events may come between). */
    static void assertInOrder(List<String> actual, List<String> expected) {
        int i = 0;
        for (String a : actual) {
            if (i < expected.size() && a.equals(expected.get(i))) {
                i++;
            }
        }
        assertEquals(expected.size(), i, "events " + expected + " in order within " + actual);
    }
}

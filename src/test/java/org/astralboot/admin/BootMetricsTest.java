package org.astralboot.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.junit.jupiter.api.Test;

class BootMetricsTest {
    private static final String MAC = "52:54:00:12:34:56";

    private static String scrape(BootMetrics m) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        m.write(b);
        return b.toString(StandardCharsets.UTF_8);
    }

    private static BootEvent at(Kind k, long second, long bytes) {
        return new BootEvent(0, Instant.ofEpochSecond(1_000 + second), MAC, "192.0.2.10", "bios", k, "", bytes, -1);
    }

    @Test
    void exposesExactlyTheDocumentedNames() throws Exception {
        BootMetrics m = new BootMetrics();
        m.leases(() -> new BootMetrics.LeaseCounts(100, 3, 97));
        m.cache(() -> new BootMetrics.CacheCounts(5, 2, 4096));
        m.quirks(() -> Map.of("tftp_zero_blksize", 1L));
        m.ndp(() -> Map.of("answered", 2L));
        for (Kind k : Kind.values()) { // labelled families appear once they have a series
            m.emit(at(k, k.ordinal(), 10));
        }
        m.request("os", 200, 10);
        String text = scrape(m);
        Set<String> families = new TreeSet<>();
        Matcher t = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(text);
        while (t.find()) {
            families.add(t.group(2).equals("counter") && !t.group(1).endsWith("_total") ? t.group(1) + "_total" : t.group(1));
        }
        assertEquals(new TreeSet<>(BootMetrics.NAMES), families, text);
        for (String n : families) {
            assertTrue(n.matches("astralboot_[a-z_]+"), n);
        }
        assertTrue(text.contains("astralboot_dhcp_leases{state=\"free\"} 97"), text);
        assertTrue(text.contains("astralboot_ipfs_fetches_total 5"), text);
        assertTrue(text.contains("astralboot_ipfs_cache_bytes 4096"), text);
    }

    @Test
    void countsABootFromDiscoverToInitrd() throws Exception {
        BootMetrics m = new BootMetrics();
        m.emit(at(Kind.DHCP_DISCOVER, 0, -1));
        m.emit(at(Kind.DHCP_OFFER, 0, -1));
        m.emit(at(Kind.DHCP_DISCOVER, 2, -1)); // a retry: the same boot
        m.emit(at(Kind.TFTP_START, 3, -1));
        m.emit(at(Kind.TFTP_END, 4, 70_000));
        m.emit(at(Kind.HTTP_KERNEL, 10, 8_000_000));
        m.emit(at(Kind.HTTP_INITRD, 12, 1_000_000));
        m.emit(at(Kind.HTTP_REFUSED, 13, -1));
        m.request("os", 200, 9_000_000);
        m.request("ipxe", 404, 120);
        String text = scrape(m);
        assertTrue(text.contains("astralboot_dhcp_packets_total{outcome=\"received\",type=\"discover\"} 2.0"), text);
        assertTrue(text.contains("astralboot_dhcp_packets_total{outcome=\"sent\",type=\"offer\"} 1.0"), text);
        assertTrue(text.contains("astralboot_boots_started_total{firmware=\"bios\"} 1.0"), text);
        assertTrue(text.contains("astralboot_boots_completed_total{firmware=\"bios\"} 1.0"), text);
        assertTrue(text.contains("astralboot_boot_duration_seconds_bucket{firmware=\"bios\",le=\"20.0\"} 1"), text);
        assertTrue(text.contains("astralboot_boot_duration_seconds_bucket{firmware=\"bios\",le=\"10.0\"} 0"), text);
        assertTrue(text.contains("astralboot_tftp_transfers_total 1.0"), text);
        assertTrue(text.contains("astralboot_tftp_bytes_total 70000.0"), text);
        assertTrue(text.contains("astralboot_http_requests_total{route=\"ipxe\",status=\"404\"} 1.0"), text);
        assertTrue(text.contains("astralboot_http_bytes_total{route=\"os\"} 9000000.0"), text);
        assertTrue(text.contains("astralboot_boot_errors_total{kind=\"http_refused\"} 1.0"), text);
    }
}

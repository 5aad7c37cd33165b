package org.astralboot.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
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

    static String scrape(BootMetrics m) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        m.write(b);
        return b.toString(StandardCharsets.UTF_8);
    }

    /** The value of the one sample line that starts with {@code series} followed by a space. */
    static double value(String text, String series) {
        for (String l : text.split("\n")) {
            if (l.startsWith(series + " ")) {
                return Double.parseDouble(l.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        throw new AssertionError("no series " + series + " in\n" + text);
    }

    private static BootEvent at(Kind k, long second, long bytes) {
        return new BootEvent(0, Instant.ofEpochSecond(1_000 + second), MAC, "192.0.2.10", "bios", k, "", bytes, -1);
    }

    @Test
    void exposesExactlyTheDocumentedNames() throws Exception {
        BootMetrics m = new BootMetrics();
        m.leases(() -> new BootMetrics.LeaseCounts(100, 3, 97));
        m.bindings6(() -> new BootMetrics.LeaseCounts(256, 2, 253));
        m.cache(() -> new BootMetrics.CacheCounts(5, 2, 4096, 11, 5, 1, 0, 1 << 20, true));
        m.quirks(() -> Map.of("tftp_zero_blksize", 1L));
        m.ndp(() -> Map.of("answered", 2L));
        for (Kind k : Kind.values()) { // labelled families appear once they have a series
            m.emit(at(k, k.ordinal(), 10));
        }
        m.request("os", 200, 10);
        m.dhcp6Unanswered("other_server");
        m.dhcp6Refused(2);
        String text = scrape(m);
        Set<String> families = new TreeSet<>();
        Matcher t = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(text);
        while (t.find()) {
            families.add(t.group(2).equals("counter") && !t.group(1).endsWith("_total") ? t.group(1) + "_total" : t.group(1));
        }
        assertEquals(new TreeSet<>(BootMetrics.NAMES), families, text);
        for (String n : families) {
            assertTrue(n.matches("astralboot_[a-z][a-z0-9_]+"), n); // Prometheus allows digits (dhcp6)
        }
        assertEquals(97, value(text, "astralboot_dhcp_leases{state=\"free\"}"));
        assertEquals(253, value(text, "astralboot_dhcp6_bindings{state=\"free\"}"));
        assertEquals(256, value(text, "astralboot_dhcp6_bindings{state=\"pool\"}"));
        assertEquals(5, value(text, "astralboot_ipfs_fetches_total"));
        assertEquals(4096, value(text, "astralboot_ipfs_cache_bytes"));
        assertEquals(11, value(text, "astralboot_ipfs_cache_hits_total"));
        assertEquals(5, value(text, "astralboot_ipfs_cache_misses_total"));
        assertEquals(1, value(text, "astralboot_ipfs_cache_evictions_total"));
        assertEquals(0, value(text, "astralboot_ipfs_verification_failures_total"));
        assertEquals(1 << 20, value(text, "astralboot_ipfs_cache_limit_bytes"));
        assertEquals(1, value(text, "astralboot_ipfs_node_up"));
        assertEquals(1, value(text, "astralboot_quirks_total{quirk=\"tftp_zero_blksize\"}"));
    }

    @Test
    void countsABootFromDiscoverToInitrdAndItsKernelRunning() throws Exception {
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
        assertEquals(2, value(text, "astralboot_dhcp_packets_total{outcome=\"received\",type=\"discover\"}"));
        assertEquals(1, value(text, "astralboot_dhcp_packets_total{outcome=\"sent\",type=\"offer\"}"));
        assertEquals(1, value(text, "astralboot_boots_started_total{firmware=\"bios\",source=\"menu\"}"));
        assertEquals(1, value(text, "astralboot_boots_completed_total{firmware=\"bios\",source=\"menu\"}"));
        assertEquals(1, value(text, "astralboot_boot_duration_seconds_bucket{firmware=\"bios\",source=\"menu\",le=\"20.0\"}"));
        assertEquals(0, value(text, "astralboot_boot_duration_seconds_bucket{firmware=\"bios\",source=\"menu\",le=\"10.0\"}"));
        assertEquals(1, value(text, "astralboot_tftp_transfers_total"));
        assertEquals(70_000, value(text, "astralboot_tftp_bytes_total"));
        assertEquals(1, value(text, "astralboot_http_requests_total{route=\"ipxe\",status=\"404\"}"));
        assertEquals(9_000_000, value(text, "astralboot_http_bytes_total{route=\"os\"}"));
        assertEquals(1, value(text, "astralboot_boot_errors_total{kind=\"http_refused\"}"));
        assertTrue(!text.contains("astralboot_boots_running_total{"), "no kernel seen yet:\n" + text);

        m.emit(at(Kind.HTTP_INITRD, 13, 1_000_000)); // sent again: still one completed boot
        m.emit(at(Kind.KERNEL_RUNNING, 20, -1));
        m.emit(at(Kind.HTTP_TEMPLATE, 25, -1)); // the same boot: counted once
        text = scrape(m);
        assertEquals(1, value(text, "astralboot_boots_completed_total{firmware=\"bios\",source=\"menu\"}"));
        assertEquals(1, value(text, "astralboot_boots_running_total{firmware=\"bios\",source=\"menu\"}"));

        m.emit(at(Kind.DHCP_DISCOVER, 100, -1)); // the next boot
        text = scrape(m);
        assertEquals(2, value(text, "astralboot_boots_started_total{firmware=\"bios\",source=\"menu\"}"));
    }

    @Test
    void bootsCarryTheirSource() throws Exception {
        BootMetrics m = new BootMetrics();
        m.source("api");
        m.emit(at(Kind.DHCP_DISCOVER, 0, -1));
        m.source("static"); // a boot keeps the source it started with
        m.emit(at(Kind.HTTP_KERNEL, 5, 100));
        m.emit(at(Kind.HTTP_INITRD, 6, 100));
        String text = scrape(m);
        assertEquals(1, value(text, "astralboot_boots_started_total{firmware=\"bios\",source=\"api\"}"));
        assertEquals(1, value(text, "astralboot_boots_completed_total{firmware=\"bios\",source=\"api\"}"));
    }

    @Test
    void dhcp6MessagesSilencesRefusalsAndCommits() throws Exception {
        BootMetrics m = new BootMetrics();
        String text = scrape(m);
        assertEquals(0, value(text, "astralboot_dhcp6_packets_total{outcome=\"received\",type=\"information_request\"}"));
        m.dhcp6Packet(1, true, 0x525400123456L, true);
        m.dhcp6Packet(1, true, -1, false);
        m.dhcp6Packet(2, false, 0x525400123456L, true);
        m.dhcp6Packet(7, false, 0x525400123456L, true);
        m.dhcp6Packet(7, true, 1, false); // a Reply is never received: no such series
        m.dhcp6Packet(14, true, 1, false);
        m.dhcp6Unanswered("other_server");
        m.dhcp6Unanswered("other_server");
        m.dhcp6Unanswered("malformed");
        m.dhcp6Refused(2);
        m.dhcp6Refused(99);
        m.dhcp6Commit(3_000_000, 1);
        text = scrape(m);
        assertEquals(2, value(text, "astralboot_dhcp6_packets_total{outcome=\"received\",type=\"solicit\"}"));
        assertEquals(1, value(text, "astralboot_dhcp6_packets_total{outcome=\"sent\",type=\"advertise\"}"));
        assertEquals(1, value(text, "astralboot_dhcp6_packets_total{outcome=\"sent\",type=\"reply\"}"));
        assertTrue(!text.contains("outcome=\"received\",type=\"reply\""), text);
        assertEquals(2, value(text, "astralboot_dhcp6_unanswered_total{reason=\"other_server\"}"));
        assertEquals(1, value(text, "astralboot_dhcp6_unanswered_total{reason=\"malformed\"}"));
        assertEquals(1, value(text, "astralboot_dhcp6_refusals_total{status=\"no_addrs_avail\"}"));
        assertEquals(1, value(text, "astralboot_dhcp6_refusals_total{status=\"status_99\"}"));
        assertEquals(1, value(text, "astralboot_dhcp6_commit_seconds_count"));
        assertEquals(1, value(text, "astralboot_dhcp6_commit_seconds_bucket{le=\"0.005\"}"));
        assertEquals(0, value(text, "astralboot_dhcp6_commit_seconds_bucket{le=\"0.0025\"}"));
        // DHCPv6 boot events count no packets (the transport counts every message itself).
        m.emit(at(Kind.DHCP6_SOLICIT, 0, -1));
        assertEquals(2, value(scrape(m), "astralboot_dhcp6_packets_total{outcome=\"received\",type=\"solicit\"}"));
    }

    @Test
    void aSolicitStartsABootOverIpv6() throws Exception {
        BootMetrics m = new BootMetrics();
        m.emit(at(Kind.DHCP6_SOLICIT, 0, -1));
        m.emit(at(Kind.DHCP6_SOLICIT, 2, -1)); // the firmware's retransmission: the same boot
        m.emit(at(Kind.DHCP6_REPLY, 3, -1));
        m.emit(at(Kind.TFTP_START, 4, -1));
        m.emit(at(Kind.HTTP_KERNEL, 8, 100));
        m.emit(at(Kind.HTTP_INITRD, 10, 100));
        String text = scrape(m);
        assertEquals(1, value(text, "astralboot_boots_started_total{firmware=\"bios\",source=\"menu\"}"));
        assertEquals(1, value(text, "astralboot_boots_completed_total{firmware=\"bios\",source=\"menu\"}"));
        assertEquals(1, value(text, "astralboot_boot_duration_seconds_bucket{firmware=\"bios\",source=\"menu\",le=\"10.0\"}"));
        assertEquals(0, value(text, "astralboot_boot_duration_seconds_bucket{firmware=\"bios\",source=\"menu\",le=\"5.0\"}"));
    }

    @Test
    void dhcpPacketsOfOtherClientsArePreBoundSeries() throws Exception {
        BootMetrics m = new BootMetrics();
        String text = scrape(m);
        // Bound at start: present at 0 before the first packet.
        assertEquals(0, value(text, "astralboot_dhcp_packets_total{outcome=\"received\",type=\"inform\"}"));
        assertEquals(0, value(text, "astralboot_dhcp_packets_total{outcome=\"sent\",type=\"nak\"}"));
        for (int i = 0; i < 3; i++) {
            m.dhcpPacket(1, true, 0x525400123456L);
        }
        m.dhcpPacket(5, false, 0x525400123456L);
        m.dhcpPacket(4, true, 0x525400123456L);
        m.dhcpPacket(1, false, 1); // no such series (a DISCOVER is never sent): ignored
        m.dhcpPacket(0, true, 1);
        m.dhcpPacket(200, true, 1);
        text = scrape(m);
        assertEquals(3, value(text, "astralboot_dhcp_packets_total{outcome=\"received\",type=\"discover\"}"));
        assertEquals(1, value(text, "astralboot_dhcp_packets_total{outcome=\"sent\",type=\"ack\"}"));
        assertEquals(1, value(text, "astralboot_dhcp_packets_total{outcome=\"received\",type=\"decline\"}"));
        assertTrue(!text.contains("type=\"discover\",outcome=\"sent\"") && !text.contains("outcome=\"sent\",type=\"discover\""),
                text);
    }

    @Test
    void countingAPacketAllocatesNothing() {
        BootMetrics m = new BootMetrics();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) { // warm up: compiled, adders settled
            m.dhcpPacket(1 + (i & 7), (i & 1) == 0, i);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++) {
            m.dhcpPacket(1 + (i & 7), (i & 1) == 0, i);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        // A label lookup per packet would allocate tens of megabytes here.
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated for 1,000,000 packets");
    }

    @Test
    void commitLatencyIsAHistogram() throws Exception {
        BootMetrics m = new BootMetrics();
        m.dhcpCommit(3_000_000, 12); // 3 ms
        m.dhcpCommit(200_000, 1); // 0.2 ms
        String text = scrape(m);
        assertEquals(2, value(text, "astralboot_dhcp_commit_seconds_count"));
        assertEquals(0.0032, value(text, "astralboot_dhcp_commit_seconds_sum"), 1e-9);
        // The client writes small bounds in Java's notation (2.5E-4): valid in the text format.
        assertEquals(0, value(text, "astralboot_dhcp_commit_seconds_bucket{le=\"1.0E-4\"}"));
        assertEquals(1, value(text, "astralboot_dhcp_commit_seconds_bucket{le=\"2.5E-4\"}"));
        assertEquals(1, value(text, "astralboot_dhcp_commit_seconds_bucket{le=\"0.0025\"}"));
        assertEquals(2, value(text, "astralboot_dhcp_commit_seconds_bucket{le=\"0.005\"}"));
    }

    @Test
    void tftpErrorsByCodeAndRetransmissions() throws Exception {
        BootMetrics m = new BootMetrics();
        m.tftpError(1);
        m.tftpError(1);
        m.tftpError(0);
        m.tftpError(-1);
        m.tftpError(99); // outside RFC 1350's codes: no ERROR code to name
        m.tftpRetransmit();
        String text = scrape(m);
        assertEquals(2, value(text, "astralboot_tftp_errors_total{code=\"1\"}"));
        assertEquals(1, value(text, "astralboot_tftp_errors_total{code=\"0\"}"));
        assertEquals(2, value(text, "astralboot_tftp_errors_total{code=\"none\"}"));
        assertEquals(0, value(text, "astralboot_tftp_errors_total{code=\"8\"}"));
        assertEquals(1, value(text, "astralboot_tftp_retransmissions_total"));
    }

    @Test
    void ipfsNodeDownIsZero() throws Exception {
        BootMetrics m = new BootMetrics();
        m.cache(() -> new BootMetrics.CacheCounts(0, 0, 0, 0, 0, 0, 3, 100, false));
        String text = scrape(m);
        assertEquals(0, value(text, "astralboot_ipfs_node_up"));
        assertEquals(3, value(text, "astralboot_ipfs_verification_failures_total"));
    }
}

package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * QEMU's iPXE option ROM (BIOS; Debian's ipxe-qemu, iPXE 1.0.0+git-20190125.36a4c85) boots the
 * test OS through Astralboot over IPv6 alone: {@code [dhcp] mode = "off"}, nothing answers the
 * VM's DHCPv4, and the VM never has an IPv4 address. iPXE's IPv6 configurator ({@code ndp.c})
 * solicits a router; Astralboot's own advertisement sets O (stateless) or M (full), which makes
 * iPXE run DHCPv6 ({@code dhcpv6.c}: Information-request, or Solicit/Request), and takes option 59
 * as its {@code filename} setting ({@code filename6_setting}), which {@code autoboot.c} boots:
 * {@code http://[2001:db8:e2::1]/boot.ipxe}, then the kernel and initrd on the same bracketed address.
 *
 * <p>Nothing in iPXE's ROM boot path needs DHCPv4. What stopped it was the server: first, with DHCP
 * off nothing told Astralboot the VM was booting, so its solicitation was never answered and iPXE
 * ended with "No configuration methods succeeded" (now the DHCPv4 DISCOVER it sends beside the
 * solicitation is looked at: {@code ndp/Dhcp4Watch}); then, in stateless mode, its SLAAC address is in
 * no DHCPv6 binding and the ARP table has no IPv6 entries, so choosing the OS got 403 (now the IPv6
 * neighbour table is asked: {@code ndp/Ipv6Neighbours}).
 */
class IpxeIpv6BootIT {
    /** tcpdump filter: router solicitations and advertisements, DHCPv6, any IPv4 at all, HTTP SYNs. */
    static final String FILTER = "(icmp6 and (ip6[40] == 133 or ip6[40] == 134)) or udp port 546 or udp port 547 or ip"
            + " or (tcp dst port 80 and tcp[tcpflags] & tcp-syn != 0)";

    /** {@code [dhcp] mode = "off"} and {@code [ipv6] dhcp = dhcp6}; "full" as {@link AstralbootIpv6BootIT} has it. */
    static String config(BootLab lab, String dhcp6) throws Exception {
        return "full".equals(dhcp6) ? AstralbootIpv6BootIT.config(lab)
                : lab.config(TestOs.tree(), "off", TestOs.OS1, 1) + "\n[ipv6]\ndhcp = \"" + dhcp6 + "\"\n";
    }

    /** What one boot showed: the VM's boot, the server log and the segment's capture. */
    record Run(BootResult boot, String log, String capture) {
    }

    /** What a test asserts about a {@link Run}. */
    interface Checks {
        void check(Run run) throws Exception;
    }

    /**
     * Boots one VM with {@code [ipv6] dhcp = dhcp6} and runs {@code checks} on what it showed, before
     * the lab closes (so a failed check keeps the artefacts).
     */
    void boot(String dhcp6, String mac, Checks checks) throws Exception {
        try (BootLab lab = BootLab.create("IpxeIpv6BootIT-" + dhcp6, "v6i")) {
            lab.enableIpv6();
            Path cap = lab.work().resolve("capture.log");
            lab.netns().start(cap, "tcpdump", "-i", BootLab.IFACE, "-n", "-tt", "-l", "-vv", FILTER);
            lab.startAstralboot(config(lab, dhcp6), "-l");
            BootResult r = lab.boot(Firmware.BIOS_IPXE_ROM, mac, Duration.ofSeconds(240));
            Thread.sleep(500);
            System.err.println("IpxeIpv6BootIT " + dhcp6 + ": " + (r.bootedOs().isPresent() ? "marker" : "no marker")
                    + " after " + r.elapsed().toMillis() + " ms");
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), "the VM booted over IPv6:\n" + r.console());
            checks.check(new Run(r, lab.serverLogText(), Files.readString(cap)));
            lab.passed();
        }
    }

    /** The packets of a {@code tcpdump -tt -v} capture ({@link RouterAnswerBootIT#packets}) that contain {@code text}. */
    static List<String> captured(String capture, String text) {
        return RouterAnswerBootIT.packets(capture).stream().map(RouterAnswerBootIT.Packet::text)
                .filter(t -> t.contains(text)).toList();
    }

    /**
     * What every IPv6-only iPXE boot shows: the menu's default OS came up; its kernel and initrd
     * came over HTTP to the VM's IPv6 address; the VM sent DHCPv4 DISCOVERs (iPXE tries every
     * configurator) that nobody answered, and never had an IPv4 address.
     */
    static void bootedOverIpv6Only(Run run, String mac) {
        String log = run.log();
        String console = run.boot().console();
        assertTrue(console.contains("http://[2001:db8:e2::1]/boot.ipxe"), console);
        assertTrue(console.contains("http://[2001:db8:e2::1]/os/" + TestOs.OS1 + "/images/linux"), console);
        Matcher kernel = Pattern.compile("image " + TestOs.OS1 + " \\S*images/linux \\(\\d+ bytes\\) to (\\S+) \\("
                + Pattern.quote(mac) + "\\)").matcher(log);
        assertTrue(kernel.find(), "the kernel over HTTP, the machine named: " + log);
        assertTrue(kernel.group(1).startsWith("2001:db8:e2:"), "to the VM's IPv6 address: " + kernel.group(1));
        assertTrue(log.matches("(?s).*image " + TestOs.OS1 + " \\S*images/initrd-" + TestOs.OS1
                + "\\.gz \\(\\d+ bytes\\) to 2001:db8:e2:.*"), "the initrd over HTTP on IPv6: " + log);
        assertFalse(log.contains("refused:"), "the machine proved itself on every route: " + log);
        assertFalse(log.contains("dhcp OFFER"), "no DHCPv4 answer");
        List<String> ipv4 = captured(run.capture(), " IP (");
        assertFalse(ipv4.isEmpty(), "iPXE did try DHCPv4");
        for (String p : ipv4) {
            assertTrue(p.contains("0.0.0.0.68 > 255.255.255.255.67"), "only the VM's unanswered DHCPv4: " + p);
        }
    }

    @Test
    void statelessDhcpv6() throws Exception {
        String mac = "52:54:00:e2:06:11";
        boot("stateless", mac, run -> stateless(run, mac));
    }

    static void stateless(Run run, String mac) {
        bootedOverIpv6Only(run, mac);
        String log = run.log();
        assertTrue(log.contains("ndp: router advertisement (lifetime 0, M=0 O=1, prefix 2001:db8:e2::/64 L=1 A=1) to "
                + mac), log);
        assertTrue(log.contains("dhcp6 Reply (Information-request) to "), log);
        assertTrue(log.contains("(iPXE, http://[2001:db8:e2::1]/boot.ipxe)"), log);
        assertFalse(log.contains("dhcp6 Advertise") || log.contains("(Request)"), "stateless: no Solicit answered");
        // The advertisement as the VM received it, from the segment: O set, M clear, an A=1 prefix.
        List<String> ras = captured(run.capture(), "router advertisement");
        assertFalse(ras.isEmpty(), run.capture());
        for (String ra : ras) {
            assertTrue(ra.contains("> fe80::5054:ff:fee2:611: "), "unicast to the VM: " + ra);
            assertTrue(ra.contains("Flags [other stateful], pref medium, router lifetime 0s"), "O=1, M=0: " + ra);
            assertTrue(ra.contains("2001:db8:e2::/64, Flags [onlink, auto]"), "L=1, A=1: " + ra);
        }
        assertTrue(captured(run.capture(), "dhcp6 inf-req").size() > 0, "an Information-request on the wire");
        assertTrue(captured(run.capture(), "dhcp6 solicit").isEmpty(), "no Solicit");
    }

    /**
     * {@code [ipv6] dhcp = "full"}: the advertisement sets M (and O) with an L=1, A=0 prefix, so iPXE
     * runs stateful DHCPv6 (Solicit, Request) and boots from the pool address it was given.
     */
    @Test
    void fullDhcpv6() throws Exception {
        String mac = "52:54:00:e2:06:12";
        boot("full", mac, run -> {
            bootedOverIpv6Only(run, mac);
            String log = run.log();
            assertTrue(log.contains(AstralbootIpv6BootIT.advertisementTo(mac)), log);
            Matcher kernel = Pattern.compile("image " + TestOs.OS1 + " \\S*images/linux \\(\\d+ bytes\\) to (\\S+) ")
                    .matcher(log);
            assertTrue(kernel.find() && kernel.group(1).matches("2001:db8:e2:0:0:0:0:1[0-9a-f]{2}"),
                    "the kernel went to the pool address DHCPv6 gave: " + log);
            List<String> ras = captured(run.capture(), "router advertisement");
            assertFalse(ras.isEmpty(), run.capture());
            for (String ra : ras) {
                assertTrue(ra.contains("Flags [managed, other stateful], pref medium, router lifetime 0s"), "M=1: " + ra);
                assertTrue(ra.contains("2001:db8:e2::/64, Flags [onlink], "), "L=1, A=0: " + ra);
            }
            assertFalse(captured(run.capture(), "dhcp6 solicit").isEmpty(), "a Solicit on the wire");
            assertTrue(captured(run.capture(), "dhcp6 inf-req").isEmpty(), "full: no Information-request");
        });
    }
}

package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 §1 with real firmware: QEMU's iPXE option ROM (BIOS) boots through Astralboot, and a
 * packet capture on the segment times iPXE's {@code ifconf}. With the router-advertisement answer
 * on (the default), iPXE's IPv6 configurator gets its advertisement and the configuration ends
 * with DHCP: the first HTTP request follows the DHCP ACK within 2 s. With {@code [ipv6] answer_rs
 * = false} the same boot waits for IPv6 router discovery to give up, which the test measures as
 * the comparison (at least 5 s more).
 */
class RouterAnswerBootIT {
    static final String MAC = "52:54:00:16:01:01";
    /** tcpdump filter: DHCP, router solicitations and advertisements, TCP SYNs to the HTTP port, TFTP requests. */
    static final String FILTER = "udp port 67 or udp port 68 or (icmp6 and (ip6[40] == 133 or ip6[40] == 134))"
            + " or (tcp dst port 80 and tcp[tcpflags] & tcp-syn != 0) or udp dst port 69";

    /** One captured packet: capture time in seconds and its text (all of tcpdump -v's lines). */
    record Packet(double time, String text) {
    }

    /** What one boot showed: DHCP ACK, first advertisement to the VM (NaN: none), first HTTP SYN after the ACK. */
    record Timing(double ack, double advertisement, double httpSyn, String console) {
        double configuration() {
            return httpSyn - ack;
        }
    }

    static List<Packet> packets(String capture) {
        List<Packet> out = new ArrayList<>();
        StringBuilder cur = null;
        double t = 0;
        for (String line : capture.split("\n")) {
            if (line.matches("^\\d+\\.\\d+ .*")) {
                if (cur != null) {
                    out.add(new Packet(t, cur.toString()));
                }
                t = Double.parseDouble(line.substring(0, line.indexOf(' ')));
                cur = new StringBuilder(line);
            } else if (cur != null) {
                cur.append('\n').append(line);
            }
        }
        if (cur != null) {
            out.add(new Packet(t, cur.toString()));
        }
        return out;
    }

    Timing bootOnce(boolean answerRs) throws Exception {
        return bootOnce(Firmware.BIOS_IPXE_ROM, answerRs);
    }

    Timing bootOnce(Firmware fw, boolean answerRs) throws Exception {
        String name = "RouterAnswerBootIT-" + fw + "-" + (answerRs ? "on" : "off");
        try (BootLab lab = BootLab.create(name, "ra")) {
            Path cap = lab.work().resolve("capture.log");
            lab.netns().start(cap, "tcpdump", "-i", BootLab.IFACE, "-n", "-tt", "-l", "-v", FILTER);
            String toml = lab.config(TestOs.tree(), "full", TestOs.OS2, 1)
                    + (answerRs ? "" : "\n[ipv6]\nanswer_rs = false\n");
            lab.startAstralboot(toml, "-l");
            BootResult r = lab.boot(fw, MAC, Duration.ofSeconds(180));
            assertEquals(Optional.of(TestOs.OS2), r.bootedOs(), "the VM booted:\n" + r.console());
            Thread.sleep(500);
            List<Packet> ps = packets(Files.readString(cap));
            // The HTTP request that follows iPXE's configuration, and the DHCP ACK before it (UEFI: the
            // firmware's own DHCP and TFTP come first; iPXE's ACK is the last one before HTTP).
            double syn = ps.stream().filter(p -> p.text().contains("> " + BootLab.SERVER + ".80: Flags [S]"))
                    .mapToDouble(Packet::time).findFirst().orElseThrow(() -> new AssertionError("no HTTP request"));
            double ack = ps.stream().filter(p -> p.time() <= syn && p.text().contains("DHCP-Message (53), length 1: ACK"))
                    .mapToDouble(Packet::time).max().orElseThrow(() -> new AssertionError("no DHCP ACK captured"));
            double ra = ps.stream().filter(p -> p.text().contains("router advertisement"))
                    .mapToDouble(Packet::time).findFirst().orElse(Double.NaN);
            double first = ps.isEmpty() ? ack : ps.get(0).time();
            StringBuilder timeline = new StringBuilder();
            for (Packet p : ps) {
                String what = p.text().contains("DHCP-Message (53), length 1: ") ? "DHCP " + p.text().replaceAll(
                        "(?s).*DHCP-Message \\(53\\), length 1: (\\S+).*", "$1")
                        : p.text().contains("router solicitation") ? "RS" : p.text().contains("router advertisement") ? "RA"
                        : p.text().contains("Flags [S]") ? "HTTP SYN" : p.text().contains(".69: ") ? "TFTP" : null;
                if (what != null) {
                    timeline.append(String.format(" %.2f:%s", p.time() - first, what));
                }
            }
            System.err.println("RouterAnswerBootIT " + fw + " answer_rs=" + answerRs + " timeline (s from first packet):"
                    + timeline);
            long solicitations = ps.stream().filter(p -> p.text().contains("router solicitation")).count();
            System.err.printf("RouterAnswerBootIT %s answer_rs=%s: DHCP ACK -> first HTTP SYN %.2f s; advertisement %s;"
                    + " %d router solicitations; boot to marker %d ms%n", fw, answerRs, syn - ack,
                    Double.isNaN(ra) ? "none" : String.format("at ACK%+.2f s", ra - ack), solicitations,
                    r.elapsed().toMillis());
            String serverLog = lab.serverLogText();
            System.err.printf("RouterAnswerBootIT %s answer_rs=%s: advertisements %d, of them on a second look %d%n", fw,
                    answerRs, serverLog.split("ndp: router advertisement \\(").length - 1,
                    serverLog.split("\\(second look\\)").length - 1);
            lab.passed();
            return new Timing(ack, ra, syn, r.console());
        }
    }

    @Test
    void ipxeConfigurationEndsWithinTwoSecondsOfItsDhcpAck() throws Exception {
        Timing on = bootOnce(true);
        assertTrue(!Double.isNaN(on.advertisement()), "Astralboot answered iPXE's router solicitation");
        assertTrue(on.console().matches("(?s).*Configuring \\(net0 " + MAC + "\\)\\.* ok.*"), on.console());
        assertTrue(on.configuration() < 2.0, "iPXE configured within 2 s of its DHCP ACK: " + on.configuration() + " s");

        Timing off = bootOnce(false);
        assertTrue(Double.isNaN(off.advertisement()), "answer_rs = false: no advertisement");
        assertTrue(off.configuration() > on.configuration() + 5,
                "without the answer iPXE waits for IPv6: " + off.configuration() + " s vs " + on.configuration() + " s");
    }

    @Test
    void uefiIpxeConfigurationEndsWithinTwoSecondsOfItsDhcpAck() throws Exception {
        Timing on = bootOnce(Firmware.UEFI_FIRMWARE_PXE, true);
        assertTrue(!Double.isNaN(on.advertisement()), "Astralboot answered iPXE's router solicitation");
        assertTrue(on.configuration() < 2.0, "iPXE configured within 2 s of its DHCP ACK: " + on.configuration() + " s");
    }
}

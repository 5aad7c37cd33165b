package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first DHCP answer after {@code Astralboot ready} is about as fast as the later ones: a machine
 * that boots right after the server started must not wait for the DHCP path's class loading and
 * first compilation. Six DISCOVERs from six new clients, one after the other, the first sent right
 * after the ready line; each time is the client's, from its send to the OFFER. The bound is generous
 * (a loaded 2-core CI machine): first ≤ 3 × median of the next five + 80 ms. Before the warm-up the
 * first answer took 0.16-0.5 s and the later ones 11-14 ms (bound 113-122 ms: it failed every time);
 * after it, 30-38 ms here and 57 ms (median 17) in a CI run, whose first commit's fdatasync may be slower.
 */
class DhcpFirstAnswerIT {
    @TempDir
    Path dir;

    @Test
    void firstOfferAfterReadyIsNotLate() throws Exception {
        String sfx = DhcpItSupport.suffix();
        String sif = "abds" + sfx;
        String cif = "abdc" + sfx;
        try (Netns srv = Netns.create("abd"); Netns cli = Netns.create("abd")) {
            Netns.veth(srv, sif, "198.18.34.1/24", cli, cif, "198.18.34.250/24");
            cli.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", cif).check();
            DhcpItSupport.config(dir, sif, """
                    range_start = "198.18.34.10"
                    range_end = "198.18.34.100"
                    """);
            Path log = dir.resolve("server.log");
            DhcpItSupport.startServer(srv, dir, log);
            List<Long> ms = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                List<String> r = DhcpItSupport.probe(cli, "mac=52:54:00:34:00:%02x".formatted(i + 1), "wait=3000",
                        "timed=1");
                assertTrue(r.size() == 1 && r.get(0).startsWith("REPLY OFFER "), r.toString());
                String l = r.get(0);
                int at = l.indexOf(" ms=");
                ms.add(Long.parseLong(l.substring(at + 4, l.indexOf(' ', at + 4))));
            }
            List<Long> later = new ArrayList<>(ms.subList(1, 6));
            later.sort(null);
            long median = later.get(2);
            System.out.println("DhcpFirstAnswerIT: OFFER - DISCOVER in ms, first then the next five: " + ms);
            String text = java.nio.file.Files.readString(log);
            assertTrue(!text.contains(DhcpWarmUp.MAC.toString()), "the in-memory warm-up leaves no trace: " + text);
            assertTrue(ms.get(0) <= 3 * median + 80, "first answer " + ms.get(0) + " ms, median of the next five "
                    + median + " ms: " + ms);
        }
    }
}

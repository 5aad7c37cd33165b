package org.astralboot.dhcp;

import static org.astralboot.dhcp.DhcpItSupport.probe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interface safety: the server namespace has two links, A (configured) and B. A DISCOVER arriving on
 * B gets no reply and allocates nothing; the reply to A's client never shows up on B, even though
 * the server's default route points out of B.
 */
class DhcpInterfaceSafetyIT {
    @TempDir
    Path dir;

    @Test
    void answersOnlyOnTheConfiguredInterface() throws Exception {
        String sfx = DhcpItSupport.suffix();
        try (Netns srv = Netns.create("abd"); Netns a = Netns.create("abd"); Netns b = Netns.create("abd")) {
            Netns.veth(srv, "abdsa" + sfx, "198.18.18.1/24", a, "abdca" + sfx, "198.18.18.250/24");
            Netns.veth(srv, "abdsb" + sfx, "198.18.19.1/24", b, "abdcb" + sfx, "198.18.19.250/24");
            srv.run(Duration.ofSeconds(5), "ip", "route", "add", "default", "via", "198.18.19.250").check();
            a.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", "abdca" + sfx).check();
            b.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", "abdcb" + sfx).check();
            b.run(Duration.ofSeconds(5), "ip", "route", "add", "default", "via", "198.18.19.1").check();
            DhcpItSupport.config(dir, "abdsa" + sfx, """
                    range_start = "198.18.18.10"
                    range_end = "198.18.18.20"
                    """);
            Path log = dir.resolve("server.log");
            DhcpItSupport.startServer(srv, dir, log);

            // B broadcasts and also unicasts to the server's B-side address: silence.
            assertEquals(List.of("NONE"), probe(b, "mac=52:54:00:19:00:01", "wait=1500"));
            assertEquals(List.of("NONE"), probe(b, "mac=52:54:00:19:00:02", "dest=198.18.19.1", "wait=1500"));
            assertEquals(List.of("NONE"), probe(b, "mac=52:54:00:19:00:03", "dest=198.18.18.1", "wait=1500",
                    "arch=7", "vendor=PXEClient:Arch:00007:UNDI:003016"));

            // While B listens, A is served; nothing of it reaches B.
            Path bOut = dir.resolve("b.out");
            List<String> cmd = new ArrayList<>(List.of(Netns.javaBinary(), "-cp", System.getProperty("java.class.path"),
                    DhcpProbe.class.getName(), "mac=52:54:00:19:00:04", "wait=6000"));
            Process listener = b.start(bOut, cmd.toArray(String[]::new));
            Thread.sleep(1500); // the listener JVM binds port 68 within this time; its own DISCOVER goes unanswered anyway
            List<String> ra = probe(a, "mac=52:54:00:18:00:01", "wait=1500");
            assertEquals(1, ra.size(), ra.toString());
            // Nothing was allocated for B's clients: A gets the first pool address.
            assertTrue(ra.get(0).startsWith("REPLY OFFER from=198.18.18.1 port=67 yiaddr=198.18.18.10 "), ra.get(0));
            assertTrue(listener.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
            String bs = Files.readString(bOut);
            assertTrue(bs.contains("NONE") && !bs.contains("REPLY"), bs);
            String serverLog = Files.readString(log);
            assertTrue(!serverLog.contains("52:54:00:19:00"), serverLog);
        }
    }
}

package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload shedding ({@code dhcp.shed_backlog}): the same perfdhcp flood (relay mode, 8000
 * exchanges per second) against a server with a tiny backlog limit, which must drop DISCOVERs,
 * warn, and still complete exchanges, and against one with a limit it cannot reach, which must
 * not shed at all.
 */
class DhcpOverloadIT {
    /** perfdhcp's summary: the REQUEST-ACK statistics, then the ACKs it received. */
    private static final Pattern RECEIVED_ACKS =
            Pattern.compile("REQUEST-ACK.*?received packets: (\\d+)", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void aSmallBacklogLimitShedsDiscoversAndALargeOneDoesNot() throws Exception {
        Run tight = flood("tight", 16);
        assertTrue(tight.log.contains("dhcp overloaded"), "no shedding with shed_backlog = 16:\n" + tight.log);
        assertTrue(tight.acks > 50, "with shedding, exchanges must still complete: " + tight.acks + " ACKs");

        Run loose = flood("loose", 1_000_000);
        assertFalse(loose.log.contains("dhcp overloaded"), "shed although the limit cannot be reached:\n" + loose.log);
        assertTrue(loose.acks > 50, loose.acks + " ACKs");
    }

    private record Run(String log, int acks) {
    }

    private Run flood(String name, int shedBacklog) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        String sfx = DhcpItSupport.suffix();
        String sif = "abds" + sfx;
        String cif = "abdc" + sfx;
        try (Netns srv = Netns.create("abd"); Netns cli = Netns.create("abd")) {
            Netns.veth(srv, sif, "198.18.30.1/24", cli, cif, "198.18.30.2/24");
            DhcpItSupport.config(d, sif, """
                    range_start = "198.18.30.10"
                    range_end = "198.18.30.250"
                    lease_time = "1h"
                    shed_backlog = %d
                    """.formatted(shedBacklog));
            Path log = d.resolve("server.log");
            Process server = DhcpItSupport.startServer(srv, d, log);
            Path perfLog = d.resolve("perf.log");
            Process perf = cli.start(perfLog, "perfdhcp", "-4", "-l", cif, "-r", "8000", "-R", "200", "-p", "4",
                    "198.18.30.1");
            assertTrue(perf.waitFor(30, TimeUnit.SECONDS), "perfdhcp did not end");
            server.destroy(); // `ip netns exec` execs java: this is the server JVM itself
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "server did not stop on SIGTERM");
            String out = DhcpItSupport.read(perfLog);
            Matcher m = RECEIVED_ACKS.matcher(out);
            assertTrue(m.find(), "no REQUEST-ACK statistics from perfdhcp:\n" + out);
            return new Run(DhcpItSupport.read(log), Integer.parseInt(m.group(1)));
        }
    }
}

package org.astralboot.boot.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.astralboot.boot.BootDecision.Boot;
import org.astralboot.boot.MachineRequest;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A static boot's URLs: on the address family the machine asked over, the same files either way. */
class StaticPolicyTest {
    @Test
    void urlsFollowTheMachinesAddressFamily(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("vmlinuz"), "k");
        Files.writeString(dir.resolve("initrd"), "i");
        Files.writeString(dir.resolve("seed"), "s");
        FileUrls urls = new FileUrls(FileUrlsTest.KEY, ip -> ip.contains(":") ? "http://[2001:db8:17::1]:8080"
                : "http://192.0.2.1:8080");
        StaticPolicy p = new StaticPolicy("vmlinuz", List.of("initrd"), "ds={{ URL \"seed\" }} quiet", "hello", urls, dir);
        MacAddress m = MacAddress.parse("52:54:00:17:00:01");
        Boot v4 = (Boot) p.decide(new MachineRequest(m, "192.0.2.50", "", Optional.empty(), ""));
        Boot v6 = (Boot) p.decide(new MachineRequest(m, "2001:db8:17::100", "", Optional.empty(), ""));
        assertTrue(v4.kernel().startsWith("http://192.0.2.1:8080/file/") && v4.kernel().endsWith("/vmlinuz"), v4.kernel());
        assertTrue(v6.kernel().startsWith("http://[2001:db8:17::1]:8080/file/") && v6.kernel().endsWith("/vmlinuz"),
                v6.kernel());
        assertTrue(v6.initrds().get(0).startsWith("http://[2001:db8:17::1]:8080/file/"), v6.initrds().toString());
        assertTrue(v6.cmdline().startsWith("ds=http://[2001:db8:17::1]:8080/file/") && v6.cmdline().endsWith(" quiet"),
                v6.cmdline());
        String token = FileUrls.tokenOf(v6.kernel().substring(v6.kernel().indexOf("/file/") + 6));
        assertEquals(Optional.of(dir.resolve("vmlinuz").toRealPath().toUri().toString()), urls.verify(token));
        assertEquals("hello", v6.message());
        assertEquals(3, p.sources().size());
    }
}

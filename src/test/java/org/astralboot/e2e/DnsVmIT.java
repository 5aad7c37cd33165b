package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 with the booted test OS's own resolver: a BIOS VM boots the marker OS through
 * Astralboot (full DHCP, DNS on by default), then, as an installed system would, loads its NIC
 * driver, takes a lease with busybox udhcpc and resolves {@code astralboot.<domain>} and its own
 * host name through the DNS server the lease named (busybox nslookup, /etc/resolv.conf).
 */
class DnsVmIT {
    static final String MAC = "52:54:00:e2:17:01";
    static final Pattern DNS = Pattern.compile("ASTRALBOOT-E2E-DNS (\\S+) (\\S+) lease (\\S+)");

    @Test
    void theBootedOsResolvesTheServerAndItselfThroughAstralboot() throws Exception {
        try (BootLab lab = BootLab.create("DnsVmIT")) {
            // The shared test tree, with the marker OS asked to probe DNS after its marker.
            Path tree = TestOs.projectRoot().resolve("target/e2e-work/DnsVmIT-tree");
            BootLab.deleteTree(tree);
            try (Stream<Path> all = Files.walk(TestOs.tree())) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    Path to = tree.resolve(TestOs.tree().relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Path osToml = tree.resolve("boot/" + TestOs.OS1 + "/os.toml");
            Files.writeString(osToml, Files.readString(osToml).replace("e2eos=" + TestOs.OS1 + "\"",
                    "e2eos=" + TestOs.OS1 + " e2e.dns\""));
            assertTrue(Files.readString(osToml).contains(" e2e.dns\""), Files.readString(osToml));

            lab.startAstralboot(lab.config(tree, "full", TestOs.OS1, 1), "-l");
            BootResult r = lab.bootUntil(Firmware.BIOS_IPXE_ROM, MAC, Duration.ofSeconds(240), "ASTRALBOOT-E2E-DNS done");
            assertEquals(Optional.of(TestOs.OS1), r.bootedOs(), r.console());
            List<String[]> answers = DNS.matcher(r.console()).results()
                    .map(m -> new String[] {m.group(1), m.group(2), m.group(3)}).toList();
            answers.forEach(a -> System.err.println("DnsVmIT: the VM resolved " + a[0] + " to " + a[1] + " (its lease " + a[2] + ")"));
            assertEquals(2, answers.size(), r.console());
            String leased = answers.get(0)[2];
            assertTrue(leased.startsWith("192.0.2."), r.console());
            assertEquals("astralboot.e2e.test", answers.get(0)[0]);
            assertEquals(BootLab.SERVER, answers.get(0)[1], "the server's name");
            assertTrue(answers.get(1)[0].matches("node\\d+\\.e2e\\.test"), answers.get(1)[0]);
            assertEquals(leased, answers.get(1)[1], "the machine's own name resolves to its lease");
            lab.passed();
        }
    }
}

package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;

/**
 * Case 3: case 1 with the boot tree served from a real IPFS node ({@code scripts/ipfs-node}, Kubo) instead of the local folder: the test adds the test OS tree to the node,
 * names its CID as {@code boot} in refs.toml and serves without {@code -l}. Then {@code astralboot
 * precache} fills the cache, the node is stopped, and the machine must still boot from the cache.
 *
 * <p>The node runs inside the test's namespace on its loopback (as Astralboot does), so it is
 * reachable only from there. After each boot the test scrapes {@code /metrics} from the admin
 * listener (its default, the namespace's loopback): the first boot's files are cache misses
 * fetched from the node, which is up; the second boot's are cache hits with the node down.
 */
class AstralbootIpfsBootIT {
    static final String MAC = "52:54:00:e2:03:01";
    static final int API_PORT = 5131;

    /** {@code /api/v1/status} of the running server's admin listener, from inside the namespace. */
    private static com.fasterxml.jackson.databind.JsonNode status(BootLab lab) throws Exception {
        Netns.Result r = lab.netns().run(Duration.ofSeconds(20), "curl", "-s", "-f", "http://127.0.0.1:9080/api/v1/status");
        assertEquals(0, r.code(), r.out());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    }

    /** {@code /metrics} of the running server's admin listener, from inside the namespace. */
    private static String metrics(BootLab lab) throws Exception {
        Netns.Result r = lab.netns().run(Duration.ofSeconds(20), "curl", "-s", "-f", "http://127.0.0.1:9080/metrics");
        assertEquals(0, r.code(), r.out());
        return r.out();
    }

    @Test
    void biosBootsFromIpfsNodeThenFromPrecacheWithNodeStopped() throws Exception {
        Path root = TestOs.projectRoot();
        String ipfsNode = root.resolve("scripts/ipfs-node").toString();
        Netns.sh(Duration.ofMinutes(20), ipfsNode, "install").check(); // a first install builds Kubo
        try (BootLab lab = BootLab.create("AstralbootIpfsBootIT")) {
            Path repo = lab.work().resolve("ipfs-repo");
            lab.netns().run(Duration.ofMinutes(3), ipfsNode, "start", "--port", Integer.toString(API_PORT), "--repo",
                    repo.toString()).check();
            try {
                // Only tftp/ and boot/ (hard links), as an operator would publish a boot tree.
                Path publish = lab.work().resolve("publish");
                Files.createDirectories(publish);
                for (String d : new String[] {"tftp", "boot"}) {
                    Netns.sh(Duration.ofSeconds(30), "cp", "-al", TestOs.tree().resolve(d).toString(),
                            publish.resolve(d).toString()).check();
                }
                String kubo = Netns.sh(Duration.ofSeconds(10), root.resolve("scripts/go-tools").toString(), "path",
                        "kubo").check().out().trim();
                String cid = lab.netns().run(Duration.ofMinutes(3), "env", "IPFS_PATH=" + repo, kubo, "add", "-r", "-Q",
                        publish.toString()).check().out().trim();
                cid = cid.lines().reduce((a, b) -> b).orElseThrow().trim();
                Path refs = lab.work().resolve("refs.toml");
                Files.writeString(refs, "boot = \"" + cid + "\"\n");
                String cfg = lab.config(TestOs.tree(), "full", TestOs.OS1, 1)
                        .replace("ipfs = false\n", "ipfs = true\nipfs_api = \"http://127.0.0.1:" + API_PORT
                                + "\"\nrefs = \"" + refs + "\"\n");

                lab.startAstralboot(cfg);
                BootResult fromNode = lab.boot(Firmware.BIOS_IPXE_ROM, MAC, Duration.ofSeconds(180));
                assertEquals(Optional.of(TestOs.OS1), fromNode.bootedOs(), "booted from the IPFS tree " + cid);
                System.err.println("Astralboot BIOS boot from IPFS: " + fromNode.elapsed().toMillis() + " ms");
                String m = metrics(lab);
                double fetches = AdminBootIT.metric(m, "astralboot_ipfs_fetches_total");
                assertTrue(fetches >= 2, "kernel and initrd fetched from the node\n" + m);
                assertTrue(AdminBootIT.metric(m, "astralboot_ipfs_cache_misses_total") >= fetches, m);
                assertEquals(1, AdminBootIT.metric(m, "astralboot_ipfs_node_up"), m);
                assertTrue(AdminBootIT.metric(m, "astralboot_ipfs_cache_bytes") > 1_000_000, m);
                assertTrue(AdminBootIT.metric(m, "astralboot_ipfs_cache_limit_bytes") > 0, m);
                assertEquals(0, AdminBootIT.metric(m, "astralboot_ipfs_verification_failures_total"), m);
                assertEquals(0, AdminBootIT.metric(m, "astralboot_ipfs_cache_evictions_total"), m);
                assertEquals(0, AdminBootIT.metric(m, "astralboot_ipfs_cache_corruptions_total"), m);
                assertEquals(1, AdminBootIT.metric(m, "astralboot_boots_completed_total{firmware=\"bios\",source=\"menu\"}"), m);
                // The status page's IPFS cards read the same figures from the status API.
                com.fasterxml.jackson.databind.JsonNode st = status(lab);
                assertTrue(st.path("ipfs_node").path("up").asBoolean(false), st.toString());
                assertEquals("http://127.0.0.1:" + API_PORT, st.path("ipfs_node").path("api").asText().replaceAll("/+$", ""),
                        st.toString());
                assertEquals((long) fetches, st.path("ipfs_fetches").asLong(), st.toString());
                assertTrue(st.path("cache_bytes").asLong() > 1_000_000 && st.path("cache_max_bytes").asLong() > 0
                        && st.has("cache_hits") && st.has("cache_misses") && st.has("cache_evictions"), st.toString());

                lab.stopAstralboot();
                assertEquals(0, lab.runAstralboot(Duration.ofMinutes(3), "precache", "-c",
                        lab.work().resolve("config.toml").toString()), "astralboot precache");
                lab.netns().run(Duration.ofSeconds(30), ipfsNode, "stop", "--repo", repo.toString()).check();
                // The node is really gone: its API no longer answers.
                assertTrue(lab.netns().run(Duration.ofSeconds(10), "busybox", "wget", "-q", "-O", "/dev/null",
                        "http://127.0.0.1:" + API_PORT + "/api/v0/version").code() != 0, "IPFS node stopped");

                lab.startAstralboot(cfg);
                BootResult fromCache = lab.boot(Firmware.BIOS_IPXE_ROM, "52:54:00:e2:03:02", Duration.ofSeconds(180));
                assertEquals(Optional.of(TestOs.OS1), fromCache.bootedOs(), "booted from the cache, node stopped");
                System.err.println("Astralboot BIOS boot from cache: " + fromCache.elapsed().toMillis() + " ms");
                m = metrics(lab);
                assertTrue(AdminBootIT.metric(m, "astralboot_ipfs_cache_hits_total") >= 2, "kernel and initrd from the cache\n" + m);
                assertEquals(0, AdminBootIT.metric(m, "astralboot_ipfs_fetches_total"), m);
                assertEquals(0, AdminBootIT.metric(m, "astralboot_ipfs_node_up"), "the node is stopped\n" + m);
                st = status(lab);
                assertTrue(!st.path("ipfs_node").path("up").asBoolean(true), st.toString());
                assertTrue(st.path("cache_hits").asLong() >= 2, st.toString());
                System.err.println("AstralbootIpfsBootIT metrics from the cache: " + m.lines()
                        .filter(l -> l.startsWith("astralboot_ipfs_")).toList());
                lab.passed();
            } finally {
                lab.netns().run(Duration.ofSeconds(30), ipfsNode, "stop", "--repo", repo.toString());
            }
        }
    }
}

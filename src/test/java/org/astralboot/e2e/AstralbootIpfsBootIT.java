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
 * reachable only from there.
 */
class AstralbootIpfsBootIT {
    static final String MAC = "52:54:00:e2:03:01";
    static final int API_PORT = 5131;

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
                lab.passed();
            } finally {
                lab.netns().run(Duration.ofSeconds(30), ipfsNode, "stop", "--repo", repo.toString());
            }
        }
    }
}

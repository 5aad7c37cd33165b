package org.astralboot.ipfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseLockedException;
import org.astralboot.ipfs.cache.CacheIndex;
import org.astralboot.ipfs.cache.Hashes;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;

/**
 * What {@code astralboot verify} does: recomputes the CID of every cached file with the node's
 * {@code add --only-hash}, using the parameters the CID implies (CIDv0: 256 KiB chunks, no raw
 * leaves; CIDv1: raw leaves), and removes the files whose content does not match. A file whose
 * CID cannot be reproduced that way (a tree added with other parameters) is compared with the
 * node's own content instead. Fails when a mismatch was found (and removed) or the node could
 * not be asked.
 */
public final class Verify {
    private Verify() {
    }

    /**
     * Verifies the cache of {@code cfg} through the node at its {@code ipfs_api}; a line per
     * problem and a summary to {@code out}, why it could not run to {@code err}.
     *
     * @return whether every cached file was checked and matched
     */
    public static boolean run(Config cfg, PrintStream out, PrintStream err) throws IOException {
        KuboClient client = new KuboClient(cfg.ipfsApi(), Duration.ofSeconds(3), Duration.ofMinutes(10),
                Duration.ofMinutes(2));
        try (Database db = Database.open(cfg.database())) {
            return run(client, new CacheIndex(db), cfg.cache().toAbsolutePath(), out);
        } catch (DatabaseLockedException e) {
            err.println("astralboot verify: " + e.getMessage() + " (stop the server first)");
            return false;
        }
    }

    static boolean run(KuboClient client, CacheIndex index, Path dir, PrintStream out) {
        int ok = 0;
        int bad = 0;
        int unchecked = 0;
        for (Map.Entry<String, CacheIndex.Blob> e : new TreeMap<>(index.blobs()).entrySet()) {
            String cid = e.getKey();
            CacheIndex.Blob b = e.getValue();
            if (b.state() != CacheIndex.State.COMPLETE) {
                continue;
            }
            Path f = dir.resolve(cid);
            try {
                if (!Files.isRegularFile(f)) {
                    index.removeBlob(cid);
                    out.println("verify: " + cid + ": missing from the cache folder, forgotten");
                    continue;
                }
                if (Files.size(f) != b.size()) {
                    remove(index, f, cid, "length " + Files.size(f) + ", expected " + b.size(), out);
                    bad++;
                    continue;
                }
                List<KuboClient.Added> a = client.add(f, KuboClient.AddOptions.forCid(cid));
                String got = a.get(a.size() - 1).hash();
                if (got.equals(cid)) {
                    ok++;
                    continue;
                }
                // Not reproducible with the default parameters: ask the node for the content itself.
                String local = Hashes.sha256(f);
                String remote;
                try (InputStream in = client.cat(cid, 0, b.size())) {
                    remote = Hashes.sha256(in);
                }
                if (local.equals(remote)) {
                    ok++;
                    out.println("verify: " + cid + ": ok (added with non-default parameters; checked against the node)");
                } else {
                    remove(index, f, cid, "content hashes to " + got, out);
                    bad++;
                }
            } catch (KuboException ex) {
                if (ex.unreachable()) {
                    out.println("verify: IPFS node unreachable: " + ex.getMessage());
                    index.commit();
                    return false;
                }
                unchecked++;
                out.println("verify: " + cid + ": cannot check: " + ex.getMessage());
            } catch (IOException ex) {
                unchecked++;
                out.println("verify: " + cid + ": cannot read: " + ex.getMessage());
            }
        }
        index.commit();
        out.printf("verify: %d ok, %d mismatches removed, %d not checked%n", ok, bad, unchecked);
        return bad == 0 && unchecked == 0;
    }

    private static void remove(CacheIndex index, Path f, String cid, String why, PrintStream out) throws IOException {
        Files.deleteIfExists(f);
        index.removeBlob(cid);
        out.println("verify: MISMATCH " + cid + ": " + why + "; removed from the cache");
    }
}

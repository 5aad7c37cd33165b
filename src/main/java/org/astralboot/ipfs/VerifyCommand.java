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
import java.util.concurrent.Callable;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseLockedException;
import org.astralboot.ipfs.cache.CacheIndex;
import org.astralboot.ipfs.cache.Hashes;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code astralboot verify}: recomputes the CID of every cached file with the node's
 * {@code add --only-hash}, using the parameters the CID implies (CIDv0: 256 KiB chunks, no raw
 * leaves; CIDv1: raw leaves), and removes the files whose content does not match. A file whose
 * CID cannot be reproduced that way (a tree added with other parameters) is compared with the
 * node's own content instead. Exits 1 when a mismatch was found (and removed) or the node could
 * not be asked.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Re-check every cached file against its CID; remove and report mismatches.")
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    CommandSupport common = new CommandSupport();

    @Override
    public Integer call() throws Exception {
        return common.withConfig(this::call);
    }

    private int call(Config cfg) throws Exception {
        KuboClient client = new KuboClient(cfg.ipfsApi(), Duration.ofSeconds(3), Duration.ofMinutes(10),
                Duration.ofMinutes(2));
        try (Database db = Database.open(cfg.database())) {
            return run(client, new CacheIndex(db), cfg.cache().toAbsolutePath(), System.out);
        } catch (DatabaseLockedException e) {
            System.err.println("astralboot verify: " + e.getMessage() + " (stop the server first)");
            return CommandSupport.FAILURE;
        }
    }

    static int run(KuboClient client, CacheIndex index, Path dir, PrintStream out) {
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
                    return CommandSupport.FAILURE;
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
        return bad == 0 && unchecked == 0 ? 0 : CommandSupport.FAILURE;
    }

    private static void remove(CacheIndex index, Path f, String cid, String why, PrintStream out) throws IOException {
        Files.deleteIfExists(f);
        index.removeBlob(cid);
        out.println("verify: MISMATCH " + cid + ": " + why + "; removed from the cache");
    }
}

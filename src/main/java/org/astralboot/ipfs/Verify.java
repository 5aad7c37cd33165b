package org.astralboot.ipfs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseLockedException;
import org.astralboot.ipfs.cache.CacheIndex;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.ipfs.kubo.VerifiedSource;
import org.astralboot.ipfs.verify.CachedFileCheck;
import org.astralboot.ipfs.verify.Cid;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.ipfs.verify.VerifiedFileReader;

/**
 * What {@code astralboot verify} does: checks every cached file against its CID with the project's
 * own verifier ({@link CachedFileCheck}), not by asking the node: the file's inner DAG blocks are
 * fetched singly ({@code block/get}, or {@code ?format=raw} from {@code ipfs_gateway}) and each
 * verified against the CID that links it, then every leaf is compared with the cached bytes it
 * covers (a raw leaf by hashing them: nothing fetched; a dag-pb leaf against its verified block).
 * A file whose bytes differ is removed. A block from the node that does not verify leaves the file
 * unchecked (the node is at fault, not the cache) and is reported naming the block. Fails when a
 * mismatch was found (and removed), a file could not be checked, or the node could not be asked.
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
        VerifiedSource source = VerifiedSource.of(client, cfg.ipfsGateway());
        try (Database db = Database.open(cfg.database())) {
            return run(source::block, new CacheIndex(db), cfg.cache().toAbsolutePath(), out);
        } catch (DatabaseLockedException e) {
            err.println("astralboot verify: " + e.getMessage() + " (stop the server first)");
            return false;
        }
    }

    static boolean run(VerifiedFileReader.BlockSource blocks, CacheIndex index, Path dir, PrintStream out) {
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
                Cid c;
                try {
                    c = Cid.parse(cid);
                } catch (IllegalArgumentException ex) {
                    unchecked++;
                    out.println("verify: " + cid + ": cannot check: " + ex.getMessage());
                    continue;
                }
                Optional<CachedFileCheck.Mismatch> m;
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    m = CachedFileCheck.check(c, ch, blocks);
                }
                if (m.isEmpty()) {
                    ok++;
                } else {
                    remove(index, f, cid, "content hashes to something else: " + m.get(), out);
                    bad++;
                }
            } catch (VerificationException ex) {
                unchecked++;
                out.println("verify: " + cid + ": cannot check: a block from the node does not verify: " + ex.getMessage());
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

package org.astralboot.ipfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.astralboot.db.Database;
import org.astralboot.db.SlowCommits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.Serializer;

/**
 * Listings taken unverified from the node's {@code ls} by earlier versions ({@code ipfs.dirs}) are
 * dropped when the index opens, so a listing a node once forged is not trusted for ever; verified
 * listings survive a reopen. The lookups of every request (a file's cache entry, a path's last
 * resolution) do not wait for a commit in progress, and what is written reaches the database.
 */
class CacheIndexTest {
    @TempDir
    Path tmp;

    @Test
    void unverifiedListingsOfEarlierVersionsAreDroppedVerifiedOnesKept() throws Exception {
        String dir = "QmQU8kdrWDSHitUdEvS4cavqWBoRR5hm9VA7giyheM7AtN";
        List<CacheIndex.Link> links = List.of(new CacheIndex.Link("vmlinuz", "QmZLRFWaz9Kypt2ACNMDzA5uzACDRiCqwdkNSP1UZsu56D", 3,
                false));
        try (Database db = Database.open(tmp.resolve("db"))) {
            // As an earlier version stored it, from ls.
            db.db().hashMap("ipfs.dirs", Serializer.STRING, Serializer.STRING).createOrOpen()
                    .put(dir, "[{\"name\":\"vmlinuz\",\"cid\":\"QmForged\",\"size\":3,\"dir\":false}]");
            db.commit();
        }
        try (Database db = Database.open(tmp.resolve("db"))) {
            CacheIndex index = new CacheIndex(db);
            assertEquals(Optional.empty(), index.dir(dir), "the unverified listing is not used");
            assertTrue(db.db().hashMap("ipfs.dirs", Serializer.STRING, Serializer.STRING).open().isEmpty(),
                    "and is removed");
            index.putDir(dir, links);
            index.commit();
        }
        try (Database db = Database.open(tmp.resolve("db"))) {
            assertEquals(Optional.of(links), new CacheIndex(db).dir(dir), "verified listings are kept");
        }
    }

    @Test
    void lookupsOfARequestDoNotWaitForACommitInProgress() throws Exception {
        String cid = "QmZLRFWaz9Kypt2ACNMDzA5uzACDRiCqwdkNSP1UZsu56D";
        CacheIndex.Blob blob = new CacheIndex.Blob(3, CacheIndex.State.COMPLETE, 1, null, 2, 1, "0a0b0c0d");
        CacheIndex.PathEntry entry = new CacheIndex.PathEntry(cid, 3);
        SlowCommits[] slow = new SlowCommits[1];
        try (Database db = SlowCommits.open(tmp.resolve("db"), slow)) {
            CacheIndex index = new CacheIndex(db);
            index.putBlob(cid, blob);
            index.putPath("tftp/a", entry);
            index.commit();
            // A new path, as a cold request records it: its commit starts on the commit thread
            // and stays in its fdatasync for 3 s (a busy disk; 0.16-1.23 s measured on the VM).
            slow[0].delay(3000);
            index.putPath("tftp/b", entry);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!slow[0].forcing() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(slow[0].forcing(), "the commit is in its fdatasync");
            long t0 = System.nanoTime();
            assertEquals(Optional.of(blob), index.blob(cid));
            assertEquals(Optional.of(entry), index.path("tftp/a"));
            assertEquals(Optional.of(entry), index.path("tftp/b"), "written before the commit, read back at once");
            index.putPath("tftp/a", entry); // unchanged: compared, not written
            assertEquals(List.of(cid), List.copyOf(index.blobs().keySet()));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(slow[0].forcing(), "still committing: the lookups above did not wait for it");
            assertTrue(ms < 1000, "lookups took " + ms + " ms");
            slow[0].delay(0);
            index.commit();
        }
        try (Database db = Database.open(tmp.resolve("db"))) {
            CacheIndex index = new CacheIndex(db);
            assertEquals(Optional.of(blob), index.blob(cid), "written through to the database");
            assertEquals(Optional.of(entry), index.path("tftp/b"));
        }
    }
}

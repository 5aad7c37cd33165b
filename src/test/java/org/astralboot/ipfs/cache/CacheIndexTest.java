package org.astralboot.ipfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.astralboot.db.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.Serializer;

/**
 * Listings taken unverified from the node's {@code ls} by earlier versions ({@code ipfs.dirs}) are
 * dropped when the index opens, so a listing a node once forged is not trusted for ever; verified
 * listings survive a reopen.
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
}

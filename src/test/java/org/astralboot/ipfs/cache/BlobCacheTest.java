package org.astralboot.ipfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.astralboot.db.Database;
import org.astralboot.ipfs.TestTrees;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache's integrity check without a node: files already in the cache folder with their index
 * entries, as a previous run left them. A truncated or altered file is never offered (and is
 * removed, so the store fetches it again); entries from builds that recorded a sha256 are checked
 * against it once and move to CRC32C.
 */
class BlobCacheTest {
    private static final String CID = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
    private static final int SIZE = 3 * 256 * 1024 + 12345; // several read buffers, not a multiple

    @TempDir
    Path tmp;

    private final byte[] content = new byte[SIZE];

    BlobCacheTest() {
        new Random(42).nextBytes(content);
    }

    /** A client for a port nothing listens on: these tests must never reach a node. */
    private static KuboClient offline() {
        return new KuboClient(URI.create("http://127.0.0.1:9"), Duration.ofMillis(200), Duration.ofMillis(200),
                Duration.ofMillis(200));
    }

    private Path cacheDir() {
        return tmp.resolve("cache");
    }

    /** Writes the cache file and its index entry ({@code crc} or {@code sha} set) as a finished download would. */
    private void seed(Database db, String crc, String sha) throws IOException {
        Files.createDirectories(cacheDir());
        Path f = cacheDir().resolve(CID);
        Files.write(f, content);
        long mtime = Files.getLastModifiedTime(f).to(TimeUnit.MICROSECONDS);
        long now = System.currentTimeMillis();
        CacheIndex index = new CacheIndex(db);
        index.putBlob(CID, new CacheIndex.Blob(SIZE, CacheIndex.State.COMPLETE, now, sha, mtime, now, crc));
        index.commit();
    }

    private BlobCache open(Database db) throws IOException {
        return new BlobCache(cacheDir(), 1L << 30, new CacheIndex(db), offline(),
                new NodeHealth(URI.create("http://127.0.0.1:9/"), 1000));
    }

    private String crcOf(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return String.format("%08x", c.getValue());
    }

    private static String shaOf(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void crc32cOfAFileMatchesTheJdksOverAllItsBytes() throws Exception {
        Path f = tmp.resolve("f");
        Files.write(f, content);
        assertEquals(crcOf(content), Hashes.crc32c(f));
        String[] both = Hashes.sha256AndCrc32c(f);
        assertEquals(shaOf(content), both[0]);
        assertEquals(crcOf(content), both[1]);
        Files.write(f, new byte[0]);
        assertEquals("00000000", Hashes.crc32c(f));
    }

    @Test
    void anIntactFileIsOfferedAndOneFlippedBitIsNot() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            seed(db, crcOf(content), null);
            try (BlobCache c = open(db)) {
                assertEquals(Optional.of(cacheDir().resolve(CID)), c.cached(CID, SIZE));
                assertEquals(0, c.corruptions());
            }
            // Altered with its mtime put back, found at the first use in a new process.
            TestTrees.flipByte(cacheDir().resolve(CID), SIZE - 1, 0x01, true);
            try (BlobCache c = open(db)) {
                assertTrue(c.cached(CID, SIZE).isEmpty(), "an altered file is never offered");
                assertEquals(1, c.corruptions());
                assertFalse(Files.exists(cacheDir().resolve(CID)), "removed, so it is fetched again");
                assertTrue(new CacheIndex(db).blob(CID).isEmpty(), "forgotten by the index");
            }
        }
    }

    @Test
    void aChangeWhileRunningIsFoundThroughTheNewMtime() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            seed(db, crcOf(content), null);
            try (BlobCache c = open(db)) {
                assertTrue(c.cached(CID, SIZE).isPresent());
                Path f = cacheDir().resolve(CID);
                TestTrees.flipByte(f, 1000, 0x01, false);
                Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
                assertTrue(c.cached(CID, SIZE).isEmpty());
                assertEquals(1, c.corruptions());
            }
        }
    }

    @Test
    void aTruncatedFileIsNeverOffered() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            seed(db, crcOf(content), null);
            try (RandomAccessFile r = new RandomAccessFile(cacheDir().resolve(CID).toFile(), "rw")) {
                r.setLength(SIZE - 1);
            }
            try (BlobCache c = open(db)) {
                assertTrue(c.cached(CID, SIZE).isEmpty());
                assertEquals(1, c.corruptions());
                assertFalse(Files.exists(cacheDir().resolve(CID)));
            }
        }
    }

    @Test
    void anEntryWithTheWrongChecksumIsRefusedEvenWhenTheLengthIsRight() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            byte[] other = content.clone();
            other[7] ^= 0x40;
            seed(db, crcOf(other), null);
            try (BlobCache c = open(db)) {
                assertTrue(c.cached(CID, SIZE).isEmpty());
                assertEquals(1, c.corruptions());
            }
        }
    }

    @Test
    void aSha256EntryFromAnEarlierBuildIsCheckedOnceAndMovesToCrc32c() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            seed(db, null, shaOf(content));
            try (BlobCache c = open(db)) {
                assertTrue(c.cached(CID, SIZE).isPresent(), "intact by its sha256");
                assertEquals(0, c.corruptions());
            }
            CacheIndex.Blob b = new CacheIndex(db).blob(CID).orElseThrow();
            assertEquals(crcOf(content), b.crc32c());
            assertNull(b.sha256(), "the legacy digest is dropped once migrated");
            // From now on the CRC32C guards it: a flipped bit (mtime kept) is still caught.
            TestTrees.flipByte(cacheDir().resolve(CID), 0, 0x01, true);
            try (BlobCache c = open(db)) {
                assertTrue(c.cached(CID, SIZE).isEmpty());
                assertEquals(1, c.corruptions());
            }
        }
    }

    @Test
    void aSha256EntryThatNoLongerMatchesIsRefused() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            seed(db, null, shaOf(content));
            TestTrees.flipByte(cacheDir().resolve(CID), 4242, 0x01, true);
            try (BlobCache c = open(db)) {
                assertTrue(c.cached(CID, SIZE).isEmpty());
                assertEquals(1, c.corruptions());
                assertFalse(Files.exists(cacheDir().resolve(CID)));
            }
        }
    }

    @Test
    void anEntryWithNoChecksumAtAllIsRefused() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            seed(db, null, null);
            try (BlobCache c = open(db)) {
                assertTrue(c.cached(CID, SIZE).isEmpty());
                assertEquals(1, c.corruptions());
            }
        }
    }

    @Test
    void oldJsonWithoutTheCrcFieldStillReads() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            var raw = db.db().hashMap("ipfs.blobs", org.mapdb.Serializer.STRING, org.mapdb.Serializer.STRING)
                    .createOrOpen();
            raw.put(CID, "{\"size\":5,\"state\":\"COMPLETE\",\"lastUse\":1,\"sha256\":\"ab\",\"mtime\":2,\"added\":3}");
            CacheIndex.Blob b = new CacheIndex(db).blob(CID).orElseThrow();
            assertEquals(5, b.size());
            assertEquals("ab", b.sha256());
            assertNull(b.crc32c());
            assertNotNull(b.withCrc32c("01020304").crc32c());
        }
    }
}

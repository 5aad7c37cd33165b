package org.astralboot.ipfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.astralboot.db.Database;
import org.astralboot.ipfs.kubo.ChannelStream;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.astralboot.ipfs.verify.VerificationException;
import org.astralboot.store.BootStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache's counters for the metrics: a read from a complete cache file is a hit, a read that
 * needs the node (a download started or joined, a range) a miss, counted once per read; files
 * evicted to stay within the limit; content refused because it does not verify.
 */
class CacheCountersTest {
    private static final int SIZE = 300_000;
    private static final String A = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
    private static final String B = "QmZTR5bcpQD7cFgTorqxZDYaew1Wqgfbd2ud9QqGPAkK2V";
    private static final String C = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn";
    private static final String FORGED = "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n";

    @TempDir
    Path tmp;

    /**
     * Serves each CID's bytes at once, except {@link #B}'s, which wait for {@link #releaseB};
     * {@link #FORGED} fails verification.
     */
    private static final class Node implements Source {
        final Map<String, byte[]> files;
        final AtomicInteger opened = new AtomicInteger();
        final java.util.concurrent.CountDownLatch releaseB = new java.util.concurrent.CountDownLatch(1);

        Node(Map<String, byte[]> files) {
            this.files = files;
        }

        @Override
        public ChannelStream open(String cid, long size, long offset, long length) throws IOException {
            opened.incrementAndGet();
            if (cid.equals(FORGED)) {
                throw new VerificationException(cid, VerificationException.Kind.ALTERED, "hash mismatch (test)");
            }
            ByteBuffer b = ByteBuffer.wrap(files.get(cid), (int) offset, (int) length);
            boolean gated = cid.equals(B);
            return new ChannelStream() {
                @Override
                public int read(ByteBuffer dst) throws IOException {
                    if (gated) {
                        try {
                            releaseB.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    if (!b.hasRemaining()) {
                        return -1;
                    }
                    int n = Math.min(dst.remaining(), b.remaining());
                    ByteBuffer slice = b.slice(b.position(), n);
                    dst.put(slice);
                    b.position(b.position() + n);
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static byte[] random(int seed) {
        byte[] b = new byte[SIZE];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static void awaitTotal(BlobCache c, long atLeast) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (c.totalBytes() < atLeast && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertTrue(c.totalBytes() >= atLeast, "cache holds " + c.totalBytes());
    }

    @Test
    void hitsMissesEvictionsAndRefusedContentAreCounted() throws Exception {
        byte[] a = random(1);
        byte[] b = random(2);
        byte[] c = random(3);
        Node node = new Node(Map.of(A, a, B, b, C, c, FORGED, new byte[SIZE]));
        try (Database db = Database.open(tmp.resolve("db"));
                BlobCache cache = new BlobCache(tmp.resolve("cache"), SIZE * 5L / 2, new CacheIndex(db), node,
                        new NodeHealth(URI.create("http://127.0.0.1:9/"), 1000))) {
            assertTrue(cache.cached(A, SIZE).isEmpty(), "not cached yet");
            assertEquals(0, cache.hits() + cache.misses(), "a look that finds nothing is no read");

            assertArrayEquals(a, readAll(cache.open(A, SIZE, 0, SIZE, "a")));
            assertEquals(1, cache.misses());
            awaitTotal(cache, SIZE);
            Thread.sleep(5);
            assertArrayEquals(a, readAll(cache.open(A, SIZE, 0, SIZE, "a")));
            assertTrue(cache.cached(A, SIZE).isPresent());
            assertTrue(cache.openGrowing(A, SIZE, 0, SIZE, "a").isEmpty(), "cached: the caller reads the file");
            assertEquals(2, cache.hits(), "the open and the look, not the growing-file probe");
            assertEquals(1, cache.misses());
            assertEquals(1, cache.fetches());

            Thread.sleep(5);
            // B's download is held open, so this read joins it as it grows (a miss).
            var growing = cache.openGrowing(B, SIZE, 0, SIZE, "b");
            assertTrue(growing.isPresent());
            growing.get().close();
            node.releaseB.countDown();
            awaitTotal(cache, 2L * SIZE);
            Thread.sleep(5);
            assertArrayEquals(c, readAll(cache.open(C, SIZE, 0, SIZE, "c")));
            assertEquals(3, cache.misses());
            assertEquals(3, cache.fetches());
            // Three files in a cache for two and a half: the least recently used one went.
            long end = System.nanoTime() + 10_000_000_000L;
            while (cache.evictions() == 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(1, cache.evictions());
            assertTrue(cache.totalBytes() <= SIZE * 5L / 2, "within the limit: " + cache.totalBytes());

            assertTrue(cache.cached(A, SIZE).isEmpty(), "A, used longest ago, was the one evicted");

            // A range of a file that is not cached is read from the node: a miss, no download.
            int opened = node.opened.get();
            byte[] range = readAll(cache.open(A, SIZE, 1000, 100, "a"));
            assertArrayEquals(java.util.Arrays.copyOfRange(a, 1000, 1100), range);
            assertEquals(opened + 1, node.opened.get());
            assertEquals(4, cache.misses());
            assertEquals(3, cache.fetches(), "a range starts no download");

            long refused = Failures.verificationFailures();
            assertThrows(BootStoreException.class, () -> readAll(cache.open(FORGED, SIZE, 10, 10, "forged")));
            assertEquals(refused + 1, Failures.verificationFailures());
        }
    }
}

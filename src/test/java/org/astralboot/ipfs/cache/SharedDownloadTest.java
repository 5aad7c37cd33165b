package org.astralboot.ipfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.astralboot.db.Database;
import org.astralboot.ipfs.kubo.ChannelStream;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.GrowingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One download shared by several readers, with a fake stream the test feeds chunk by chunk: the
 * node is asked once; a reader ahead of the received bytes waits for them; a reader behind gets
 * them (from memory, or from the temporary file once they left the window); the end of the
 * download leaves the file cached; the growing file that HTTP sends from never shows more than
 * the source released; a failure wakes every waiting reader with it and leaves no
 * temporary file and no index entry behind, and the next reader starts a new download.
 */
class SharedDownloadTest {
    private static final String CID = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";
    private static final int CHUNK = BufferPool.FILL;
    /** More chunks than the window holds, and a tail that is not a whole chunk. */
    private static final int SIZE = (Download.WINDOW + 4) * CHUNK + 1234;

    @TempDir
    Path tmp;

    private final byte[] content = new byte[SIZE];
    private final Fake fake = new Fake();
    private final ExecutorService readers = Executors.newCachedThreadPool();
    private Database db;
    private BlobCache cache;

    SharedDownloadTest() {
        new Random(7).nextBytes(content);
    }

    @BeforeEach
    void open() throws IOException {
        db = Database.open(tmp.resolve("db"));
        cache = new BlobCache(tmp.resolve("cache"), 1L << 30, new CacheIndex(db), fake,
                new NodeHealth(URI.create("http://127.0.0.1:9/"), 1000));
    }

    @AfterEach
    void close() throws IOException {
        fake.end();
        readers.shutdownNow();
        cache.close();
        db.close();
    }

    /** The node's side: bytes the test releases, then the end or a failure. */
    private static final class Fake implements Source {
        private static final byte[] EOF = new byte[0];
        private static final byte[] FAIL = new byte[0];
        final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        final AtomicInteger opened = new AtomicInteger();

        @Override
        public ChannelStream open(String cid, long size, long offset, long length) {
            opened.incrementAndGet();
            return new ChannelStream() {
                private ByteBuffer cur = ByteBuffer.allocate(0);
                private boolean open = true;

                @Override
                public int read(ByteBuffer dst) throws IOException {
                    while (!cur.hasRemaining()) {
                        byte[] next;
                        try {
                            next = queue.take();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                        if (next == EOF) {
                            queue.add(EOF); // a later read sees the end again
                            return -1;
                        }
                        if (next == FAIL) {
                            throw new IOException("connection reset by the fake node");
                        }
                        cur = ByteBuffer.wrap(next);
                    }
                    int n = Math.min(dst.remaining(), cur.remaining());
                    dst.put(cur.slice(cur.position(), n));
                    cur.position(cur.position() + n);
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return open;
                }

                @Override
                public void close() {
                    open = false;
                }
            };
        }

        void feed(byte[] all, int from, int to) {
            queue.add(Arrays.copyOfRange(all, from, to));
        }

        void end() {
            queue.add(EOF);
        }

        void fail() {
            queue.add(FAIL);
        }
    }

    /** Reads {@code length} bytes from {@code offset} on another thread. */
    private Future<byte[]> read(long offset, int length) throws IOException {
        InputStream in = cache.open(CID, SIZE, offset, length, "/boot/f");
        return readers.submit(() -> {
            try (in) {
                return in.readAllBytes();
            }
        });
    }

    private byte[] part(int from, int length) {
        return Arrays.copyOfRange(content, from, from + length);
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private long tmpFiles() throws IOException {
        try (var s = Files.list(tmp.resolve("cache").resolve("tmp"))) {
            return s.count();
        }
    }

    @Test
    void severalReadersShareOneDownloadAndTheFileEndsCached() throws Exception {
        Future<byte[]> a = read(0, SIZE);
        Future<byte[]> b = read(0, SIZE);
        fake.feed(content, 0, SIZE);
        fake.end();
        assertArrayEquals(content, get(a));
        assertArrayEquals(content, get(b));
        assertEquals(1, fake.opened.get(), "the node is asked once");
        assertEquals(1, cache.fetches());
        Path f = cache.cached(CID, SIZE).orElseThrow(() -> new AssertionError("cached once read to the end"));
        assertArrayEquals(content, Files.readAllBytes(f));
        assertEquals(SIZE, cache.totalBytes());
        assertEquals(0, tmpFiles());
        assertArrayEquals(part(SIZE - 10, 10), get(read(SIZE - 10, 10)), "served from the cache file now");
        assertEquals(1, fake.opened.get());
    }

    @Test
    void aReaderAheadWaitsForItsBytesAndAReaderBehindGetsThem() throws Exception {
        Future<byte[]> whole = read(0, SIZE);
        Future<byte[]> ahead = read(2L * CHUNK + 5, 100);
        fake.feed(content, 0, CHUNK);
        assertArrayEquals(part(0, 10), get(read(0, 10)), "a range already received, from memory");
        assertThrows(TimeoutException.class, () -> ahead.get(300, TimeUnit.MILLISECONDS));
        fake.feed(content, CHUNK, 2 * CHUNK);
        assertFalse(ahead.isDone(), "still short of its first byte");
        fake.feed(content, 2 * CHUNK, 3 * CHUNK);
        assertArrayEquals(part(2 * CHUNK + 5, 100), get(ahead));
        // Far enough on that the first chunks left the window: read back from the temporary file.
        fake.feed(content, 3 * CHUNK, (Download.WINDOW + 3) * CHUNK);
        assertArrayEquals(part(7, 3 * CHUNK), get(read(7, 3 * CHUNK)));
        assertFalse(whole.isDone());
        fake.feed(content, (Download.WINDOW + 3) * CHUNK, SIZE);
        fake.end();
        assertArrayEquals(content, get(whole));
        assertEquals(1, fake.opened.get(), "ranges of a file being downloaded join the download");
    }

    @Test
    void aFailureWakesEveryWaitingReaderAndLeavesNothingBehind() throws Exception {
        Future<byte[]> whole = read(0, SIZE);
        Future<byte[]> ahead = read(3L * CHUNK, 10);
        fake.feed(content, 0, CHUNK);
        assertArrayEquals(part(0, 10), get(read(0, 10)));
        assertThrows(TimeoutException.class, () -> ahead.get(300, TimeUnit.MILLISECONDS));
        fake.fail();
        for (Future<byte[]> r : java.util.List.of(whole, ahead)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(r));
            BootStoreException s = assertInstanceOf(BootStoreException.class, e.getCause());
            assertEquals(BootStoreException.Kind.IO, s.kind());
            assertTrue(s.getMessage().contains("/boot/f"), s.getMessage());
        }
        assertEquals(0, tmpFiles(), "the partial file is removed");
        assertTrue(cache.cached(CID, SIZE).isEmpty());
        assertTrue(new CacheIndex(db).blob(CID).isEmpty(), "nothing in the index");
        assertEquals(0, cache.totalBytes());
        // The next reader starts a new download rather than joining the failed one.
        Future<byte[]> again = read(0, SIZE);
        fake.feed(content, 0, SIZE);
        fake.end();
        assertArrayEquals(content, get(again));
        assertEquals(2, fake.opened.get());
        assertEquals(2, cache.fetches());
    }

    /**
     * The growing file HTTP sends from with {@code sendfile} ({@link BlobCache#openGrowing}): a
     * follower gets bytes while the download runs, never past what the source has released (in
     * service: what {@code VerifiedSource} released after checking its block), and the bytes it is
     * told are there are the file's; its last byte waits until the download has ended and the file
     * is in the cache.
     */
    @Test
    void aGrowingFileFollowsTheDownloadNeverPastWhatTheSourceReleased() throws Exception {
        try (GrowingFile g = cache.openGrowing(CID, SIZE, 0, SIZE, "/boot/f").orElseThrow()) {
            Future<Long> first = readers.submit(() -> g.readable(0));
            assertThrows(TimeoutException.class, () -> first.get(300, TimeUnit.MILLISECONDS));
            int released = 2 * CHUNK + 10;
            fake.feed(content, 0, released);
            long pos = get(first);
            assertTrue(pos > 0 && pos <= released, "readable " + pos + " of " + released + " released");
            assertOnDisk(g, pos);
            // The rest but the last byte: the follower moves on as the bytes arrive.
            released = SIZE - 1;
            fake.feed(content, 2 * CHUNK + 10, released);
            long wholeChunks = (long) (released / CHUNK) * CHUNK;
            while (pos < wholeChunks) {
                long at = pos;
                pos = get(readers.submit(() -> g.readable(at)));
                assertTrue(pos > at && pos <= released, "readable " + pos + " of " + released + " released");
                assertOnDisk(g, pos);
            }
            Future<Long> last = readers.submit(() -> g.readable(SIZE - 1L));
            Future<Void> finish = readers.submit(() -> {
                g.finish();
                return null;
            });
            assertThrows(TimeoutException.class, () -> last.get(300, TimeUnit.MILLISECONDS));
            assertFalse(finish.isDone(), "the end waits for the download");
            fake.feed(content, SIZE - 1, SIZE);
            fake.end();
            assertEquals(SIZE, get(last));
            get(finish);
            assertOnDisk(g, SIZE);
            assertTrue(cache.cached(CID, SIZE).isPresent(), "cached once finish() returned");
        }
        assertEquals(1, fake.opened.get());
    }

    /** The first {@code n} bytes of {@code g}'s channel are the file's. */
    private void assertOnDisk(GrowingFile g, long n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) n);
        while (b.hasRemaining()) {
            if (g.channel().read(b, b.position()) < 0) {
                throw new AssertionError("file ends at " + b.position() + " of " + n);
            }
        }
        assertArrayEquals(part(0, (int) n), b.array());
    }

    private static <T extends Throwable> T assertThrows(Class<T> type, org.junit.jupiter.api.function.Executable x) {
        return org.junit.jupiter.api.Assertions.assertThrows(type, x);
    }
}

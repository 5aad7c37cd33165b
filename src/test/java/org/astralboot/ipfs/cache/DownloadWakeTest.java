package org.astralboot.ipfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.astralboot.store.BootStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wake-ups of {@link Download}, which now wakes only the readers a change can release: a
 * reader waiting for bytes on disk is released by the write ({@link Download#advance}), not by the
 * chunk arriving in memory; a reader waiting for a chunk is released by its arrival; the end of
 * the download releases both kinds, with the failure when it failed.
 */
class DownloadWakeTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private static Download download() {
        return new Download("cid", 1 << 20, Path.of("unused"), "f", new BufferPool(4));
    }

    @Test
    void aReaderOfTheDiskWaitsForTheWriteNotTheArrival() throws Exception {
        Download d = download();
        Future<Long> disk = threads.submit(() -> d.available(0));
        Thread.sleep(100); // let it wait
        BufferPool.Buf b = d.buffer();
        d.received(b, 1000);
        assertThrows(TimeoutException.class, () -> disk.get(200, TimeUnit.MILLISECONDS));
        d.advance(1000);
        assertEquals(1000L, disk.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aReaderOfTheReceivedChunksIsWokenByTheirArrival() throws Exception {
        Download d = download();
        ByteBuffer dst = ByteBuffer.allocate(64);
        Future<Integer> mem = threads.submit(() -> d.copy(0, dst));
        Thread.sleep(100);
        assertFalse(mem.isDone());
        BufferPool.Buf b = d.buffer();
        b.bb.clear().put(0, (byte) 42);
        d.received(b, 1000);
        assertEquals(64, mem.get(5, TimeUnit.SECONDS));
        assertEquals(42, dst.get(0));
    }

    @Test
    void theEndWakesEveryReaderWithTheFailure() throws Exception {
        Download d = download();
        Future<Long> disk = threads.submit(() -> d.available(0));
        Future<Integer> mem = threads.submit(() -> d.copy(0, ByteBuffer.allocate(8)));
        Thread.sleep(100);
        d.finish(new BootStoreException(BootStoreException.Kind.IO, "gone"));
        for (Future<?> f : new Future<?>[] {disk, mem}) {
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            assertEquals("gone", e.getCause().getMessage());
        }
    }
}

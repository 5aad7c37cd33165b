package org.astralboot.ipfs.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class BlockPrefetchTest {
    private static final ExecutorService THREADS = Executors.newCachedThreadPool();

    @AfterAll
    static void stop() {
        THREADS.shutdownNow();
    }

    /** A CARv1 header with no roots: {version: 1, roots: []} in dag-cbor, after its length. */
    private static byte[] header() {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        byte[] cbor = {(byte) 0xA2, 0x65, 'r', 'o', 'o', 't', 's', (byte) 0x80, 0x67, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0x01};
        Varint.write(cbor.length, h);
        h.writeBytes(cbor);
        return h.toByteArray();
    }

    @Test
    void closingFromAnotherThreadEndsAWaitingNext() throws Exception {
        PipedOutputStream node = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(node, 1 << 16);
        node.write(header()); // then nothing: a node that stalls
        node.flush();
        BlockPrefetch p = new BlockPrefetch(new CarReader(in), THREADS);
        THREADS.execute(() -> {
            try {
                Thread.sleep(200);
                p.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(IOException.class, p::next));
        assertEquals("CAR stream closed", e.getMessage());
    }

    @Test
    void theEndOfTheStreamIsGivenAgainToEveryLaterCall() throws Exception {
        BlockPrefetch p = new BlockPrefetch(new CarReader(new java.io.ByteArrayInputStream(header())), THREADS);
        assertEquals(null, p.next());
        assertEquals(null, p.next());
        p.close();
    }
}

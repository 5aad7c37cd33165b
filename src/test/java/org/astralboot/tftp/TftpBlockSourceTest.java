package org.astralboot.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.astralboot.store.BootStoreException;
import org.astralboot.tftp.codec.NetasciiInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TftpBlockSourceTest {
    @TempDir
    Path dir;

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** Reads every block in order, with one rewind per window as a retransmission would. */
    static byte[] drain(TftpBlockSource s, int blksize, int window) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(blksize + 4);
        long idx = 0;
        while (true) {
            s.release(idx);
            for (long i = idx; i < idx + window; i++) { // a first pass that gets "lost"
                if (s.read(i, buf.clear().position(4)) < blksize) {
                    break;
                }
            }
            for (long i = idx; i < idx + window; i++) {
                int n = s.read(i, buf.clear().position(4));
                assertEquals(4 + n, buf.position());
                byte[] got = new byte[n];
                buf.get(4, got);
                out.write(got);
                if (n < blksize) {
                    return out.toByteArray();
                }
            }
            idx += window;
        }
    }

    @Test
    void fileAndStreamSourcesYieldTheSameBlocks() throws IOException {
        for (int size : new int[] {0, 1, 511, 512, 513, 4096, 100_003}) {
            byte[] data = random(size);
            Path f = dir.resolve("f" + size);
            Files.write(f, data);
            try (TftpBlockSource s = new FileBlockSource(FileChannel.open(f), size, 512, 3, "f")) {
                assertArrayEquals(data, drain(s, 512, 3), "file " + size);
            }
            try (TftpBlockSource s = new StreamBlockSource(new ByteArrayInputStream(data), 512, 3)) {
                assertArrayEquals(data, drain(s, 512, 3), "stream " + size);
            }
        }
    }

    @Test
    void streamSourceNeverHoldsMoreThanItsWindow() throws IOException {
        try (StreamBlockSource s = new StreamBlockSource(new ByteArrayInputStream(random(10_000)), 512, 2)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(512);
            s.read(0, buf.clear());
            s.read(1, buf.clear());
            assertThrows(IllegalStateException.class, () -> s.read(2, buf.clear()));
            s.release(1);
            s.read(2, buf.clear());
            assertThrows(IllegalArgumentException.class, () -> s.read(0, buf.clear())); // released
        }
    }

    @Test
    void fileThatShrankIsAnErrorNotAShortFile() throws IOException {
        Path f = dir.resolve("shrink");
        Files.write(f, random(2000));
        try (TftpBlockSource s = new FileBlockSource(FileChannel.open(f), 4000, 512, 1, "shrink")) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(512);
            // The read-ahead reaches the missing bytes on the first read already.
            BootStoreException e = assertThrows(BootStoreException.class, () -> {
                s.read(0, buf.clear());
                s.read(3, buf.clear());
            });
            assertEquals(BootStoreException.Kind.CORRUPT, e.kind());
        }
    }

    @Test
    void netasciiConvertsLineEnds() throws IOException {
        String in = "a\nb\r\nc\rd\u0000e\n\n";
        byte[] out = new NetasciiInputStream(new ByteArrayInputStream(in.getBytes(StandardCharsets.ISO_8859_1)))
                .readAllBytes();
        assertEquals("a\r\nb\r\u0000\r\nc\r\u0000d\u0000e\r\n\r\n", new String(out, StandardCharsets.ISO_8859_1));
        // A CR LF pair split across blocks survives block cutting.
        byte[] text = "x\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        try (TftpBlockSource s = new StreamBlockSource(new NetasciiInputStream(new ByteArrayInputStream(text)), 511, 4)) {
            byte[] got = drain(s, 511, 4);
            assertEquals("x\r\n".repeat(1000), new String(got, StandardCharsets.US_ASCII));
        }
        assertEquals(0, Arrays.compare(new byte[0], new NetasciiInputStream(new ByteArrayInputStream(new byte[0])).readAllBytes()));
    }
}

package org.astralboot.ipfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void sizesAndClock() {
        assertEquals("512 B", Progress.bytes(512));
        assertEquals("1.0 KiB", Progress.bytes(1024));
        assertEquals("100.0 MiB", Progress.bytes(100L << 20));
        assertEquals("2.5 GiB", Progress.bytes(5L << 29));
        assertEquals("0:59", Progress.clock(59));
        assertEquals("1:01:01", Progress.clock(3661));
    }

    @Test
    void plainModePrintsOneLinePerFileAndNoCarriageReturns() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), false, 3L << 20, 3, 1L << 20);
        p.fileDone("boot/debian/images/linux", 2L << 20, 2);
        p.fileDone("tftp/ipxe.efi", 3L << 20, 3);
        p.finish(3L << 20, 3);
        String out = b.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("precache: [2/3] boot/debian/images/linux  2.0 MiB of 3.0 MiB\n"), out);
        assertTrue(out.contains("precache: [3/3] tftp/ipxe.efi  3.0 MiB of 3.0 MiB\n"), out);
        assertTrue(out.contains("3.0 MiB / 3.0 MiB  3/3 files"), out);
        assertTrue(!out.contains("\r"), out);
    }

    @Test
    void terminalModeRedrawsOneBar() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), true, 4L << 20, 2, 0);
        p.fileDone("a", 2L << 20, 1);
        p.finish(4L << 20, 2);
        String out = b.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\r[###############...............] 2.0 MiB / 4.0 MiB  1/2 files"), out);
        assertTrue(out.contains("\r[##############################] 4.0 MiB / 4.0 MiB  2/2 files"), out);
        assertTrue(out.contains("ETA"), out);
        assertTrue(out.endsWith("\n"), out);
    }
}

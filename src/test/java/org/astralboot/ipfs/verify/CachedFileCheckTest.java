package org.astralboot.ipfs.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The check behind {@code astralboot verify}, on the file vectors made by Kubo ({@code
 * scripts/cid-vectors}): an exact copy passes, one flipped byte anywhere or a wrong length is a
 * mismatch naming where, and an inner block the source alters is a {@link VerificationException}
 * naming it (the source is at fault, not the copy). Raw leaves are checked without being fetched.
 */
class CachedFileCheckTest {
    @TempDir
    Path tmp;

    static java.util.List<VerifiedFileReaderTest.Vector> vectors() throws IOException {
        return VerifiedFileReaderTest.vectors();
    }

    private static Map<Cid, byte[]> blocks(VerifiedFileReaderTest.Vector v) throws IOException {
        Map<Cid, byte[]> m = new HashMap<>();
        try (CarReader car = new CarReader(new ByteArrayInputStream(v.car()))) {
            for (CarReader.Block b = car.next(); b != null; b = car.next()) {
                m.put(b.cid(), Arrays.copyOfRange(b.buf(), b.off(), b.off() + b.len()));
            }
        }
        return m;
    }

    private Optional<CachedFileCheck.Mismatch> check(VerifiedFileReaderTest.Vector v, byte[] copy,
            VerifiedFileReader.BlockSource src) throws IOException {
        Path f = tmp.resolve("copy");
        Files.write(f, copy);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            return CachedFileCheck.check(Cid.parse(v.cid()), ch, src);
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void exactCopyPassesAndRawLeavesAreNotFetched(VerifiedFileReaderTest.Vector v) throws IOException {
        Map<Cid, byte[]> m = blocks(v);
        AtomicInteger rawFetched = new AtomicInteger();
        assertEquals(Optional.empty(), check(v, v.file(), c -> {
            if (c.codec() == Cid.RAW) {
                rawFetched.incrementAndGet();
            }
            return m.get(c);
        }));
        assertEquals(0, rawFetched.get());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void oneFlippedByteOrAWrongLengthIsAMismatch(VerifiedFileReaderTest.Vector v) throws IOException {
        Map<Cid, byte[]> m = blocks(v);
        if (v.file().length > 0) {
            for (int at : new int[] {0, v.file().length / 2, v.file().length - 1}) {
                byte[] bad = v.file().clone();
                bad[at] ^= 0x01;
                Optional<CachedFileCheck.Mismatch> r = check(v, bad, m::get);
                assertTrue(r.isPresent(), v + " byte " + at);
                assertTrue(r.get().from() <= at && at < r.get().to(), r.get().toString());
            }
        }
        byte[] longer = Arrays.copyOf(v.file(), v.file().length + 1);
        assertTrue(check(v, longer, m::get).isPresent(), v + " one byte longer");
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void anInnerBlockAlteredByTheSourceIsRefusedNamingIt(VerifiedFileReaderTest.Vector v) throws IOException {
        Map<Cid, byte[]> m = blocks(v);
        Cid root = Cid.parse(v.cid());
        if (root.codec() != Cid.DAG_PB) {
            return; // a single raw block: nothing is fetched
        }
        VerificationException e = assertThrows(VerificationException.class, () -> check(v, v.file(), c -> {
            byte[] b = m.get(c).clone();
            if (c.equals(root)) {
                b[b.length - 1] ^= 0x01;
            }
            return b;
        }));
        assertEquals(root.toString(), e.cid());
    }
}

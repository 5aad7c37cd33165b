package org.astralboot.ipfs.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The verifier against vectors produced by Kubo 0.43.1 ({@code scripts/cid-vectors}: {@code ipfs
 * add} with several chunkers and layouts, raw leaves on and off, CIDv0 and v1, then {@code ipfs dag
 * export}): every vector reads back byte-exact, whole and in ranges; and every kind of damage a
 * node could do (one flipped bit in any block, a cut anywhere, a wrong root or size) is refused
 * with the CID at fault, having released only bytes that are a prefix of the real file.
 */
class VerifiedFileReaderTest {
    record Vector(String name, String cid, long size, String cidV1, byte[] file, byte[] car) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Vector> vectors() throws IOException {
        List<Vector> l = new ArrayList<>();
        String tsv = new String(resource("vectors.tsv"), StandardCharsets.UTF_8);
        for (String line : tsv.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            l.add(new Vector(f[0], f[1], Long.parseLong(f[2]), f[3], resource(f[0] + ".bin"), resource(f[0] + ".car")));
        }
        assertTrue(l.size() >= 10, "vectors found");
        return l;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = VerifiedFileReaderTest.class.getResourceAsStream("/cid-vectors/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource cid-vectors/" + name);
            }
            return in.readAllBytes();
        }
    }

    /** Reads the blocks ahead of the verifier in {@link #readAll}'s second pass. */
    private static final ExecutorService PREFETCH = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-prefetch");
        t.setDaemon(true);
        return t;
    });

    /**
     * The verified bytes of {@code car}, read twice: on one thread, and with the CAR read ahead on
     * another ({@link BlockPrefetch}); both must end alike (the same bytes, or the same failure
     * naming the same CID after the same bytes). {@code got} receives the first pass's bytes.
     */
    static byte[] readAll(Vector v, byte[] car, long off, long len, ByteArrayOutputStream got) throws IOException {
        ByteArrayOutputStream ahead = new ByteArrayOutputStream();
        IOException failed = null;
        try {
            read(v, car, off, len, got, null);
        } catch (IOException e) {
            failed = e;
        }
        try {
            read(v, car, off, len, ahead, PREFETCH);
            assertEquals(null, failed, "prefetched read succeeded where the plain one failed");
        } catch (IOException e) {
            assertEquals(String.valueOf(failed), String.valueOf(e), "prefetched read fails alike");
        }
        assertArrayEquals(got.toByteArray(), ahead.toByteArray(), "prefetched read releases the same bytes");
        if (failed != null) {
            throw failed;
        }
        return got.toByteArray();
    }

    private static void read(Vector v, byte[] car, long off, long len, ByteArrayOutputStream got, Executor prefetch)
            throws IOException {
        try (VerifiedFileReader r = new VerifiedFileReader(Cid.parse(v.cid()), v.size(), off, len,
                new ByteArrayInputStream(car), false, false, null, prefetch)) {
            ByteBuffer buf = ByteBuffer.allocate(777); // not a divisor of any chunk size
            while (r.read(buf.clear()) >= 0) {
                got.write(buf.array(), 0, buf.position());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void eachKuboVectorReadsBackByteExact(Vector v) throws IOException {
        assertArrayEquals(v.file(), readAll(v, v.car(), 0, v.size(), new ByteArrayOutputStream()));
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void cidTextFormsRoundTripAndV0AndV1NameTheSameMultihash(Vector v) {
        Cid c = Cid.parse(v.cid());
        assertEquals(v.cid(), c.toString());
        Cid v1 = Cid.parse(v.cidV1());
        assertEquals(v.cidV1(), v1.toString());
        assertEquals(c.multihash(), v1.multihash());
        assertEquals(c.codec(), v1.codec());
        assertEquals(v1, Cid.v1(c.codec(), c.multihash()));
        assertEquals(v1, Cid.parse("z" + Multibase.base58(v1.bytes())));
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void rangesReadBackByteExact(Vector v) throws IOException {
        Random rnd = new Random(v.name().hashCode());
        for (int i = 0; i < 20; i++) {
            long a = v.size() == 0 ? 0 : rnd.nextLong(v.size());
            long n = rnd.nextLong(v.size() - a + 1);
            byte[] got = readAll(v, v.car(), a, n, new ByteArrayOutputStream());
            assertArrayEquals(Arrays.copyOfRange(v.file(), (int) a, (int) (a + n)), got, v.name() + " " + a + "+" + n);
        }
    }

    /** Offsets of each block section's data in a CAR, with its CID. */
    record Section(Cid cid, int dataOff, int dataLen, int start) {
    }

    static List<Section> sections(byte[] car) throws IOException {
        List<Section> l = new ArrayList<>();
        int[] end = new int[1];
        long h = Varint.read(car, 0, car.length, end);
        int pos = end[0] + (int) h;
        while (pos < car.length) {
            int start = pos;
            long n = Varint.read(car, pos, car.length, end);
            int sec = end[0];
            Cid c = Cid.read(car, sec, car.length, end);
            l.add(new Section(c, end[0], sec + (int) n - end[0], start));
            pos = sec + (int) n;
        }
        return l;
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void oneFlippedBitInAnyBlockIsRefusedNamingThatBlock(Vector v) throws IOException {
        for (Section s : sections(v.car())) {
            if (s.dataLen() == 0) {
                continue;
            }
            byte[] car = v.car().clone();
            car[s.dataOff() + s.dataLen() / 2] ^= 0x10;
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            VerificationException e = assertThrows(VerificationException.class,
                    () -> readAll(v, car, 0, v.size(), got));
            assertEquals(s.cid().toString(), e.cid(), e.getMessage());
            assertEquals(VerificationException.Kind.ALTERED, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("altered"), e.getMessage());
            assertPrefix(v, got.toByteArray());
        }
    }

    /**
     * What {@code dag export --local-only} does with a block the node does not hold: the section is
     * left out. Whichever block it is (the root, an inner node, a leaf, the last), the failure is
     * {@link VerificationException.Kind#MISSING} and names that block, the one a caller can ask
     * another stream for.
     */
    @ParameterizedTest
    @MethodSource("vectors")
    void anyBlockLeftOutIsMissingNamingThatBlock(Vector v) throws IOException {
        List<Section> all = sections(v.car());
        for (int i = 0; i < all.size(); i++) {
            Section s = all.get(i);
            int end = i + 1 < all.size() ? all.get(i + 1).start() : v.car().length;
            ByteArrayOutputStream car = new ByteArrayOutputStream();
            car.write(v.car(), 0, s.start());
            car.write(v.car(), end, v.car().length - end);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            VerificationException e = assertThrows(VerificationException.class,
                    () -> readAll(v, car.toByteArray(), 0, v.size(), got), "without " + s.cid());
            assertEquals(s.cid().toString(), e.cid(), e.getMessage());
            assertEquals(VerificationException.Kind.MISSING, e.kind(), e.getMessage());
            assertPrefix(v, got.toByteArray());
        }
    }

    /**
     * A stream that ends between two sections has left the next block out (MISSING); one that ends
     * inside a section (in its length, its CID or its data) was cut and shows nothing about the
     * block (TRUNCATED). Cut at every section's start, one byte in, where its data starts, in the
     * middle of its data and at its last byte.
     */
    @ParameterizedTest
    @MethodSource("vectors")
    void aCutBetweenBlocksIsMissingAndACutInsideOneIsTruncated(Vector v) throws IOException {
        List<Section> all = sections(v.car());
        java.util.TreeMap<Integer, VerificationException.Kind> cuts = new java.util.TreeMap<>();
        for (int i = 0; i < all.size(); i++) {
            Section s = all.get(i);
            int end = i + 1 < all.size() ? all.get(i + 1).start() : v.car().length;
            for (int inside : new int[] {s.start() + 1, s.dataOff(), s.dataOff() + s.dataLen() / 2, end - 1}) {
                if (inside < end) {
                    cuts.put(inside, VerificationException.Kind.TRUNCATED);
                }
            }
        }
        all.forEach(s -> cuts.put(s.start(), VerificationException.Kind.MISSING));
        for (var c : cuts.entrySet()) {
            byte[] car = Arrays.copyOf(v.car(), c.getKey());
            VerificationException e = assertThrows(VerificationException.class,
                    () -> readAll(v, car, 0, v.size(), new ByteArrayOutputStream()), "cut at " + c.getKey());
            assertEquals(c.getValue(), e.kind(), "cut at " + c.getKey() + ": " + e.getMessage());
        }
    }

    @Test
    void aCutBetweenBlocksNamesTheMissingBlock() throws IOException {
        Vector v = byName("deep-v1-raw");
        List<Section> s = sections(v.car());
        byte[] car = Arrays.copyOf(v.car(), s.get(5).start());
        VerificationException e = assertThrows(VerificationException.class,
                () -> readAll(v, car, 0, v.size(), new ByteArrayOutputStream()));
        assertEquals(s.get(5).cid().toString(), e.cid());
        assertEquals(VerificationException.Kind.MISSING, e.kind());
    }

    @Test
    void aSwappedPairOfBlocksIsRefused() throws IOException {
        Vector v = byName("two-chunks-v1-raw");
        List<Section> s = sections(v.car());
        assertEquals(3, s.size());
        ByteArrayOutputStream car = new ByteArrayOutputStream();
        car.write(v.car(), 0, s.get(1).start());
        car.write(v.car(), s.get(2).start(), v.car().length - s.get(2).start());
        car.write(v.car(), s.get(1).start(), s.get(2).start() - s.get(1).start());
        VerificationException e = assertThrows(VerificationException.class,
                () -> readAll(v, car.toByteArray(), 0, v.size(), new ByteArrayOutputStream()));
        assertEquals(s.get(1).cid().toString(), e.cid());
        assertEquals(VerificationException.Kind.MISSING, e.kind(), "another block where it was expected");
    }

    @Test
    void aBlockAfterTheFileIsRefused() throws IOException {
        Vector v = byName("small-v0");
        Vector other = byName("small-v1-raw");
        ByteArrayOutputStream car = new ByteArrayOutputStream();
        car.writeBytes(v.car());
        List<Section> s = sections(other.car());
        car.write(other.car(), s.get(0).start(), other.car().length - s.get(0).start());
        VerificationException e = assertThrows(VerificationException.class,
                () -> readAll(v, car.toByteArray(), 0, v.size(), new ByteArrayOutputStream()));
        assertEquals(other.cid(), e.cid());
        assertEquals(VerificationException.Kind.MALFORMED, e.kind());
    }

    @Test
    void theWrongSizeOrRootIsRefused() throws IOException {
        Vector v = byName("deep-v0");
        Vector w = new Vector(v.name(), v.cid(), v.size() + 1, v.cidV1(), v.file(), v.car());
        VerificationException e = assertThrows(VerificationException.class,
                () -> readAll(w, w.car(), 0, w.size(), new ByteArrayOutputStream()));
        assertEquals(v.cid(), e.cid());
        assertEquals(VerificationException.Kind.MALFORMED, e.kind(), "a size that disagrees with the DAG");
        Vector x = byName("small-v0");
        Vector y = new Vector(x.name(), v.cid(), x.size(), x.cidV1(), x.file(), x.car());
        e = assertThrows(VerificationException.class,
                () -> readAll(y, y.car(), 0, y.size(), new ByteArrayOutputStream()));
        assertEquals(v.cid(), e.cid());
        assertEquals(VerificationException.Kind.MALFORMED, e.kind(), "a CAR of another root");
    }

    /** A CARv1 of {@code blocks} under {@code root}: dag-cbor header {roots: [root], version: 1}, then the sections. */
    static byte[] car(Cid root, List<CarReader.Block> blocks) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write(0xA2); // map of 2
        h.write(0x65);
        h.writeBytes("roots".getBytes(StandardCharsets.US_ASCII));
        h.write(0x81); // array of 1
        h.write(0xD8);
        h.write(42); // tag 42: an IPLD link, bytes 0x00 + binary CID
        byte[] cid = root.bytes();
        h.write(0x58);
        h.write(cid.length + 1);
        h.write(0);
        h.writeBytes(cid);
        h.write(0x67);
        h.writeBytes("version".getBytes(StandardCharsets.US_ASCII));
        h.write(0x01);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Varint.write(h.size(), out);
        out.writeBytes(h.toByteArray());
        for (CarReader.Block b : blocks) {
            byte[] c = b.cid().bytes();
            Varint.write(c.length + b.len(), out);
            out.writeBytes(c);
            out.write(b.buf(), b.off(), b.len());
        }
        return out.toByteArray();
    }

    private static Cid sha256Cid(long codec, byte[] data) throws Exception {
        return Cid.v1(codec, new Multihash(Multihash.SHA2_256,
                java.security.MessageDigest.getInstance("SHA-256").digest(data)));
    }

    private static VerificationException refused(Cid root, long size, byte[] car) {
        Vector v = new Vector("built", root.toString(), size, root.toString(), new byte[(int) size], car);
        return assertThrows(VerificationException.class, () -> readAll(v, car, 0, size, new ByteArrayOutputStream()));
    }

    /**
     * Blocks that hash to their CIDs but are not a file are MALFORMED (not dag-pb, not decodable,
     * a raw leaf of another size than announced); a CID whose hash function is not implemented is
     * UNVERIFIABLE; a section that does not parse is MALFORMED. None of them is MISSING: the
     * block was there.
     */
    @Test
    void blocksThatHashButMakeNoFileAreMalformedAndAnUnknownHashIsUnverifiable() throws Exception {
        byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        Cid pb = sha256Cid(Cid.DAG_PB, garbage);
        VerificationException e = refused(pb, 3, car(pb, List.of(new CarReader.Block(pb, garbage, 0, 3))));
        assertEquals(VerificationException.Kind.MALFORMED, e.kind(), e.getMessage());
        assertEquals(pb.toString(), e.cid());

        byte[] data = "not a file".getBytes(StandardCharsets.US_ASCII);
        Cid cbor = sha256Cid(0x71, data);
        e = refused(cbor, data.length, car(cbor, List.of(new CarReader.Block(cbor, data, 0, data.length))));
        assertEquals(VerificationException.Kind.MALFORMED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("codec 0x71"), e.getMessage());

        Cid raw = sha256Cid(Cid.RAW, data);
        e = refused(raw, data.length + 1, car(raw, List.of(new CarReader.Block(raw, data, 0, data.length))));
        assertEquals(VerificationException.Kind.MALFORMED, e.kind(), "a raw leaf of another size: " + e.getMessage());

        Cid sha3 = Cid.v1(Cid.RAW, new Multihash(0x16, new byte[32])); // sha3-256
        e = refused(sha3, data.length, car(sha3, List.of(new CarReader.Block(sha3, data, 0, data.length))));
        assertEquals(VerificationException.Kind.UNVERIFIABLE, e.kind(), e.getMessage());
        assertEquals(sha3.toString(), e.cid());

        byte[] head = car(raw, List.of());
        ByteArrayOutputStream zero = new ByteArrayOutputStream();
        zero.writeBytes(head);
        zero.write(0); // a section of length 0
        e = refused(raw, data.length, zero.toByteArray());
        assertEquals(VerificationException.Kind.MALFORMED, e.kind(), e.getMessage());
        ByteArrayOutputStream noCid = new ByteArrayOutputStream();
        noCid.writeBytes(head);
        noCid.write(3);
        noCid.writeBytes(new byte[] {5, 0, 0}); // "CID version 5"
        e = refused(raw, data.length, noCid.toByteArray());
        assertEquals(VerificationException.Kind.MALFORMED, e.kind(), e.getMessage());
        assertEquals(raw.toString(), e.cid());
    }

    /**
     * A stream with duplicates (the gateway's {@code dups=y}) hands each block's array back as soon
     * as its bytes are read, and the next block is read into it: the bytes released must stay the
     * file's own (vectors without repeated blocks, so the dag export CAR is such a stream too).
     */
    @ParameterizedTest
    @MethodSource("vectors")
    void recycledArraysKeepEveryByteExact(Vector v) throws IOException {
        if (v.name().startsWith("zeros")) {
            return; // repeated blocks: dag export sends them once, a dups=y stream would repeat them
        }
        for (Executor prefetch : new Executor[] {null, PREFETCH}) {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (VerifiedFileReader r = new VerifiedFileReader(Cid.parse(v.cid()), v.size(), 0, v.size(),
                    new ByteArrayInputStream(v.car()), true, false, null, prefetch)) {
                byte[] buf = new byte[333];
                int k;
                while ((k = r.read(buf, 0, buf.length)) >= 0) {
                    got.write(buf, 0, k);
                }
            }
            assertArrayEquals(v.file(), got.toByteArray(), v.name() + (prefetch == null ? "" : ", prefetched"));
        }
    }

    @Test
    void aRepeatNoLongerHeldIsFetchedAloneAndVerified() throws IOException {
        Vector v = byName("zeros-v1-raw");
        // A replay budget of nothing: simulate by a source that counts and a stream without dups.
        List<Cid> asked = new ArrayList<>();
        byte[] leaf = new byte[1024];
        try (VerifiedFileReader r = new VerifiedFileReader(Cid.parse(v.cid()), v.size(), 0, v.size(),
                new ByteArrayInputStream(v.car()), false, false, c -> {
                    asked.add(c);
                    return leaf;
                })) {
            byte[] got = new byte[(int) v.size()];
            int n = 0;
            int k;
            while ((k = r.read(got, n, got.length - n)) > 0) {
                n += k;
            }
            assertEquals(v.size(), n);
            assertArrayEquals(v.file(), got);
        }
        assertEquals(List.of(), asked, "a 1 KiB leaf stays in the replay window");
    }

    private static Vector byName(String n) throws IOException {
        return vectors().stream().filter(v -> v.name().equals(n)).findFirst().orElseThrow();
    }

    private static void assertPrefix(Vector v, byte[] got) {
        assertTrue(got.length <= v.file().length, "no more than the file");
        assertArrayEquals(Arrays.copyOf(v.file(), got.length), got, "released bytes are the file's own");
    }

    @Test
    void varintsAndMultibaseMatchTheSpecExamples() {
        // unsigned-varint README examples
        int[] end = new int[1];
        assertEquals(300, Varint.read(new byte[] {(byte) 0xAC, 0x02}, 0, 2, end));
        assertEquals(16384, Varint.read(new byte[] {(byte) 0x80, (byte) 0x80, 0x01}, 0, 3, end));
        assertThrows(IllegalArgumentException.class, () -> Varint.read(new byte[] {(byte) 0x81, 0x00}, 0, 2, end));
        // RFC 4648 §10 test vectors, lower case, no padding
        assertEquals("mzxw6ytboi", Multibase.base32("foobar".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("foobar", new String(Multibase.base32Decode("mzxw6ytboi"), StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {0, 0, 1}, Multibase.base58Decode(Multibase.base58(new byte[] {0, 0, 1})));
        assertThrows(IllegalArgumentException.class, () -> Cid.parse("Mnotacid"));
    }

}

package org.astralboot.ipfs.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verified listings against vectors produced by Kubo 0.43.1 ({@code scripts/dir-vectors}: {@code
 * ipfs add -r} of a small boot tree with CIDv0, CIDv1, raw leaves and inlined identity CIDs, and of
 * a folder sharded as a HAMT with fanout 256 and 16, then {@code ipfs dag export}; the expected
 * entries are Kubo's own {@code ipfs ls} answers): every directory lists as Kubo lists it, and every
 * block a listing depends on (the directory's, a sub-shard's, a child's root) is refused when
 * altered or substituted, naming its CID.
 */
class VerifiedDirectoryTest {
    record Expected(String name, String cid, long size, int type) {
    }

    record Vector(String name, String root, Map<Cid, byte[]> blocks, Map<String, List<Expected>> dirs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Vector> vectors() throws IOException {
        List<Vector> l = new ArrayList<>();
        for (String line : text("vectors.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            Map<Cid, byte[]> blocks = new HashMap<>();
            try (CarReader car = new CarReader(new ByteArrayInputStream(resource(f[0] + ".car")))) {
                for (CarReader.Block b = car.next(); b != null; b = car.next()) {
                    blocks.put(b.cid(), Arrays.copyOfRange(b.buf(), b.off(), b.off() + b.len()));
                }
            }
            Map<String, List<Expected>> dirs = new LinkedHashMap<>();
            List<Expected> cur = null;
            for (String e : text(f[0] + ".ls").split("\n")) {
                String[] g = e.split("\t");
                if (g[0].equals("dir")) {
                    cur = new ArrayList<>();
                    dirs.put(g[1], cur);
                } else {
                    cur.add(new Expected(g[0], g[1], Long.parseLong(g[2]), Integer.parseInt(g[3])));
                }
            }
            l.add(new Vector(f[0], f[1], blocks, dirs));
        }
        assertTrue(l.size() >= 7, "vectors found");
        return l;
    }

    private static String text(String name) throws IOException {
        return new String(resource(name), StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = VerifiedDirectoryTest.class.getResourceAsStream("/dir-vectors/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource dir-vectors/" + name);
            }
            return in.readAllBytes();
        }
    }

    /** A node answering block requests from the vector, counting them; {@code alter} may change an answer. */
    static final class Node implements VerifiedFileReader.BlockSource {
        final Map<Cid, byte[]> blocks;
        final Map<Cid, AtomicInteger> asked = new ConcurrentHashMap<>();
        volatile Cid alter;
        volatile byte[] instead;

        Node(Map<Cid, byte[]> blocks) {
            this.blocks = blocks;
        }

        @Override
        public byte[] get(Cid c) throws IOException {
            asked.computeIfAbsent(c, k -> new AtomicInteger()).incrementAndGet();
            byte[] b = blocks.get(c);
            if (b == null) {
                throw new IOException("block " + c + " not found");
            }
            b = b.clone();
            if (c.equals(alter)) {
                if (instead != null) {
                    return instead.clone();
                }
                if (b.length == 0) {
                    return new byte[] {0}; // the empty raw block: a byte added
                }
                b[b.length / 2] ^= 0x01;
            }
            return b;
        }
    }

    private static void assertListsAsKubo(String dir, List<Expected> want, VerifiedDirectory.Listing got) {
        assertTrue(got.directory(), dir);
        assertEquals(want.size(), got.entries().size(), dir + " entries");
        Map<String, VerifiedDirectory.Entry> byName = new HashMap<>();
        got.entries().forEach(e -> byName.put(e.name(), e));
        for (Expected w : want) {
            VerifiedDirectory.Entry e = byName.get(w.name());
            assertNotNull(e, dir + " lists " + w.name());
            assertEquals(w.cid(), e.cid().toString(), w.name());
            switch (w.type()) {
                case 1 -> assertEquals(VerifiedDirectory.Type.DIRECTORY, e.type(), w.name());
                case 2 -> {
                    assertEquals(VerifiedDirectory.Type.FILE, e.type(), w.name());
                    assertEquals(w.size(), e.size(), w.name() + " size");
                }
                default -> {
                    assertEquals(VerifiedDirectory.Type.OTHER, e.type(), w.name());
                    assertEquals(w.type(), e.unixfsType(), w.name());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void everyDirectoryListsAsKuboListsIt(Vector v) throws IOException {
        VerifiedDirectory d = new VerifiedDirectory(new Node(v.blocks()));
        for (Map.Entry<String, List<Expected>> e : v.dirs().entrySet()) {
            assertListsAsKubo(e.getKey(), e.getValue(), d.list(Cid.parse(e.getKey())));
        }
        // And without the blocks kept from the parents' listings: each directory alone.
        for (Map.Entry<String, List<Expected>> e : v.dirs().entrySet()) {
            assertListsAsKubo(e.getKey(), e.getValue(), new VerifiedDirectory(new Node(v.blocks())).list(Cid.parse(e.getKey())));
        }
    }

    @Test
    void vectorsCoverCidV0V1RawLeavesIdentityAndNestedHamtShards() throws IOException {
        Map<String, Vector> vs = new HashMap<>();
        vectors().forEach(v -> vs.put(v.name(), v));
        assertEquals(0, Cid.parse(vs.get("tree-v0").root()).version());
        assertEquals(1, Cid.parse(vs.get("tree-v1-raw").root()).version());
        assertTrue(vs.get("tree-v0-rawleaves").dirs().values().stream().flatMap(List::stream)
                .anyMatch(e -> Cid.parse(e.cid()).codec() == Cid.RAW), "raw leaf children under a CIDv0 tree");
        assertTrue(vs.get("tree-v1-inline").dirs().keySet().stream()
                .anyMatch(c -> Cid.parse(c).multihash().code() == Multihash.IDENTITY), "an inlined directory");
        for (String name : List.of("hamt-v0", "hamt-v1-raw", "hamt-v1-fanout16")) {
            Vector v = vs.get(name);
            Node n = new Node(v.blocks());
            VerifiedDirectory d = new VerifiedDirectory(n);
            String many = v.dirs().get(v.root()).get(0).cid();
            VerifiedDirectory.Listing l = d.list(Cid.parse(many));
            assertEquals(302, l.entries().size(), name);
            long shards = n.asked.keySet().stream().filter(c -> isShard(v.blocks().get(c))).count();
            assertTrue(shards > 1, name + ": the root shard and at least one sub-shard were walked (" + shards + ")");
        }
    }

    private static boolean isShard(byte[] b) {
        try {
            DagPb.Node n = DagPb.node(b, 0, b.length);
            return n.dataOff() >= 0 && DagPb.unixfs(b, n.dataOff(), n.dataLen()).type() == DagPb.HAMT_SHARD;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void anyAlteredBlockOfAListingIsRefusedNamingItsCid(Vector v) throws IOException {
        int checked = 0;
        for (String dir : v.dirs().keySet()) {
            Node ok = new Node(v.blocks());
            new VerifiedDirectory(ok).list(Cid.parse(dir));
            // Every block this listing fetched: the directory's, its sub-shards', its children's roots.
            for (Cid c : ok.asked.keySet()) {
                Node bad = new Node(v.blocks());
                bad.alter = c;
                VerificationException e = assertThrows(VerificationException.class,
                        () -> new VerifiedDirectory(bad).list(Cid.parse(dir)), dir + " with " + c + " altered");
                assertEquals(c.toString(), e.cid());
                assertEquals(VerificationException.Kind.ALTERED, e.kind(), e.getMessage());
                checked++;
            }
        }
        assertTrue(checked >= v.dirs().size(), "blocks altered: " + checked);
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void aDirectoryBlockSwappedForAnotherValidOneIsRefused(Vector v) throws IOException {
        List<String> dirs = new ArrayList<>(v.dirs().keySet());
        Cid target = Cid.parse(dirs.get(0));
        if (target.multihash().code() == Multihash.IDENTITY) {
            return; // inlined: nothing is fetched, nothing can be swapped
        }
        Node bad = new Node(v.blocks());
        bad.alter = target;
        bad.instead = v.blocks().get(Cid.parse(dirs.get(dirs.size() - 1)));
        VerificationException e = assertThrows(VerificationException.class,
                () -> new VerifiedDirectory(bad).list(target));
        assertEquals(target.toString(), e.cid());
        assertTrue(e.getMessage().contains("does not hash"), e.getMessage());
        assertEquals(VerificationException.Kind.ALTERED, e.kind());
    }

    @Test
    void aFileIsNotADirectoryAndListsNothing() throws IOException {
        Vector v = vectors().get(0);
        Expected file = v.dirs().values().stream().flatMap(List::stream).filter(e -> e.type() == 2).findFirst()
                .orElseThrow();
        VerifiedDirectory.Listing l = new VerifiedDirectory(new Node(v.blocks())).list(Cid.parse(file.cid()));
        assertFalse(l.directory());
        assertEquals(VerifiedDirectory.Type.FILE, l.type());
        assertTrue(l.entries().isEmpty());
    }

    @Test
    void aChildDirectoryJustExaminedIsListedWithoutFetchingItsBlockAgain() throws IOException {
        Vector v = vectors().get(0);
        Node n = new Node(v.blocks());
        VerifiedDirectory d = new VerifiedDirectory(n);
        d.list(Cid.parse(v.root()));
        Cid boot = Cid.parse(v.dirs().get(v.root()).get(0).cid());
        assertEquals(1, n.asked.get(boot).get());
        d.list(boot);
        assertEquals(1, n.asked.get(boot).get(), "boot/ listed from the block kept when the root was listed");
        assertTrue(d.kept() >= 1);
    }

    @Test
    void blockCheckRefusesOneFlippedBitAndAcceptsTheBlock() throws IOException {
        Vector v = vectors().get(0);
        Cid root = Cid.parse(v.root());
        byte[] b = v.blocks().get(root);
        VerifiedDirectory.check(root, b);
        b = b.clone();
        b[0] ^= 0x40;
        byte[] bad = b;
        VerificationException e = assertThrows(VerificationException.class, () -> VerifiedDirectory.check(root, bad));
        assertEquals(root.toString(), e.cid());
        assertEquals(VerificationException.Kind.ALTERED, e.kind());
        Cid sha3 = Cid.v1(Cid.RAW, new Multihash(0x16, new byte[32])); // sha3-256: not implemented
        assertEquals(VerificationException.Kind.UNVERIFIABLE,
                assertThrows(VerificationException.class, () -> VerifiedDirectory.check(sha3, bad)).kind());
    }
}

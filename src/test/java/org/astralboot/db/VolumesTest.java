package org.astralboot.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.DBException;
import org.mapdb.Serializer;
import org.mapdb.volume.ByteArrayVol;
import org.mapdb.volume.Volume;

class VolumesTest {
    @TempDir
    Path dir;

    @Test
    void heapLogReadsBackWhatWasWrittenAndHashesLikeMapDb() {
        Volume log = new Volumes(null).makeVolume(dir.resolve("x.db.wal.0").toString(), false);
        Volume ref = new ByteArrayVol(20, 0);
        Random rnd = new Random(7);
        byte[] data = new byte[70_000];
        rnd.nextBytes(data);
        for (Volume v : new Volume[] {log, ref}) {
            v.ensureAvailable(100_000);
            v.putInt(0, 0x8A770064);
            v.putLong(8, -2L);
            v.putData(16, data, 0, data.length);
            v.putUnsignedByte(70_016, 0x85);
            v.putSixLong(70_017, 123_456_789L);
        }
        assertEquals(0x8A770064, log.getInt(0));
        assertEquals(-2L, log.getLong(8));
        byte[] back = new byte[data.length];
        log.getData(16, back, 0, back.length);
        assertArrayEquals(data, back);
        assertEquals(0x85, log.getUnsignedByte(70_016));
        assertEquals(123_456_789L, log.getSixLong(70_017));
        for (long[] r : new long[][] {{0, 16}, {16, 70_000}, {5, 1}, {100, 0}, {3, 70_020}}) {
            assertEquals(ref.hash(r[0], r[1], 42), log.hash(r[0], r[1], 42), "hash of " + r[0] + "+" + r[1]);
        }
        assertNull(log.getFile(), "a heap log has no file for MapDB to delete");
        assertThrows(DBException.VolumeEOF.class, () -> log.getLong(log.length() - 4));
        assertFalse(Files.exists(dir.resolve("x.db.wal.0")));
    }

    @Test
    void aClosedHeapLogHandsItsArrayOnZeroedAndCannotBeUsedAfterwards() {
        Volumes f = new Volumes(null);
        Volume first = f.makeVolume(dir.resolve("x.db.wal.0").toString(), false);
        first.ensureAvailable(40_000);
        byte[] junk = new byte[30_000];
        new Random(3).nextBytes(junk);
        first.putData(100, junk, 0, junk.length);
        first.putLong(39_000, -1L);
        long grown = first.length();
        first.close();
        assertThrows(DBException.VolumeEOF.class, () -> first.getLong(0), "a closed log is not read");
        assertThrows(DBException.VolumeEOF.class, () -> first.putLong(0, 1L), "a closed log is not written");

        Volume next = f.makeVolume(dir.resolve("x.db.wal.1").toString(), false);
        assertEquals(grown, next.length(), "the next log reuses the array");
        byte[] back = new byte[(int) next.length()];
        next.getData(0, back, 0, back.length);
        assertArrayEquals(new byte[back.length], back, "and finds it all zeros, as a new one");

        Volume third = f.makeVolume(dir.resolve("x.db.wal.2").toString(), false);
        assertEquals(16 * 1024, third.length(), "an array is handed to one log only");
        next.close();
        next.close(); // twice: still handed on once
        assertEquals(grown, f.makeVolume(dir.resolve("x.db.wal.3").toString(), false).length());
        assertEquals(16 * 1024, f.makeVolume(dir.resolve("x.db.wal.4").toString(), false).length());
    }

    @Test
    void storeFileGrowsSyncsAndKeepsItsBytes() throws Exception {
        File f = dir.resolve("s.db").toFile();
        Volume v = new Volumes(StoreVolume.open(new MappedDisk(f.toPath()), new ChannelDisk(dir.resolve("s.db.redo")), f))
                .makeVolume(f.getPath(), false, 0L, 20, 0, false);
        try {
            v.ensureAvailable(3L << 20);
            v.putLong((3L << 20) - 8, 0x1122334455667788L);
            v.putData(1_048_570, new byte[] {1, 2, 3, 4, 5, 6}, 0, 6);
            v.sync();
            assertTrue(v.getFileLocked());
            assertEquals(3L << 20, f.length());
        } finally {
            v.close();
        }
        Volume again = new Volumes(StoreVolume.open(new MappedDisk(f.toPath()), new ChannelDisk(dir.resolve("s.db.redo")), f))
                .makeVolume(f.getPath(), false, 0L, 20, 0, false);
        try {
            assertEquals(0x1122334455667788L, again.getLong((3L << 20) - 8));
            assertEquals(6, again.getByte(1_048_575));
        } finally {
            again.close();
        }
    }

    @Test
    void onlyAnEmptyRedoLogIsLeftBesideTheDatabase() throws Exception {
        Path f = dir.resolve("n.db");
        try (Database db = Database.open(f)) {
            ConcurrentMap<Integer, String> m = db.db().hashMap("m", Serializer.INTEGER, Serializer.STRING).createOrOpen();
            for (int i = 0; i < 5000; i++) {
                m.put(i, "value " + i);
                if (i % 100 == 0) {
                    db.commitHere();
                }
            }
            db.commitHere();
        }
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("n.db", "n.db.redo"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(0, Files.size(dir.resolve("n.db.redo")), "a clean close leaves nothing to replay");
        try (Database db = Database.open(f)) {
            ConcurrentMap<Integer, String> m = db.db().hashMap("m", Serializer.INTEGER, Serializer.STRING).createOrOpen();
            assertEquals(5000, m.size());
            assertEquals("value 4999", m.get(4999));
        }
    }

    @Test
    void uncommittedWritesDoNotReachTheFile() throws Exception {
        Path f = dir.resolve("u.db");
        try (Database db = Database.open(f)) {
            ConcurrentMap<Integer, String> m = db.db().hashMap("m", Serializer.INTEGER, Serializer.STRING).createOrOpen();
            m.put(1, "committed");
            db.commitHere();
            m.put(2, "not committed");
            // Copy the file as a crash at this moment would leave it (the process's page cache included).
            Files.copy(f, dir.resolve("crash.db"));
            Files.copy(Database.redoFile(f), dir.resolve("crash.db.redo"));
        }
        try (Database db = Database.open(dir.resolve("crash.db"))) {
            ConcurrentMap<Integer, String> m = db.db().hashMap("m", Serializer.INTEGER, Serializer.STRING).createOrOpen();
            assertEquals("committed", m.get(1));
            assertNull(m.get(2));
        }
    }
}

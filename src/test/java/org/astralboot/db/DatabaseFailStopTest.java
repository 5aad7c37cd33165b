package org.astralboot.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;
import org.mapdb.Serializer;

/** A commit that fails (the log cannot be written) stops all later commits; the file keeps the last good one. */
class DatabaseFailStopTest {
    /** The log's disk, failing every write while {@code full} is set, as a full disk would. */
    private static final class FullDisk implements Disk {
        final FaultDisk inner = new FaultDisk(new FaultDisk.Crash(Long.MAX_VALUE), new byte[0]);
        volatile boolean full;

        @Override
        public void read(long offset, byte[] dst, int pos, int len) throws IOException {
            inner.read(offset, dst, pos, len);
        }

        @Override
        public void write(long offset, byte[] src, int pos, int len) throws IOException {
            if (full) {
                throw new IOException("No space left on device");
            }
            inner.write(offset, src, pos, len);
        }

        @Override
        public void force() throws IOException {
            inner.force();
        }

        @Override
        public void truncate(long size) throws IOException {
            inner.truncate(size);
        }

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aFailedCommitFailsEveryLaterOneAndNothingOfItReachesTheFile() throws Exception {
        FaultDisk store = new FaultDisk(new FaultDisk.Crash(Long.MAX_VALUE), new byte[0]);
        FullDisk log = new FullDisk();
        Path file = Path.of("failstop.db");
        Database db = Database.open(file, store, log, StoreVolume.CHECKPOINT);
        ConcurrentMap<Integer, String> m = db.db().hashMap("m", Serializer.INTEGER, Serializer.STRING).createOrOpen();
        m.put(1, "one");
        db.commitHere();
        log.full = true;
        m.put(2, "two");
        IOException e = assertThrows(IOException.class, db::commitHere);
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        log.full = false; // the disk has room again: still no commit, MapDB's state in memory is unknown
        IOException again = assertThrows(IOException.class, db::commitHere);
        assertTrue(again.getMessage().contains("earlier commit failed"), again.getMessage());
        db.close();

        FaultDisk store2 = new FaultDisk(new FaultDisk.Crash(Long.MAX_VALUE), store.afterPowerLoss(new java.util.Random(1)));
        FaultDisk log2 = new FaultDisk(new FaultDisk.Crash(Long.MAX_VALUE), log.inner.afterPowerLoss(new java.util.Random(1)));
        try (Database d = Database.open(file, store2, log2, StoreVolume.CHECKPOINT)) {
            assertEquals(Map.of(1, "one"),
                    Map.copyOf(d.db().hashMap("m", Serializer.INTEGER, Serializer.STRING).createOrOpen()));
        }
    }
}

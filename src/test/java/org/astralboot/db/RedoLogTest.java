package org.astralboot.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recovery reads back every whole record and stops at the first torn or foreign one. */
class RedoLogTest {
    private static FaultDisk disk(byte[] b) {
        return new FaultDisk(new FaultDisk.Crash(Long.MAX_VALUE), b);
    }

    private static byte[] image(FaultDisk d) throws Exception {
        byte[] b = new byte[(int) d.size()];
        d.read(0, b, 0, b.length);
        return b;
    }

    private static byte[] threeRecords() throws Exception {
        FaultDisk d = disk(new byte[0]);
        RedoLog log = new RedoLog(d);
        log.recover();
        log.append(new byte[] {1, 2, 3});
        log.append(new byte[100]);
        log.append(new byte[] {9});
        return image(d);
    }

    @Test
    void everyWholeRecordComesBackInOrder() throws Exception {
        List<byte[]> r = new RedoLog(disk(threeRecords())).recover();
        assertEquals(3, r.size());
        assertArrayEquals(new byte[] {1, 2, 3}, r.get(0));
        assertArrayEquals(new byte[] {9}, r.get(2));
    }

    @Test
    void aTornTailOrAFlippedBitEndsTheLog() throws Exception {
        byte[] all = threeRecords();
        for (int cut = 0; cut < all.length; cut++) {
            int whole = cut >= all.length - 21 ? 2 : cut >= 23 ? 1 : 0;
            assertEquals(whole, new RedoLog(disk(Arrays.copyOf(all, cut))).recover().size(), "cut at " + cut);
        }
        byte[] flipped = all.clone();
        flipped[23 + 16 + 50] ^= 4; // inside the second record's payload
        assertEquals(1, new RedoLog(disk(flipped)).recover().size());
    }

    @Test
    void appendsAfterRecoveryContinueTheSequenceAndAResetEmptiesTheLog() throws Exception {
        FaultDisk d = disk(threeRecords());
        RedoLog log = new RedoLog(d);
        assertEquals(3, log.recover().size());
        log.append(new byte[] {7});
        assertEquals(4, new RedoLog(disk(image(d))).recover().size());
        log.reset();
        assertEquals(0, new RedoLog(disk(image(d))).recover().size(), "a reset log has nothing to replay");
        log.append(new byte[] {8});
        List<byte[]> after = new RedoLog(disk(image(d))).recover();
        assertEquals(1, after.size());
        assertArrayEquals(new byte[] {8}, after.get(0));
        log.empty();
        assertEquals(0, d.size());
    }

    /**
     * A reset keeps the file's bytes, so a new record the size of the old first one ends exactly where
     * the old second one starts: its sequence number (lower, or from another run) must end recovery.
     */
    @Test
    void staleRecordsBehindANewOneAreNeverReplayed() throws Exception {
        FaultDisk d = disk(threeRecords());
        RedoLog log = new RedoLog(d);
        assertEquals(3, log.recover().size());
        log.reset();
        log.append(new byte[] {4, 5, 6}); // the same length as the old first record
        List<byte[]> r = new RedoLog(disk(image(d))).recover();
        assertEquals(1, r.size());
        assertArrayEquals(new byte[] {4, 5, 6}, r.get(0));

        // Another run: the log was reset before a restart, so recovery finds nothing and the sequence
        // starts afresh, away from the numbers of the stale records still in the file.
        FaultDisk again = disk(image(d));
        RedoLog next = new RedoLog(again);
        next.reset();
        assertEquals(0, next.recover().size());
        next.append(new byte[] {1, 1, 1});
        List<byte[]> r2 = new RedoLog(disk(image(again))).recover();
        assertEquals(1, r2.size());
        assertArrayEquals(new byte[] {1, 1, 1}, r2.get(0));
    }

    @Test
    void reservedZerosEndRecoveryAndAppendsDoNotGrowTheFile() throws Exception {
        FaultDisk d = disk(new byte[0]);
        RedoLog log = new RedoLog(d);
        log.recover();
        log.reserve(4096);
        assertEquals(4096, d.size());
        log.append(new byte[100]);
        log.append(new byte[] {2});
        assertEquals(4096, d.size());
        assertEquals(2, new RedoLog(disk(image(d))).recover().size());
    }
}

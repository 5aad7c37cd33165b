package org.astralboot.db;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The redo log beside the store file ({@code <db>.redo}): what makes a commit atomic and durable.
 * A commit appends one record holding every byte range it changes in the store, then forces the log
 * once ({@code fdatasync}); only after that are the ranges written into the store, which is forced
 * later, at a checkpoint. A crash at any moment therefore leaves either no trace of the commit (its
 * record is incomplete or fails its checksum, and the store was not touched) or a complete record
 * that {@link #recover()} hands back at the next open to be written into the store again. Records
 * are full byte images, so writing one twice is harmless.
 *
 * <p>Record: magic (4 bytes), payload length (4), sequence number (8), payload, CRC32C (4) of length,
 * sequence and payload. Sequence numbers rise by one from record to record; recovery stops at the
 * first record that is short, fails its checksum or breaks the sequence (a torn tail).
 *
 * <p>A checkpoint ({@link #reset()}) empties the log once the store has been forced: it is then no
 * longer needed. The file keeps its size and its old bytes, and the next records overwrite them in
 * place: an {@code fdatasync} of blocks the file already has is a data flush only, while one after an
 * append that grows the file must also commit the file system's journal (the new size), about twice
 * the time and CPU on ext4. The log is therefore also {@linkplain #reserve reserved} ahead with zeros.
 * Stale records behind the tail can never be taken for new ones: a reset zeroes the first record's
 * head (forced), so recovery of an emptied log stops at once, and sequence numbers never repeat within
 * the file — they continue across resets, and a log opened with nothing to recover starts at a random
 * 62-bit number, so a stale record from an earlier run continues the sequence only by a 2<sup>-62</sup>
 * chance (on top of its magic and CRC matching at that offset). {@link #empty()} (a clean close)
 * truncates the file.
 */
final class RedoLog {
    private static final int MAGIC = 0x41425244; // "ABRD"
    private static final int HEAD = 16;
    private static final int MAX_PAYLOAD = 1 << 30;
    private final Disk disk;
    private long tail;
    private long seq;

    RedoLog(Disk disk) {
        this.disk = disk;
    }

    /**
     * The payloads of every complete record, in order, and positions the log after them. Called once,
     * before the first {@link #append}.
     */
    List<byte[]> recover() throws IOException {
        List<byte[]> out = new ArrayList<>();
        long size = disk.size();
        long pos = 0;
        long expect = -1;
        byte[] head = new byte[HEAD];
        while (pos + HEAD + 4 <= size) {
            disk.read(pos, head, 0, HEAD);
            ByteBuffer h = ByteBuffer.wrap(head);
            int magic = h.getInt();
            int len = h.getInt();
            long s = h.getLong();
            if (magic != MAGIC || len < 0 || len > MAX_PAYLOAD || pos + HEAD + len + 4 > size
                    || (expect >= 0 && s != expect)) {
                break;
            }
            byte[] payload = new byte[len];
            disk.read(pos + HEAD, payload, 0, len);
            byte[] crc = new byte[4];
            disk.read(pos + HEAD + len, crc, 0, 4);
            if (ByteBuffer.wrap(crc).getInt() != checksum(head, payload)) {
                break;
            }
            out.add(payload);
            seq = s;
            expect = s + 1;
            pos += HEAD + len + 4;
        }
        tail = pos;
        if (out.isEmpty()) {
            seq = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 62);
        }
        return out;
    }

    private static int checksum(byte[] head, byte[] payload) {
        CRC32C c = new CRC32C();
        c.update(head, 4, HEAD - 4);
        c.update(payload, 0, payload.length);
        return (int) c.getValue();
    }

    /** Appends one commit's record and forces it: when this returns the commit is durable. */
    void append(byte[] payload) throws IOException {
        byte[] rec = new byte[HEAD + payload.length + 4];
        ByteBuffer b = ByteBuffer.wrap(rec);
        b.putInt(MAGIC).putInt(payload.length).putLong(++seq);
        b.put(payload);
        b.putInt(checksum(rec, payload));
        disk.write(tail, rec, 0, rec.length);
        disk.force();
        tail += rec.length;
    }

    /** Bytes in the log since the last checkpoint. */
    long size() {
        return tail;
    }

    /**
     * Empties the log; the caller has forced the store, so no record in it is needed any more. Zeroes
     * the first record's head, so that recovery finds nothing; the records behind it stay until
     * overwritten, their sequence numbers below every later one.
     */
    void reset() throws IOException {
        if (disk.size() > 0) {
            disk.write(0, new byte[HEAD], 0, HEAD);
            disk.force();
        }
        tail = 0;
    }

    /**
     * Grows the file with zeros to at least {@code bytes} (forced), so that appends up to there
     * overwrite blocks the file has instead of growing it. Only after a {@link #reset()} or
     * {@link #recover()} (the zeros past the tail end recovery as a torn record would).
     */
    void reserve(long bytes) throws IOException {
        long size = disk.size();
        if (size >= bytes) {
            return;
        }
        byte[] zeros = new byte[64 << 10];
        for (long o = size; o < bytes; o += zeros.length) {
            disk.write(o, zeros, 0, (int) Math.min(zeros.length, bytes - o));
        }
        disk.force();
    }

    /** Empties the log and truncates the file (a clean close: nothing is left to replay or reuse). */
    void empty() throws IOException {
        disk.truncate(0);
        disk.force();
        tail = 0;
    }

    void close() throws IOException {
        disk.close();
    }
}

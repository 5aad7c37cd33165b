package org.astralboot.db;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.mapdb.DBException;
import org.mapdb.DataInput2;
import org.mapdb.volume.Volume;

/**
 * MapDB's store file, made crash-atomic by a {@link RedoLog}. MapDB's {@code StoreWAL} writes into
 * this volume only inside a commit, then calls {@link #sync()} once. Writes do not go to the file:
 * they land in copies of the touched {@value #PAGE}-byte pages kept in memory (reads see them first).
 * {@link #sync()} appends every changed byte range as one log record, forces the log (the commit's
 * one {@code fdatasync}), and only then copies the ranges into the file. The file itself is forced at
 * a checkpoint, once the log passes {@value #CHECKPOINT} bytes, and at close; until then the log holds
 * whatever the file may not. So after a crash the file, once the log is replayed into it at open
 * ({@link #open}), holds exactly the last commit whose {@code sync()} returned, or the one running when
 * the crash came if its record reached the disk whole; never a part of a commit.
 *
 * <p>MapDB's own header at the start of the file needs no second copy: a torn header write is a torn
 * write like any other, repaired from the log.
 */
final class StoreVolume extends Volume {
    static final int PAGE = 4096;
    private static final int PAGE_SHIFT = 12;
    /** Log size that triggers a checkpoint: bounds replay time at open and the log's disk use. */
    static final long CHECKPOINT = 4L << 20;
    /** Log space reserved past {@link #CHECKPOINT}: room for the record that crosses it. */
    static final long RESERVE_SLACK = 256L << 10;

    /** Bytes of equal content between two changed runs of a page below which the runs are logged as one. */
    private static final int GAP = 24;

    private static final class Page {
        final byte[] data = new byte[PAGE];
        /** The page as the file holds it: the log gets only the bytes that differ (MapDB rewrites much unchanged). */
        byte[] orig;
        int lo = PAGE;
        int hi;

        void touch(int from, int to) {
            lo = Math.min(lo, from);
            hi = Math.max(hi, to);
        }
    }

    private final Disk disk;
    private final RedoLog log;
    private final File file;
    private final Map<Long, Page> dirty = new ConcurrentHashMap<>();
    /** Set by {@link #truncate} in this transaction; -1 for none. */
    private volatile long truncateTo = -1;
    private volatile long length;
    private final long checkpointBytes;
    private volatile boolean holding;

    private StoreVolume(Disk disk, RedoLog log, File file, long checkpointBytes) throws IOException {
        this.disk = disk;
        this.log = log;
        this.file = file;
        this.length = disk.size();
        this.checkpointBytes = checkpointBytes;
    }

    /**
     * Opens the store on {@code disk} with its log on {@code logDisk}: replays every complete log
     * record into the store, forces the store and empties the log, so the file alone holds the last
     * committed state.
     */
    static StoreVolume open(Disk disk, Disk logDisk, File file, long checkpointBytes) throws IOException {
        RedoLog log = new RedoLog(logDisk);
        List<byte[]> records = log.recover();
        for (byte[] r : records) {
            apply(disk, r);
        }
        if (!records.isEmpty() || logDisk.size() > 0) {
            disk.force();
            log.reset();
        }
        // A checkpoint comes once the log passes checkpointBytes: reserved up to a bit beyond, the log
        // never grows while running, and each commit's fdatasync has no file size to journal.
        log.reserve(checkpointBytes + RESERVE_SLACK);
        return new StoreVolume(disk, log, file, checkpointBytes);
    }

    static StoreVolume open(Disk disk, Disk logDisk, File file) throws IOException {
        return open(disk, logDisk, file, CHECKPOINT);
    }

    /** Writes one record's ranges into the store (payload: offset 8, length 4, bytes; length -1 = truncate). */
    private static void apply(Disk disk, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(payload);
        while (b.hasRemaining()) {
            long off = b.getLong();
            int len = b.getInt();
            if (len < 0) {
                disk.truncate(off);
            } else {
                disk.write(off, payload, b.position(), len);
                b.position(b.position() + len);
            }
        }
    }

    private Page page(long index) {
        Page p = dirty.get(index);
        if (p == null) {
            p = new Page();
            try {
                if (truncateTo < 0 || (index << PAGE_SHIFT) < truncateTo) {
                    disk.read(index << PAGE_SHIFT, p.data, 0, PAGE);
                    if (truncateTo >= 0) {
                        int keep = (int) Math.min(PAGE, truncateTo - (index << PAGE_SHIFT));
                        Arrays.fill(p.data, keep, PAGE, (byte) 0);
                    }
                }
                // Past a cut the file may still hold old bytes (it is cut in whole slices): log such a page whole.
                p.orig = truncateTo >= 0 && ((index + 1) << PAGE_SHIFT) > truncateTo ? null : p.data.clone();
            } catch (IOException e) {
                throw ioError(e);
            }
            dirty.put(index, p);
        }
        return p;
    }

    @Override
    public void putData(long offset, byte[] src, int srcPos, int srcSize) {
        while (srcSize > 0) {
            Page p = page(offset >>> PAGE_SHIFT);
            int in = (int) (offset & (PAGE - 1));
            int n = Math.min(srcSize, PAGE - in);
            System.arraycopy(src, srcPos, p.data, in, n);
            p.touch(in, in + n);
            offset += n;
            srcPos += n;
            srcSize -= n;
        }
        if (offset > length) {
            length = offset;
        }
    }

    @Override
    public void getData(long offset, byte[] dst, int dstPos, int size) {
        try {
            if (dirty.isEmpty() && truncateTo < 0) {
                disk.read(offset, dst, dstPos, size);
                return;
            }
            while (size > 0) {
                long index = offset >>> PAGE_SHIFT;
                int in = (int) (offset & (PAGE - 1));
                int n = Math.min(size, PAGE - in);
                Page p = dirty.get(index);
                if (p != null) {
                    System.arraycopy(p.data, in, dst, dstPos, n);
                } else if (truncateTo >= 0 && offset + n > truncateTo) {
                    Arrays.fill(dst, dstPos, dstPos + n, (byte) 0);
                } else {
                    disk.read(offset, dst, dstPos, n);
                }
                offset += n;
                dstPos += n;
                size -= n;
            }
        } catch (IOException e) {
            throw ioError(e);
        }
    }

    /**
     * The commit: one log record with every range changed since the last sync, one forced append,
     * then the ranges into the file. Called by MapDB with every store lock held.
     */
    @Override
    public synchronized void sync() {
        if (holding) {
            return;
        }
        try {
            if (dirty.isEmpty() && truncateTo < 0 && length <= disk.size()) {
                return;
            }
            TreeMap<Long, Page> pages = new TreeMap<>(dirty);
            ByteArrayOutputStream buf = new ByteArrayOutputStream(64 + pages.size() * 256);
            DataOutputStream out = new DataOutputStream(buf);
            long cut = truncateTo;
            if (cut >= 0) {
                out.writeLong(cut);
                out.writeInt(-1);
            }
            long size = disk.size();
            if (length > size) {
                // MapDB reserved space it has not written yet (ensureAvailable); the file's length is part
                // of the state it checks at open, so the record sets it too: a zero byte at its end.
                out.writeLong(length - 1);
                out.writeInt(1);
                out.write(0);
            }
            for (Map.Entry<Long, Page> e : pages.entrySet()) {
                Page p = e.getValue();
                long base = e.getKey() << PAGE_SHIFT;
                if (p.orig == null) {
                    out.writeLong(base);
                    out.writeInt(PAGE);
                    out.write(p.data, 0, PAGE);
                    continue;
                }
                // Runs of changed bytes within [lo, hi); equal stretches shorter than GAP stay inside a run.
                int i = p.lo;
                while (i < p.hi) {
                    int m = Arrays.mismatch(p.data, i, p.hi, p.orig, i, p.hi);
                    if (m < 0) {
                        break;
                    }
                    int from = i + m;
                    int to = from + 1;
                    while (to < p.hi) {
                        int same = Arrays.mismatch(p.data, to, p.hi, p.orig, to, p.hi);
                        if (same < 0) {
                            break;
                        }
                        int next = to + same;
                        if (same >= GAP) {
                            break;
                        }
                        to = next + 1;
                        // extend over the next differing byte and whatever differs right after it
                        int diffEnd = to;
                        while (diffEnd < p.hi && p.data[diffEnd] != p.orig[diffEnd]) {
                            diffEnd++;
                        }
                        to = diffEnd;
                    }
                    out.writeLong(base + from);
                    out.writeInt(to - from);
                    out.write(p.data, from, to - from);
                    i = to;
                }
            }
            out.flush();
            byte[] payload = buf.toByteArray();
            // Empty when MapDB only rewrote bytes the file already holds (its header, at every commit,
            // also one that changes nothing): then there is nothing to make durable, and no record and
            // no fdatasync. Such commits are frequent: in a group commit, every request that arrived
            // after its changes were committed by an earlier one.
            if (payload.length > 0) {
                log.append(payload);
                // Durable from here on. The file gets the ranges before the copies are dropped, so a
                // reader finds the new bytes in one or the other at every moment.
                apply(disk, payload);
            }
            truncateTo = -1;
            for (Long k : pages.keySet()) {
                dirty.remove(k);
            }
            if (log.size() >= checkpointBytes) {
                checkpoint();
            }
        } catch (IOException e) {
            throw ioError(e);
        }
    }

    /**
     * While {@code true}, {@link #sync()} keeps collecting instead of committing. MapDB creates a new
     * database in several commits (store header, then its catalog of named collections); held, they
     * become one, so a crash during creation leaves no file that has a header and no catalog.
     */
    void hold(boolean hold) {
        holding = hold;
    }

    /** MapDB's wrapper for an I/O failure, keeping the failure's message (MapDB's own drops it). */
    private static DBException.VolumeIOError ioError(IOException e) {
        return new DBException.VolumeIOError(String.valueOf(e.getMessage() != null ? e.getMessage() : e), e);
    }

    /** Drops every write not yet committed (after a failed commit, whose state is unknown). */
    synchronized void discard() {
        dirty.clear();
        truncateTo = -1;
        try {
            length = Math.max(disk.size(), 0);
        } catch (IOException e) {
            // keeps the length it had
        }
    }

    /** Forces the file, after which the log holds nothing the file lacks, and empties the log. */
    private void checkpoint() throws IOException {
        disk.force();
        log.reset();
    }

    @Override
    public void ensureAvailable(long offset) {
        if (offset > length) {
            length = offset;
        }
    }

    @Override
    public synchronized void truncate(long size) {
        if (size >= length) {
            return;
        }
        dirty.keySet().removeIf(k -> (k << PAGE_SHIFT) >= size);
        Page p = dirty.get(size >>> PAGE_SHIFT);
        if (p != null) {
            int in = (int) (size & (PAGE - 1));
            Arrays.fill(p.data, in, PAGE, (byte) 0);
            p.orig = null;
        }
        truncateTo = truncateTo < 0 ? size : Math.min(truncateTo, size);
        length = size;
    }

    @Override
    public void putLong(long offset, long value) {
        byte[] b = new byte[8];
        ByteBuffer.wrap(b).putLong(value);
        putData(offset, b, 0, 8);
    }

    @Override
    public void putInt(long offset, int value) {
        byte[] b = new byte[4];
        ByteBuffer.wrap(b).putInt(value);
        putData(offset, b, 0, 4);
    }

    @Override
    public void putByte(long offset, byte value) {
        putData(offset, new byte[] {value}, 0, 1);
    }

    @Override
    public void putData(long offset, ByteBuffer src) {
        byte[] b = new byte[src.remaining()];
        src.get(b);
        putData(offset, b, 0, b.length);
    }

    @Override
    public long getLong(long offset) {
        if (dirty.isEmpty() && truncateTo < 0) {
            // Outside a commit (nearly every read): straight from the file, no copy.
            try {
                return disk.readLong(offset);
            } catch (IOException e) {
                throw ioError(e);
            }
        }
        byte[] b = new byte[8];
        getData(offset, b, 0, 8);
        return (long) LONGS.get(b, 0);
    }

    @Override
    public int getInt(long offset) {
        byte[] b = new byte[4];
        getData(offset, b, 0, 4);
        return (int) INTS.get(b, 0);
    }

    @Override
    public byte getByte(long offset) {
        byte[] b = new byte[1];
        getData(offset, b, 0, 1);
        return b[0];
    }

    @Override
    public DataInput2 getDataInput(long offset, int size) {
        byte[] b = new byte[size];
        getData(offset, b, 0, size);
        return new DataInput2.ByteArray(b, 0);
    }

    @Override
    public void clear(long start, long end) {
        byte[] zeros = new byte[(int) Math.min(end - start, PAGE)];
        for (long o = start; o < end; o += zeros.length) {
            putData(o, zeros, 0, (int) Math.min(zeros.length, end - o));
        }
    }

    /** Forces what is in the file and empties the log, so the next open has nothing to replay. */
    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (dirty.isEmpty() && truncateTo < 0) {
                disk.force();
                log.empty();
            }
        } catch (IOException e) {
            throw ioError(e);
        } finally {
            try {
                log.close();
            } catch (IOException ignored) {
                // the store's close below reports what matters
            }
            try {
                disk.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public int sliceSize() {
        return -1;
    }

    @Override
    public boolean isSliced() {
        return false;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public File getFile() {
        return file;
    }

    @Override
    public boolean getFileLocked() {
        return true;
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles
            .byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.invoke.VarHandle INTS = java.lang.invoke.MethodHandles
            .byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);
}

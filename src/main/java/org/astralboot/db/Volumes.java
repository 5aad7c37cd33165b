package org.astralboot.db;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.mapdb.DBException;
import org.mapdb.DataInput2;
import org.mapdb.volume.Volume;
import org.mapdb.volume.VolumeFactory;

/**
 * The MapDB volumes behind {@link Database}: the store file is the {@link StoreVolume} opened (and
 * recovered) before MapDB starts, and MapDB's own write-ahead log is kept on the heap.
 *
 * <p>MapDB 3.1.0's {@code StoreWAL} writes its log on every commit, but no code path in 3.1.0 ever
 * reads a log back after a crash ({@code WriteAheadLog.open}/{@code replayWAL} have no caller): it only
 * serves the running process (uncommitted records, and the copy into the store at commit). Durability
 * and atomicity come from {@link RedoLog} under the store volume instead, so MapDB's log stays on the
 * heap, which saves its file creation, mapping and flush per commit.
 */
final class Volumes extends VolumeFactory {
    /** Suffix MapDB gives its log files ({@code <db>.wal.<n>}). */
    private static final String LOG_SUFFIX = ".wal.";
    private final StoreVolume store;
    /**
     * The array of the last heap log closed, zeroed, for the next one: MapDB starts a new log at every
     * commit, and a fresh 16 KiB array doubled up to a commit's size was, with the copies, about a
     * seventh of what the DHCP thread allocated under load (JFR). At most {@link HeapLog#KEEP} bytes.
     */
    private final java.util.concurrent.atomic.AtomicReference<byte[]> spare = new java.util.concurrent.atomic.AtomicReference<>();

    /** {@code store} is handed to MapDB for the store file; {@code null} only in tests of the heap log. */
    Volumes(StoreVolume store) {
        this.store = store;
    }

    @Override
    public Volume makeVolume(String file, boolean readOnly, long fileLockWait, int sliceShift, long initSize,
            boolean fixedSize) {
        if (file != null && file.contains(LOG_SUFFIX)) {
            return new HeapLog(spare);
        }
        if (store == null) {
            throw new IllegalStateException("no store volume for " + file);
        }
        return store;
    }

    @Override
    public boolean exists(String file) {
        return file != null && !file.contains(LOG_SUFFIX) && store != null && store.length() > 0;
    }

    @Override
    public boolean handlesReadonly() {
        return true;
    }

    /**
     * One log file's contents on the heap, in a single array that doubles as it fills (a lease commit
     * writes a few KiB; MapDB caps a log file at 16 MiB). Has no file: {@link #getFile()} is
     * {@code null}, so MapDB's delete of the log is a no-op.
     */
    static final class HeapLog extends Volume {
        /** The largest array handed on to the next log: a lease commit's log is far smaller. */
        static final int KEEP = 1 << 20;
        private static final byte[] NONE = new byte[0];
        private final java.util.concurrent.atomic.AtomicReference<byte[]> spare;
        private byte[] buf;
        /** End of the highest range touched: what {@link #close()} zeroes before handing the array on. */
        private int touched;

        HeapLog(java.util.concurrent.atomic.AtomicReference<byte[]> spare) {
            this.spare = spare;
            byte[] b = spare.getAndSet(null);
            this.buf = b != null ? b : new byte[16 * 1024];
        }

        private byte[] at(long offset, int len) {
            long end = offset + len;
            if (offset < 0 || end > buf.length) {
                throw new DBException.VolumeEOF("log read past " + buf.length + " at " + offset);
            }
            if (end > touched) {
                touched = (int) end;
            }
            return buf;
        }

        @Override
        public void ensureAvailable(long offset) {
            if (offset > buf.length) {
                if (offset > Integer.MAX_VALUE - 8) {
                    throw new DBException.VolumeMaxSizeExceeded(buf.length, offset);
                }
                buf = Arrays.copyOf(buf, (int) Math.max(offset, Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
            }
        }

        @Override
        public void truncate(long size) {
            if (size < buf.length) {
                buf = Arrays.copyOf(buf, (int) size);
            }
        }

        @Override
        public void putLong(long offset, long value) {
            LONGS.set(at(offset, 8), (int) offset, value);
        }

        @Override
        public void putInt(long offset, int value) {
            INTS.set(at(offset, 4), (int) offset, value);
        }

        @Override
        public void putByte(long offset, byte value) {
            at(offset, 1)[(int) offset] = value;
        }

        @Override
        public void putData(long offset, byte[] src, int srcPos, int srcSize) {
            System.arraycopy(src, srcPos, at(offset, srcSize), (int) offset, srcSize);
        }

        @Override
        public void putData(long offset, ByteBuffer src) {
            int n = src.remaining();
            src.get(at(offset, n), (int) offset, n);
        }

        @Override
        public long getLong(long offset) {
            return (long) LONGS.get(at(offset, 8), (int) offset);
        }

        @Override
        public int getInt(long offset) {
            return (int) INTS.get(at(offset, 4), (int) offset);
        }

        @Override
        public byte getByte(long offset) {
            return at(offset, 1)[(int) offset];
        }

        @Override
        public DataInput2 getDataInput(long offset, int size) {
            return new DataInput2.ByteArray(at(offset, size), (int) offset);
        }

        @Override
        public void getData(long offset, byte[] dst, int dstPos, int size) {
            System.arraycopy(at(offset, size), (int) offset, dst, dstPos, size);
        }

        @Override
        public void clear(long start, long end) {
            Arrays.fill(at(start, (int) (end - start)), (int) start, (int) end, (byte) 0);
        }

        /**
         * The checksum MapDB puts in the log at each commit: the same XXHash64 that {@code Volume.hash}
         * computes, in one call over the array instead of MapDB's streaming JNI hasher, which is
         * allocated per call and released through a finalizer.
         */
        @Override
        public long hash(long off, long len, long seed) {
            return HASH.hash(at(off, (int) len), (int) off, (int) len, seed);
        }

        @Override
        public void close() {
            if (closed.getAndSet(true)) {
                return;
            }
            byte[] b = buf;
            // Closed for good: a late access fails (VolumeEOF) instead of reaching the next log's bytes.
            buf = NONE;
            if (b.length <= KEEP) {
                // A new log reads as zeros where nothing was written, as a new array would.
                Arrays.fill(b, 0, Math.min(touched, b.length), (byte) 0);
                spare.set(b);
            }
        }

        @Override
        public void sync() {
            // Nothing to make durable: see the class comment of Volumes.
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
            return buf.length;
        }

        @Override
        public boolean isReadOnly() {
            return false;
        }

        @Override
        public File getFile() {
            return null;
        }

        @Override
        public boolean getFileLocked() {
            return false;
        }

        private static final net.jpountz.xxhash.XXHash64 HASH = net.jpountz.xxhash.XXHashFactory.fastestInstance().hash64();
        private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles
                .byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
        private static final java.lang.invoke.VarHandle INTS = java.lang.invoke.MethodHandles
                .byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);
    }
}

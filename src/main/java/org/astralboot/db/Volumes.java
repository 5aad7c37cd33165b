package org.astralboot.db;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.Arrays;
import org.mapdb.DBException;
import org.mapdb.DataInput2;
import org.mapdb.volume.ByteBufferVol;
import org.mapdb.volume.Volume;
import org.mapdb.volume.VolumeFactory;

/**
 * The MapDB volumes behind {@link Database}: the store file memory-mapped and made durable with one
 * {@code fdatasync}, and MapDB's write-ahead log kept on the heap.
 *
 * <p>Why not MapDB's own {@code fileMmapEnable()} volumes:
 * <ul>
 *   <li>{@code MappedFileVol.sync()} calls {@code MappedByteBuffer.force()} once per 1 MiB slice, and on
 *       Linux each of those is an {@code msync(MS_SYNC)}, i.e. a full {@code fsync} with its device
 *       flush. A commit of a 12 MiB file cost twelve flushes, and the cost grew with the file. On
 *       Linux a shared file mapping is the page cache itself, so one {@code fdatasync} of the file
 *       descriptor writes back every page dirtied through the mapping: the same durability, one flush.
 *   <li>MapDB 3.1.0's {@code StoreWAL} writes its log on every commit (create a file, extend it, map it,
 *       fault its pages in, sync, unmap, delete), but no code path in 3.1.0 ever reads a log back after a
 *       crash ({@code WriteAheadLog.open}/{@code replayWAL} have no caller). The log's only readers are
 *       the running process (uncommitted records, and the copy into the store at commit). Keeping it
 *       on the heap removes five syscalls and a flush per commit and changes nothing about recovery.
 * </ul>
 * What survives a crash is therefore exactly what MapDB's store file holds after the commit's
 * {@code fdatasync}: every committed write; uncommitted writes never reach the file (the store keeps
 * them in the log until commit). Like stock MapDB 3.1.0, a power cut <em>during</em> a commit's write-back
 * is not repaired on the next start.
 */
final class Volumes extends VolumeFactory {
    /** Suffix MapDB gives its log files ({@code <db>.wal.<n>}). */
    private static final String LOG_SUFFIX = ".wal.";

    @Override
    public Volume makeVolume(String file, boolean readOnly, long fileLockWait, int sliceShift, long initSize,
            boolean fixedSize) {
        if (file != null && file.contains(LOG_SUFFIX)) {
            return new HeapLog();
        }
        return new MappedFile(new File(file), readOnly, sliceShift, initSize);
    }

    @Override
    public boolean exists(String file) {
        return file != null && !file.contains(LOG_SUFFIX) && new File(file).exists();
    }

    @Override
    public boolean handlesReadonly() {
        return true;
    }

    /**
     * The store file, mapped in slices of {@code 1 << sliceShift} bytes, locked exclusively for the life
     * of the volume. Growing maps further slices (the JDK extends the file, which reads back as zeros).
     */
    static final class MappedFile extends ByteBufferVol {
        private final File file;
        private final RandomAccessFile raf;
        private final FileChannel channel;
        private final FileChannel.MapMode mode;
        private final FileLock lock;

        MappedFile(File file, boolean readOnly, int sliceShift, long initSize) {
            super(readOnly, sliceShift, false);
            this.file = file;
            this.mode = readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE;
            RandomAccessFile r = null;
            try {
                r = new RandomAccessFile(file, readOnly ? "r" : "rw");
                FileChannel ch = r.getChannel();
                FileLock l;
                try {
                    l = readOnly ? ch.tryLock(0, Long.MAX_VALUE, true) : ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null; // held by this process through another channel
                }
                if (l == null) {
                    throw new DBException.FileLocked(file.toPath(), null);
                }
                this.raf = r;
                this.channel = ch;
                this.lock = l;
                long size = Math.max(ch.size(), readOnly ? 0 : initSize);
                slices = mapped(new ByteBuffer[0], (int) ((size + sliceSize - 1) >>> sliceShift));
            } catch (IOException e) {
                closeQuietly(r);
                throw new DBException.VolumeIOError(e);
            } catch (RuntimeException e) {
                closeQuietly(r);
                throw e;
            }
        }

        private static void closeQuietly(RandomAccessFile r) {
            if (r != null) {
                try {
                    r.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }

        @Override
        public void ensureAvailable(long offset) {
            int want = (int) ((offset + sliceSize - 1) >>> sliceShift);
            if (want <= slices.length) {
                return;
            }
            growLock.lock();
            try {
                ByteBuffer[] s = slices;
                if (want <= s.length) {
                    return;
                }
                slices = mapped(s, want);
            } catch (IOException e) {
                throw new DBException.VolumeIOError(e);
            } finally {
                growLock.unlock();
            }
        }

        /** {@code have} followed by the mappings of slices {@code have.length} to {@code want - 1}. */
        private ByteBuffer[] mapped(ByteBuffer[] have, int want) throws IOException {
            ByteBuffer[] grown = Arrays.copyOf(have, want);
            for (int i = have.length; i < want; i++) {
                grown[i] = channel.map(mode, (long) i << sliceShift, sliceSize);
            }
            return grown;
        }

        /** One {@code fdatasync}: writes back every page dirtied through the mapping (see the class comment). */
        @Override
        public void sync() {
            if (readOnly) {
                return;
            }
            try {
                channel.force(false);
            } catch (IOException e) {
                throw new DBException.VolumeIOError(e);
            }
        }

        @Override
        public void truncate(long size) {
            int keep = (int) ((size + sliceSize - 1) >>> sliceShift);
            growLock.lock();
            try {
                if (keep >= slices.length) {
                    ensureAvailable(size);
                    return;
                }
                slices = Arrays.copyOf(slices, keep);
                channel.truncate((long) keep << sliceShift);
            } catch (IOException e) {
                throw new DBException.VolumeIOError(e);
            } finally {
                growLock.unlock();
            }
        }

        @Override
        public void close() {
            growLock.lock();
            try {
                if (!closed.compareAndSet(false, true)) {
                    return;
                }
                if (lock.isValid()) {
                    lock.release();
                }
                channel.close();
                raf.close();
                slices = new ByteBuffer[0];
            } catch (IOException e) {
                throw new DBException.VolumeIOError(e);
            } finally {
                growLock.unlock();
            }
        }

        @Override
        public long length() {
            return file.length();
        }

        @Override
        public boolean isReadOnly() {
            return readOnly;
        }

        @Override
        public File getFile() {
            return file;
        }

        @Override
        public boolean getFileLocked() {
            return lock.isValid();
        }

        @Override
        public boolean fileLoad() {
            for (ByteBuffer b : slices) {
                if (b instanceof MappedByteBuffer m) {
                    m.load();
                }
            }
            return true;
        }
    }

    /**
     * One log file's contents on the heap, in a single array that doubles as it fills (a lease commit
     * writes a few KiB; MapDB caps a log file at 16 MiB). Has no file: {@link #getFile()} is
     * {@code null}, so MapDB's delete of the log is a no-op.
     */
    static final class HeapLog extends Volume {
        private byte[] buf = new byte[16 * 1024];

        private byte[] at(long offset, int len) {
            long end = offset + len;
            if (offset < 0 || end > buf.length) {
                throw new DBException.VolumeEOF("log read past " + buf.length + " at " + offset);
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
            closed.set(true);
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

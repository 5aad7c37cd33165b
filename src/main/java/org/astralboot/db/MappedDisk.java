package org.astralboot.db;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The store file as a {@link Disk}: memory-mapped in slices of 1 MiB, so the reads MapDB makes for
 * every lookup cost a copy and no system call, and locked exclusively for the life of the object
 * (a second process gets {@link DatabaseLockedException}). {@link #force()} is one {@code fdatasync}
 * of the descriptor: on Linux a shared mapping is the page cache itself, so it writes back every page
 * dirtied through the mapping. The file's length stays a multiple of the slice size, so no mapped
 * byte ever lies past the end of the file.
 */
final class MappedDisk implements Disk {
    static final int SLICE_SHIFT = 20;
    private static final int SLICE = 1 << SLICE_SHIFT;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private volatile ByteBuffer[] slices;

    MappedDisk(Path file) throws IOException {
        this.file = file;
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // held by this process through another channel
            }
            if (l == null) {
                throw new DatabaseLockedException(file);
            }
            this.channel = ch;
            this.lock = l;
            this.slices = mapped(new ByteBuffer[0], (int) ((ch.size() + SLICE - 1) >>> SLICE_SHIFT));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private ByteBuffer[] mapped(ByteBuffer[] have, int want) throws IOException {
        ByteBuffer[] grown = Arrays.copyOf(have, want);
        for (int i = have.length; i < want; i++) {
            grown[i] = channel.map(FileChannel.MapMode.READ_WRITE, (long) i << SLICE_SHIFT, SLICE);
        }
        return grown;
    }

    @Override
    public void read(long offset, byte[] dst, int pos, int len) throws IOException {
        ByteBuffer[] s = slices;
        while (len > 0) {
            int i = (int) (offset >>> SLICE_SHIFT);
            int in = (int) (offset & (SLICE - 1));
            int n = Math.min(len, SLICE - in);
            if (i < s.length) {
                s[i].get(in, dst, pos, n);
            } else {
                Arrays.fill(dst, pos, pos + n, (byte) 0);
            }
            offset += n;
            pos += n;
            len -= n;
        }
    }

    @Override
    public long readLong(long offset) throws IOException {
        ByteBuffer[] s = slices;
        int i = (int) (offset >>> SLICE_SHIFT);
        int in = (int) (offset & (SLICE - 1));
        if (i < s.length && in <= SLICE - 8) {
            return s[i].getLong(in); // mapped buffers are big-endian
        }
        return Disk.super.readLong(offset);
    }

    @Override
    public void write(long offset, byte[] src, int pos, int len) throws IOException {
        int want = (int) ((offset + len + SLICE - 1) >>> SLICE_SHIFT);
        ByteBuffer[] s = slices;
        if (want > s.length) {
            synchronized (this) {
                s = slices;
                if (want > s.length) {
                    s = mapped(s, want);
                    slices = s;
                }
            }
        }
        while (len > 0) {
            int i = (int) (offset >>> SLICE_SHIFT);
            int in = (int) (offset & (SLICE - 1));
            int n = Math.min(len, SLICE - in);
            s[i].put(in, src, pos, n);
            offset += n;
            pos += n;
            len -= n;
        }
    }

    @Override
    public void force() throws IOException {
        channel.force(false);
    }

    @Override
    public synchronized void truncate(long size) throws IOException {
        int keep = (int) ((size + SLICE - 1) >>> SLICE_SHIFT);
        if (keep >= slices.length) {
            return;
        }
        slices = Arrays.copyOf(slices, keep);
        channel.truncate((long) keep << SLICE_SHIFT);
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void close() throws IOException {
        if (lock.isValid()) {
            lock.release();
        }
        channel.close();
        slices = new ByteBuffer[0];
    }
}

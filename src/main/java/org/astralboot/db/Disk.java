package org.astralboot.db;

import java.io.Closeable;
import java.io.IOException;

/**
 * The durable medium under the database: one file's bytes, as the store ({@link StoreVolume}) and the
 * redo log ({@link RedoLog}) see it. The contract is the POSIX one the recovery relies on: a
 * {@link #write} or {@link #truncate} is visible to later reads at once but may be lost, torn or
 * reordered by a power cut until {@link #force()} returns; after {@code force()} it survives.
 * Tests substitute a disk that forgets unforced writes to check exactly that.
 */
interface Disk extends Closeable {
    /** Reads {@code len} bytes at {@code offset}; bytes past {@link #size()} read as zeros. */
    void read(long offset, byte[] dst, int pos, int len) throws IOException;

    /** The big-endian long at {@code offset} (MapDB's byte order); a disk may read it without a copy. */
    default long readLong(long offset) throws IOException {
        byte[] b = new byte[8];
        read(offset, b, 0, 8);
        return java.nio.ByteBuffer.wrap(b).getLong();
    }

    /** Writes {@code len} bytes at {@code offset}, growing the file when needed. */
    void write(long offset, byte[] src, int pos, int len) throws IOException;

    /** {@code fdatasync}: every write and truncate done before this call is durable when it returns. */
    void force() throws IOException;

    void truncate(long size) throws IOException;

    long size() throws IOException;

    @Override
    void close() throws IOException;
}

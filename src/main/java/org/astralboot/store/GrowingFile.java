package org.astralboot.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A range of a {@link BootFile} in a local file that may still be filling (a download in
 * progress), for senders that hand file pages to the socket ({@code sendfile}) instead of copying
 * the bytes through a buffer. The sender sends from {@link #channel()} at absolute positions,
 * asks {@link #readable} how far the file is filled before each send, and calls {@link #finish}
 * before the last byte, so that a file which fails its final check is never sent as complete.
 */
public interface GrowingFile extends Closeable {

    /** Open for reading; positions are offsets in the whole file. */
    FileChannel channel();

    /**
     * Waits until byte {@code pos} is in {@link #channel()} and returns the end (exclusive) of the
     * bytes that are now.
     *
     * @throws BootStoreException when the file will never hold byte {@code pos} (the download
     *                            failed)
     */
    long readable(long pos) throws IOException;

    /**
     * Before the last byte of the range is sent: when the range ends at the end of the file, waits
     * until the store has accepted the whole file (length against the source, checksum) and throws
     * its error if it has not; a range that ends earlier returns at once.
     */
    void finish() throws IOException;
}

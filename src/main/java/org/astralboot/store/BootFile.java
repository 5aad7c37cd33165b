package org.astralboot.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A regular file of a boot tree. Size and validators are known before any byte is read, so HTTP
 * can always send Content-Length and TFTP can answer tsize (RFC 2349).
 */
public interface BootFile {

    TreePath path();

    /** Exact length in bytes. */
    long size();

    /** Strong validator for HTTP ETag (without quotes): the CID for IPFS content. */
    String etag();

    Instant lastModified();

    /** True when the content can never change under this name (content-addressed). */
    boolean immutable();

    /**
     * Opens {@code length} bytes starting at {@code offset}. The stream yields exactly that many
     * bytes or throws: a source that ends early raises {@link BootStoreException} of kind
     * {@code CORRUPT} rather than returning a short file.
     */
    InputStream open(long offset, long length) throws IOException;

    /** Opens the whole file. */
    default InputStream open() throws IOException {
        return open(0, size());
    }

    /**
     * The same bytes as {@link #open(long, long)}, as a channel, for senders that write from
     * direct buffers. Same contract: exactly {@code length} bytes, and -1 only once the store has
     * accepted the whole file (a check at its end is reported by the read that would return -1).
     * Stores that can fill a direct buffer without a copy through the heap override it.
     */
    default ReadableByteChannel openChannel(long offset, long length) throws IOException {
        return Channels.newChannel(open(offset, length));
    }

    /**
     * Bytes {@code [offset, offset + length)} in a local file that is still filling, when the
     * store has one (a download in progress, joined or started for this read), for zero-copy
     * sends; empty otherwise. Callers try {@link #localPath()} first.
     */
    default Optional<GrowingFile> openGrowing(long offset, long length) throws IOException {
        return Optional.empty();
    }

    /** A local file holding exactly this content, when there is one (for zero-copy sends). */
    default Optional<Path> localPath() {
        return Optional.empty();
    }
}

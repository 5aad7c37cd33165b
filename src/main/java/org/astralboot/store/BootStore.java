package org.astralboot.store;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A read-only boot tree: the local data folder ({@code -l}) or a tree named by IPFS CIDs. HTTP and
 * TFTP reach files only through this interface, and every implementation guarantees that no path
 * can reach outside the tree (symbolic links included).
 *
 * <p>Layout: {@code tftp/} iPXE binaries; {@code boot/<os>/os.toml}; {@code boot/<os>/images/...};
 * {@code boot/<os>/template/...}.
 */
public interface BootStore extends Closeable {

    /** An entry of a directory listing. */
    record Entry(String name, boolean directory, long size) {
    }

    /** For logs: {@code local:/srv/data} or {@code ipfs:bafy...}. */
    String describe();

    /** The entries of directory {@code dir}, sorted by name; empty when it is not a directory. */
    Optional<List<Entry>> list(TreePath dir) throws BootStoreException;

    /** The regular file at {@code path}; empty when there is none. */
    Optional<BootFile> file(TreePath path) throws BootStoreException;

    @Override
    default void close() throws IOException {
    }
}

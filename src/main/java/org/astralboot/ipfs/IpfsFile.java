package org.astralboot.ipfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.astralboot.ipfs.IpfsBootStore.FileInfo;
import org.astralboot.ipfs.cache.BlobCache;
import org.astralboot.store.BootFile;
import org.astralboot.store.GrowingFile;
import org.astralboot.store.TreePath;

/**
 * A file of the IPFS tree: immutable (its etag is its CID), content through the cache. Its
 * modification time is the store's start, as a CID has none.
 */
final class IpfsFile implements BootFile {
    private final FileInfo info;
    private final BlobCache cache;
    private final Instant started;

    IpfsFile(FileInfo info, BlobCache cache, Instant started) {
        this.info = info;
        this.cache = cache;
        this.started = started;
    }

    @Override
    public TreePath path() {
        return info.path();
    }

    @Override
    public long size() {
        return info.size();
    }

    @Override
    public String etag() {
        return info.cid();
    }

    @Override
    public Instant lastModified() {
        return started;
    }

    @Override
    public boolean immutable() {
        return true;
    }

    @Override
    public InputStream open(long offset, long length) throws IOException {
        return cache.open(info.cid(), info.size(), offset, length, info.path().toString());
    }

    @Override
    public Optional<GrowingFile> openGrowing(long offset, long length) throws IOException {
        return cache.openGrowing(info.cid(), info.size(), offset, length, info.path().toString());
    }

    @Override
    public ReadableByteChannel openChannel(long offset, long length) throws IOException {
        return cache.open(info.cid(), info.size(), offset, length, info.path().toString());
    }

    @Override
    public Optional<Path> localPath() {
        return cache.cached(info.cid(), info.size());
    }

    @Override
    public String toString() {
        return info.path() + " (" + info.cid() + ", " + info.size() + " bytes)";
    }
}

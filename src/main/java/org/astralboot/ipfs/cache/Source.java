package org.astralboot.ipfs.cache;

import java.io.IOException;
import org.astralboot.ipfs.kubo.ChannelStream;
import org.astralboot.ipfs.kubo.VerifiedSource;

/**
 * Where the cache gets file content from: in service a {@link VerifiedSource} (every block checked
 * against its CID before a byte is released); in unit tests a fake stream.
 */
@FunctionalInterface
interface Source {
    /**
     * The bytes {@code [offset, offset + length)} of the file {@code cid} of {@code size} bytes.
     * Opening and reading throw {@link org.astralboot.ipfs.kubo.KuboException} for the connection,
     * {@link org.astralboot.ipfs.verify.VerificationException} for content that is not the file's.
     */
    ChannelStream open(String cid, long size, long offset, long length) throws IOException;
}

package org.astralboot.ipfs.verify;

import java.io.Closeable;
import java.io.IOException;

/**
 * Untrusted blocks in the order a depth-first walk of a DAG meets them, for
 * {@link VerifiedFileReader}: a CAR stream ({@link CarReader}) or blocks fetched one by one
 * or rebuilt ({@code org.astralboot.ipfs.kubo.GatewayBlocks}). Nothing here is checked; the reader checks
 * each block against the CID its walk expects.
 */
public interface BlockStream extends Closeable {
    /**
     * The next block, or null at the end; {@code reuse}, when not null, is an array the caller is
     * done with, which the stream may fill again (saving 100 MiB of new heap per 100 MiB file).
     */
    CarReader.Block next(byte[] reuse) throws IOException;

    /**
     * Another copy of {@code cid}, the block just handed out, which did not hash to it: asked by
     * itself from the source, when the one handed out was not the source's own block but rebuilt
     * from unverifiable data (a gateway's plain file bytes). Null when there is no other copy: the
     * failure stands. The copy is checked like any block.
     */
    default CarReader.Block again(Cid cid) throws IOException {
        return null;
    }
}

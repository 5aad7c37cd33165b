package org.astralboot.ipfs.cache;

import java.io.IOException;
import org.astralboot.ipfs.kubo.ChannelStream;

/**
 * Bytes of a blob, read as a stream or into (direct) buffers as a channel: exactly the asked
 * length, then -1 once the store accepted the whole file.
 */
public abstract class BlobStream extends ChannelStream {
    private boolean open = true;

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
    }
}

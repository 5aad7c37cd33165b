package org.astralboot.ipfs.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.astralboot.ipfs.kubo.ChannelStream;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.astralboot.ipfs.verify.VerificationException;

/** A range streamed straight from the node: turns the client's failures into the store's, mid-stream too. */
final class MappedStream extends BlobStream {
    private final ChannelStream in;
    private final String label;
    private final NodeHealth health;

    MappedStream(ChannelStream in, String label, NodeHealth health) {
        this.in = in;
        this.label = label;
        this.health = health;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        try {
            return in.read(dst);
        } catch (KuboException e) {
            health.failed(e);
            throw Failures.map(label, e);
        } catch (VerificationException e) {
            throw Failures.refused(label, e);
        }
    }

    @Override
    public void close() throws IOException {
        super.close();
        in.close();
    }
}

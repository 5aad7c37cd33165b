package org.astralboot.db;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A {@link Disk} on a file through positional {@code pread}/{@code pwrite}: the redo log, which is
 * only appended to while running and read once at open.
 */
final class ChannelDisk implements Disk {
    private final FileChannel channel;

    ChannelDisk(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Override
    public void read(long offset, byte[] dst, int pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst, pos, len);
        while (b.hasRemaining()) {
            int n = channel.read(b, offset + (b.position() - pos));
            if (n < 0) {
                while (b.hasRemaining()) {
                    b.put((byte) 0);
                }
            }
        }
    }

    @Override
    public void write(long offset, byte[] src, int pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(src, pos, len);
        while (b.hasRemaining()) {
            channel.write(b, offset + (b.position() - pos));
        }
    }

    @Override
    public void force() throws IOException {
        channel.force(false);
    }

    @Override
    public void truncate(long size) throws IOException {
        channel.truncate(size);
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

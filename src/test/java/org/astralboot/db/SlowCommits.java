package org.astralboot.db;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A database whose commits take as long as the test says: the redo log's {@code fdatasync} sleeps
 * first, as a real one does while the disk writes back other files' data. For tests of code that
 * must not wait for a commit running on the database's commit thread.
 */
public final class SlowCommits implements Disk {
    private final ChannelDisk log;
    private volatile long delayMillis;
    private volatile boolean forcing;

    private SlowCommits(Path file) throws IOException {
        this.log = new ChannelDisk(file);
    }

    /** Opens (or creates) the database at {@code file}; {@code slow} is set to its log. */
    public static Database open(Path file, SlowCommits[] slow) throws IOException {
        SlowCommits s = new SlowCommits(Database.redoFile(file));
        slow[0] = s;
        return Database.open(file, new MappedDisk(file), s, StoreVolume.CHECKPOINT);
    }

    /** From now on each commit's fdatasync first sleeps {@code millis}. */
    public void delay(long millis) {
        delayMillis = millis;
    }

    /** Whether a commit is inside its fdatasync now. */
    public boolean forcing() {
        return forcing;
    }

    @Override
    public void read(long offset, byte[] dst, int pos, int len) throws IOException {
        log.read(offset, dst, pos, len);
    }

    @Override
    public void write(long offset, byte[] src, int pos, int len) throws IOException {
        log.write(offset, src, pos, len);
    }

    @Override
    public void force() throws IOException {
        forcing = true;
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            forcing = false;
        }
        log.force();
    }

    @Override
    public void truncate(long size) throws IOException {
        log.truncate(size);
    }

    @Override
    public long size() throws IOException {
        return log.size();
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}

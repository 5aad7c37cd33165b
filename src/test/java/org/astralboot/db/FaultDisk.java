package org.astralboot.db;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A {@link Disk} in memory that models a power cut: it knows which writes were forced, and
 * {@link #afterPowerLoss} builds the disk as it could be found after one, every write and truncate
 * since the last {@link #force()} kept or lost in 512-byte sectors, in any subset and order. A shared
 * {@link Crash} stops the writing process at a chosen operation, as a crash at that moment would.
 */
final class FaultDisk implements Disk {
    static final int SECTOR = 512;

    /**
     * Counts operations on every disk of one process; operation number {@code at} (from 1) and every
     * later one throw without taking effect. {@code Long.MAX_VALUE}: never.
     */
    static final class Crash {
        private long left;
        long ops;

        Crash(long at) {
            this.left = at;
        }

        boolean fired() {
            return left == 0;
        }

        void tick() throws IOException {
            ops++;
            if (left == 0 || --left == 0) {
                throw new IOException("simulated crash");
            }
        }
    }

    /** A write or (data == null) a truncate not yet forced. */
    private record Op(long offset, byte[] data) {
    }

    private final Crash crash;
    private byte[] durable;
    private byte[] current;
    private final List<Op> pending = new ArrayList<>();

    FaultDisk(Crash crash, byte[] durable) {
        this.crash = crash;
        this.durable = durable.clone();
        this.current = durable.clone();
    }

    private static byte[] resized(byte[] b, long size) {
        return Arrays.copyOf(b, Math.toIntExact(size));
    }

    private static byte[] write(byte[] b, long offset, byte[] src, int pos, int len) {
        if (offset + len > b.length) {
            b = resized(b, offset + len);
        }
        System.arraycopy(src, pos, b, (int) offset, len);
        return b;
    }

    @Override
    public void read(long offset, byte[] dst, int pos, int len) throws IOException {
        Arrays.fill(dst, pos, pos + len, (byte) 0);
        if (offset < current.length) {
            System.arraycopy(current, (int) offset, dst, pos, (int) Math.min(len, current.length - offset));
        }
    }

    @Override
    public void write(long offset, byte[] src, int pos, int len) throws IOException {
        crash.tick();
        current = write(current, offset, src, pos, len);
        pending.add(new Op(offset, Arrays.copyOfRange(src, pos, pos + len)));
    }

    @Override
    public void force() throws IOException {
        crash.tick();
        durable = current.clone();
        pending.clear();
    }

    @Override
    public void truncate(long size) throws IOException {
        crash.tick();
        if (size < current.length) {
            current = resized(current, size);
        }
        pending.add(new Op(size, null));
    }

    @Override
    public long size() {
        return current.length;
    }

    @Override
    public void close() {
    }

    /** The bytes this disk could hold after a power cut now: the forced state plus any sectors of what followed. */
    byte[] afterPowerLoss(Random rnd) {
        List<Op> pieces = new ArrayList<>();
        for (Op op : pending) {
            if (op.data() == null) {
                pieces.add(op);
                continue;
            }
            long o = op.offset();
            int i = 0;
            while (i < op.data().length) {
                int n = (int) Math.min(op.data().length - i, SECTOR - (o + i) % SECTOR);
                pieces.add(new Op(o + i, Arrays.copyOfRange(op.data(), i, i + n)));
                i += n;
            }
        }
        double keep = rnd.nextDouble();
        if (rnd.nextBoolean()) {
            Collections.shuffle(pieces, rnd);
        }
        byte[] b = durable.clone();
        for (Op p : pieces) {
            if (rnd.nextDouble() >= keep) {
                continue;
            }
            if (p.data() == null) {
                if (p.offset() < b.length) {
                    b = resized(b, p.offset());
                }
            } else {
                b = write(b, p.offset(), p.data(), 0, p.data().length);
            }
        }
        return b;
    }
}

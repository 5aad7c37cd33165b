package org.astralboot.ipfs;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Precache progress: a one-line bar redrawn with {@code \r} on a terminal (bytes done of total,
 * files, rate, ETA), plain lines otherwise (every few seconds and per finished file), so logs and
 * CI output stay readable.
 */
final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final long totalBytes;
    private final int totalFiles;
    private final long startBytes;
    private final long t0 = System.nanoTime();
    private long lastPrint;
    private int lastLen;

    Progress(PrintStream out, boolean terminal, long totalBytes, int totalFiles, long startBytes) {
        this.out = out;
        this.terminal = terminal;
        this.totalBytes = totalBytes;
        this.totalFiles = totalFiles;
        this.startBytes = startBytes;
    }

    /** Redraws (terminal) or prints a line at most every 5 s (plain). */
    void update(long doneBytes, int doneFiles) {
        long now = System.nanoTime();
        long gap = terminal ? 200_000_000L : 5_000_000_000L;
        if (now - lastPrint < gap) {
            return;
        }
        lastPrint = now;
        print(doneBytes, doneFiles);
    }

    /** A line for a finished file (plain mode), or a redraw (terminal). */
    void fileDone(String path, long doneBytes, int doneFiles) {
        if (terminal) {
            print(doneBytes, doneFiles);
        } else {
            out.printf(Locale.ROOT, "precache: [%d/%d] %s  %s of %s%n", doneFiles, totalFiles, path, bytes(doneBytes),
                    bytes(totalBytes));
            out.flush();
        }
    }

    void finish(long doneBytes, int doneFiles) {
        print(doneBytes, doneFiles);
        if (terminal) {
            out.println();
        }
        out.flush();
    }

    private void print(long done, int files) {
        double secs = Math.max(1e-3, (System.nanoTime() - t0) / 1e9);
        double rate = (done - startBytes) / secs;
        String eta = rate <= 0 ? "--:--" : clock((long) ((totalBytes - done) / rate));
        String stats = String.format(Locale.ROOT, "%s / %s  %d/%d files  %s/s  ETA %s", bytes(done), bytes(totalBytes),
                files, totalFiles, bytes((long) rate), eta);
        if (terminal) {
            int width = 30;
            int fill = totalBytes == 0 ? width : (int) (width * Math.min(1.0, (double) done / totalBytes));
            String line = "[" + "#".repeat(fill) + ".".repeat(width - fill) + "] " + stats;
            int pad = Math.max(0, lastLen - line.length());
            out.print("\r" + line + " ".repeat(pad));
            lastLen = line.length();
        } else {
            out.println("precache: " + stats);
        }
        out.flush();
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
    }

    static String clock(long s) {
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}

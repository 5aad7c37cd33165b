package org.astralboot.tftp.codec;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Converts a local (Unix) text file to netascii as it is read: LF becomes CR LF and a bare CR
 * becomes CR NUL (RFC 1350 §1 via RFC 764). Other bytes pass unchanged.
 */
public final class NetasciiInputStream extends FilterInputStream {
    /** A byte still owed after a CR, or -1. */
    private int pending = -1;

    public NetasciiInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        if (pending >= 0) {
            int p = pending;
            pending = -1;
            return p;
        }
        int c = in.read();
        if (c == '\n') {
            pending = '\n';
            return '\r';
        }
        if (c == '\r') {
            pending = 0;
            return '\r';
        }
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len) {
            if (n > 0 && pending < 0 && in.available() <= 0) {
                break;
            }
            int c = read();
            if (c < 0) {
                break;
            }
            b[off + n++] = (byte) c;
        }
        return n == 0 ? -1 : n;
    }

    @Override
    public long skip(long n) throws IOException {
        long k = 0;
        while (k < n && read() >= 0) {
            k++;
        }
        return k;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}

package org.astralboot.http;

import java.util.Optional;

/**
 * One byte range of a {@code Range: bytes=...} header (RFC 9110 §14.1.2), resolved against the
 * representation's length. Only single ranges are served; a header with several ranges, or one
 * that does not parse, is ignored (the full file is sent, which §14.2 allows).
 *
 * @param first first byte, inclusive
 * @param last  last byte, inclusive
 */
record ByteRange(long first, long last) {

    long length() {
        return last - first + 1;
    }

    /** {@code Content-Range} value of a 206 reply: {@code bytes 0-99/1234}. */
    String contentRange(long size) {
        return "bytes " + first + "-" + last + "/" + size;
    }

    /** Outcome of parsing a Range header. */
    sealed interface Result permits Full, Partial, Unsatisfiable {
    }

    /** No usable Range: send the whole file (200). */
    record Full() implements Result {
    }

    /** Send this range (206). */
    record Partial(ByteRange range) implements Result {
    }

    /** The range lies beyond the end (416, {@code Content-Range: bytes *}{@code /size}). */
    record Unsatisfiable() implements Result {
    }

    static final Result FULL = new Full();

    /** Parses {@code header} (may be null) for a file of {@code size} bytes. */
    static Result parse(String header, long size) {
        if (header == null) {
            return FULL;
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return FULL; // other units are ignored (§14.2)
        }
        String spec = h.substring(6).trim();
        if (spec.indexOf(',') >= 0) {
            return FULL; // multipart/byteranges is not offered; iPXE asks for one range at a time
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return FULL;
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        Optional<Long> first = number(a);
        Optional<Long> last = number(b);
        if (a.isEmpty()) {
            // suffix range: the last N bytes
            if (last.isEmpty()) {
                return FULL;
            }
            long n = last.get();
            if (n == 0 || size == 0) {
                return new Unsatisfiable();
            }
            return new Partial(new ByteRange(Math.max(0, size - n), size - 1));
        }
        if (first.isEmpty() || (!b.isEmpty() && last.isEmpty())) {
            return FULL;
        }
        long f = first.get();
        if (!b.isEmpty() && last.get() < f) {
            return FULL; // invalid range-spec: ignore the header
        }
        if (f >= size) {
            return new Unsatisfiable();
        }
        long l = b.isEmpty() ? size - 1 : last.get();
        return new Partial(new ByteRange(f, Math.min(l, size - 1)));
    }

    private static Optional<Long> number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return Optional.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return Optional.empty();
            }
        }
        return Optional.of(Long.parseLong(s));
    }
}

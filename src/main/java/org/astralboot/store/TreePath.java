package org.astralboot.store;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated path inside a boot tree: a non-empty list of plain names. It cannot name anything
 * outside the tree: parsing rejects {@code .} and {@code ..} segments, backslashes, NUL and other
 * control characters, {@code %} (so percent-encoding tricks that survive one decoding pass are
 * refused rather than decoded twice), and over-long names. Empty segments from doubled or
 * trailing slashes are dropped.
 */
public record TreePath(List<String> segments) {
    /** Longest accepted segment (a common file-system limit). */
    public static final int MAX_SEGMENT = 255;
    /** Longest accepted path, in characters. */
    public static final int MAX_LENGTH = 1024;
    /** Deepest accepted path. */
    public static final int MAX_DEPTH = 32;

    /** The root of the tree. */
    public static final TreePath ROOT = new TreePath(List.of());

    public TreePath {
        segments = List.copyOf(segments);
        for (String s : segments) {
            check(s);
        }
    }

    /**
     * Parses a slash-separated relative path. A single leading slash is rejected: callers that
     * tolerate one (TFTP clients often send {@code /pxelinux.0}) strip it first, deliberately.
     *
     * @throws InvalidPathException with a reason fit for a log line or a client error message
     */
    public static TreePath parse(String raw) throws InvalidPathException {
        if (raw == null) {
            throw new InvalidPathException("missing path");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new InvalidPathException("path longer than " + MAX_LENGTH + " characters");
        }
        if (raw.startsWith("/")) {
            throw new InvalidPathException("absolute path");
        }
        List<String> out = new ArrayList<>();
        for (String s : raw.split("/", -1)) {
            if (s.isEmpty()) {
                continue;
            }
            String reason = reason(s);
            if (reason != null) {
                throw new InvalidPathException(reason);
            }
            out.add(s);
        }
        if (out.size() > MAX_DEPTH) {
            throw new InvalidPathException("path deeper than " + MAX_DEPTH);
        }
        return new TreePath(out);
    }

    /**
     * The name a client sent as bytes, decoded as strict UTF-8: malformed or truncated sequences
     * and overlong forms are refused, never replaced (a replacement character would make two
     * different names equal, and an overlong {@code 0xC0 0xAE} would be a second spelling of
     * {@code .}). The one decoding of request names for TFTP (RFC 1350 leaves the charset open;
     * Linux clients send UTF-8) and HTTP (RFC 3986 §2.5: UTF-8 octets, percent-encoded or raw),
     * independent of the JVM's locale, so a name means the same file over both.
     *
     * @throws InvalidPathException when the bytes are not UTF-8
     */
    public static String utf8(byte[] bytes) throws InvalidPathException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidPathException("name is not valid UTF-8");
        }
    }

    /** Joins {@code parts}, each of which is parsed as a relative path. */
    public static TreePath of(String... parts) throws InvalidPathException {
        TreePath p = ROOT;
        for (String part : parts) {
            p = p.resolve(parse(part));
        }
        return p;
    }

    private static void check(String s) {
        String reason = reason(s);
        if (reason != null) {
            throw new IllegalArgumentException(reason + ": " + s);
        }
    }

    private static String reason(String s) {
        if (s.isEmpty()) {
            return "empty path segment";
        }
        if (s.equals(".") || s.equals("..")) {
            return "'.' or '..' in path";
        }
        if (s.length() > MAX_SEGMENT) {
            return "path segment longer than " + MAX_SEGMENT;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return "control character in path";
            }
            if (c == '\\') {
                return "backslash in path";
            }
            if (c == '%') {
                return "'%' in path";
            }
            if (c == '/') {
                return "slash in path segment";
            }
            if (c == ':' && i == 1 && Character.isLetter(s.charAt(0))) {
                return "drive letter in path";
            }
        }
        return null;
    }

    public TreePath resolve(TreePath child) {
        List<String> l = new ArrayList<>(segments);
        l.addAll(child.segments);
        return new TreePath(l);
    }

    /** Appends one name, which must itself be a valid single segment. */
    public TreePath child(String name) throws InvalidPathException {
        String reason = reason(name);
        if (reason != null) {
            throw new InvalidPathException(reason);
        }
        List<String> l = new ArrayList<>(segments);
        l.add(name);
        return new TreePath(l);
    }

    public boolean isRoot() {
        return segments.isEmpty();
    }

    /** Last segment, or "" for the root. */
    public String name() {
        return segments.isEmpty() ? "" : segments.get(segments.size() - 1);
    }

    public TreePath parent() {
        return segments.isEmpty() ? this : new TreePath(segments.subList(0, segments.size() - 1));
    }

    public boolean startsWith(TreePath prefix) {
        return segments.size() >= prefix.segments.size()
                && segments.subList(0, prefix.segments.size()).equals(prefix.segments);
    }

    /** The part after {@code prefix}; {@code startsWith(prefix)} must hold. */
    public TreePath relativize(TreePath prefix) {
        if (!startsWith(prefix)) {
            throw new IllegalArgumentException(this + " is not under " + prefix);
        }
        return new TreePath(segments.subList(prefix.segments.size(), segments.size()));
    }

    @Override
    public String toString() {
        return String.join("/", segments);
    }
}

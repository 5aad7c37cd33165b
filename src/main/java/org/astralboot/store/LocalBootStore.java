package org.astralboot.store;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The boot tree in a local folder. Every lookup resolves symbolic links and refuses any file whose
 * real path is not under the real path of the root, so a link pointing out of the tree is treated as
 * absent. Files are opened by their resolved path, not by the name that was checked.
 */
public final class LocalBootStore implements BootStore {
    private final Path root;

    /**
     * @throws IOException when {@code root} is not an existing directory
     */
    public LocalBootStore(Path root) throws IOException {
        Path real = root.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException("boot tree " + root + " is not a directory");
        }
        this.root = real;
    }

    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return "local:" + root;
    }

    /** The real path of {@code p} if it exists inside the tree; empty otherwise. */
    private Optional<Path> confine(TreePath p) throws BootStoreException {
        Path candidate = under(root, p);
        try {
            Path real = candidate.toRealPath();
            if (!real.startsWith(root)) {
                return Optional.empty();
            }
            return Optional.of(real);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // Loops, permission errors, a path component that is a file: none of them is servable.
            return Optional.empty();
        }
    }

    /**
     * {@code root/segments...} with each name as its UTF-8 bytes on disk, whatever the locale.
     * {@code Path.resolve(String)} would encode the names with {@code sun.jnu.encoding}, which
     * under the C locale is ASCII and throws for every other character (a 500 per request); a
     * {@code file:} URI carries the bytes percent-encoded, and the default file system turns its
     * escapes back into exactly those bytes.
     */
    static Path under(Path root, TreePath p) {
        if (p.isRoot()) {
            return root;
        }
        StringBuilder uri = new StringBuilder(root.toUri().getRawPath());
        if (uri.charAt(uri.length() - 1) != '/') {
            uri.append('/');
        }
        for (String s : p.segments()) {
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xFF;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                    uri.append((char) c);
                } else {
                    uri.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
                }
            }
            uri.append('/');
        }
        uri.setLength(uri.length() - 1);
        return Path.of(URI.create("file://" + uri));
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * The name of a directory entry as a client would send it: its bytes on disk decoded as strict
     * UTF-8, independent of the locale (the bytes come from the entry's {@code file:} URI).
     *
     * @throws InvalidPathException when the name is not UTF-8, so no client can ask for it
     */
    static String nameOf(Path entry) throws InvalidPathException {
        String raw = entry.toUri().getRawPath();
        if (raw.endsWith("/")) {
            raw = raw.substring(0, raw.length() - 1); // a directory
        }
        raw = raw.substring(raw.lastIndexOf('/') + 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) { // toUri escapes every byte it does not keep
                bytes.write(HexFormat.fromHexDigits(raw, i + 1, i + 3));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return TreePath.utf8(bytes.toByteArray());
    }

    @Override
    public Optional<List<Entry>> list(TreePath dir) throws BootStoreException {
        Optional<Path> real = confine(dir);
        if (real.isEmpty() || !Files.isDirectory(real.get())) {
            return Optional.empty();
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(real.get())) {
            for (Path child : (Iterable<Path>) s::iterator) {
                String name;
                TreePath tp;
                try {
                    name = nameOf(child);
                    tp = dir.child(name);
                } catch (InvalidPathException e) {
                    continue; // a name no client could ask for
                }
                Optional<Path> rc = confine(tp);
                if (rc.isEmpty()) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(rc.get(), BasicFileAttributes.class);
                if (a.isDirectory()) {
                    out.add(new Entry(name, true, 0));
                } else if (a.isRegularFile()) {
                    out.add(new Entry(name, false, a.size()));
                }
            }
        } catch (IOException e) {
            throw new BootStoreException(BootStoreException.Kind.IO, "cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(Entry::name));
        return Optional.of(out);
    }

    @Override
    public Optional<BootFile> file(TreePath path) throws BootStoreException {
        Optional<Path> real = confine(path);
        if (real.isEmpty()) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes a = Files.readAttributes(real.get(), BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new LocalFile(path, real.get(), a.size(), a.lastModifiedTime().toInstant()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private record LocalFile(TreePath path, Path real, long size, Instant lastModified) implements BootFile {
        @Override
        public String etag() {
            return Long.toHexString(size) + "-" + Long.toHexString(lastModified.toEpochMilli());
        }

        @Override
        public boolean immutable() {
            return false;
        }

        @Override
        public InputStream open(long offset, long length) throws IOException {
            if (offset < 0 || length < 0 || offset + length > size) {
                throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + size);
            }
            FileChannel ch = FileChannel.open(real, StandardOpenOption.READ);
            ch.position(offset);
            return new ExactLengthStream(Channels.newInputStream(ch), length, path);
        }

        @Override
        public Optional<Path> localPath() {
            return Optional.of(real);
        }
    }

    /** Yields exactly {@code length} bytes, failing if the file shrank underneath. */
    static final class ExactLengthStream extends FilterInputStream {
        private long remaining;
        private final TreePath path;

        ExactLengthStream(InputStream in, long length, TreePath path) {
            super(in);
            this.remaining = length;
            this.path = path;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b < 0) {
                throw short_();
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw short_();
            }
            remaining -= n;
            return n;
        }

        private IOException short_() {
            return new BootStoreException(BootStoreException.Kind.CORRUPT, path + " ended early",
                    new EOFException());
        }
    }
}

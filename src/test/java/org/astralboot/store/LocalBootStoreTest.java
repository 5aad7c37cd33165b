package org.astralboot.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBootStoreTest {
    @TempDir
    Path dir;
    Path root;
    LocalBootStore store;

    @BeforeEach
    void tree() throws Exception {
        root = dir.resolve("data");
        Files.createDirectories(root.resolve("tftp"));
        Files.createDirectories(root.resolve("boot/os1/images"));
        Files.writeString(root.resolve("tftp/undionly.kpxe"), "0123456789");
        Files.writeString(root.resolve("boot/os1/images/linux"), "kernel");
        Files.writeString(dir.resolve("secret"), "outside");
        Files.createSymbolicLink(root.resolve("tftp/escape"), dir.resolve("secret"));
        Files.createSymbolicLink(root.resolve("tftp/escape-dir"), dir);
        Files.createSymbolicLink(root.resolve("tftp/inside"), root.resolve("boot/os1/images/linux"));
        store = new LocalBootStore(root);
    }

    @Test
    void readsFilesAndRanges() throws Exception {
        BootFile f = store.file(TreePath.parse("tftp/undionly.kpxe")).orElseThrow();
        assertEquals(10, f.size());
        try (InputStream in = f.open(3, 4)) {
            assertArrayEquals("3456".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
        }
        assertTrue(f.localPath().isPresent());
    }

    @Test
    void symlinksInsideTheTreeWork() throws Exception {
        assertEquals(6, store.file(TreePath.parse("tftp/inside")).orElseThrow().size());
    }

    @Test
    void symlinksLeadingOutsideAreAbsent() throws Exception {
        assertTrue(store.file(TreePath.parse("tftp/escape")).isEmpty());
        assertTrue(store.file(TreePath.parse("tftp/escape-dir/secret")).isEmpty());
        assertTrue(store.list(TreePath.parse("tftp/escape-dir")).isEmpty());
        List<String> names = store.list(TreePath.parse("tftp")).orElseThrow().stream().map(BootStore.Entry::name).toList();
        assertEquals(List.of("inside", "undionly.kpxe"), names);
    }

    @Test
    void directoriesAndMissingFilesAreNotFiles() throws Exception {
        assertTrue(store.file(TreePath.parse("boot")).isEmpty());
        assertTrue(store.file(TreePath.parse("nope")).isEmpty());
        assertTrue(store.file(TreePath.parse("tftp/undionly.kpxe/x")).isEmpty());
    }

    @Test
    void aFileThatShrinksIsReportedNotShortened() throws Exception {
        BootFile f = store.file(TreePath.parse("tftp/undionly.kpxe")).orElseThrow();
        try (InputStream in = f.open()) {
            Files.writeString(root.resolve("tftp/undionly.kpxe"), "01");
            BootStoreException e = assertThrows(BootStoreException.class, in::readAllBytes);
            assertEquals(BootStoreException.Kind.CORRUPT, e.kind());
        }
    }

    /**
     * Names are the UTF-8 bytes on disk, whatever {@code sun.jnu.encoding} says (NonAsciiPathIT
     * runs the server under the C locale); a name on disk that is not UTF-8 is never listed.
     */
    @Test
    void nonAsciiNamesAreTheirUtf8Bytes() throws Exception {
        String raw = root.resolve("tftp").toUri().getRawPath();
        Files.writeString(Path.of(java.net.URI.create("file://" + raw + "caf%C3%A9.txt")), "utf-8");
        Files.writeString(Path.of(java.net.URI.create("file://" + raw + "latin%E9.txt")), "latin-1");
        BootFile f = store.file(TreePath.parse("tftp/café.txt")).orElseThrow();
        try (InputStream in = f.open()) {
            assertEquals("utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertTrue(store.file(TreePath.parse("tftp/cafe\u0301.txt".translateEscapes())).isEmpty(), "another spelling");
        List<String> names = store.list(TreePath.parse("tftp")).orElseThrow().stream().map(BootStore.Entry::name).toList();
        assertTrue(names.contains("café.txt"), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.startsWith("latin")), names.toString());
    }
}

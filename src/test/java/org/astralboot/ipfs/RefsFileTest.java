package org.astralboot.ipfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RefsFileTest {
    static final String V0 = "QmXRvmqk9DjhGsLPeWF1nZ8EryGYnD8j4iQoFLSh9hUJbH";
    static final String V1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    @TempDir
    Path dir;

    @Test
    void readsBootAndOsRefs() throws IOException {
        RefsFile r = RefsFile.parse(dir.resolve("refs.toml"), """
                # the original's tree
                boot = "%s"
                [os]
                debian = "/ipfs/%s/boot/debian"
                alpine = "/ipns/boot.example.org"
                """.formatted(V0, V1));
        assertEquals(V0, r.boot().value());
        assertEquals(List.of("debian", "alpine"), List.copyOf(r.os().keySet()));
        assertTrue(r.os().get("alpine").ipns());
        assertEquals("os.debian", r.os().get("debian").name());
        assertEquals(List.of(), r.problems());
        assertEquals(3, r.all().size());
    }

    @Test
    void badRefsAreReportedByNameAndTheOthersKept() throws IOException {
        RefsFile r = RefsFile.parse(dir.resolve("refs.toml"), """
                boot = "not-a-cid"
                rocket = "%s"
                [os]
                good = "%s"
                number = 5
                "../x" = "%s"
                dots = "/ipfs/%s/../etc"
                empty = ""
                """.formatted(V0, V1, V1, V1));
        assertNull(r.boot());
        assertEquals(List.of("good"), List.copyOf(r.os().keySet()));
        String p = String.join("\n", r.problems());
        assertTrue(p.contains("ref boot = \"not-a-cid\": not a CID"), p);
        assertEquals(List.of("ref rocket: not supported any more, ignored"), r.warnings());
        assertTrue(p.contains("ref os.number: must be a string"), p);
        assertTrue(p.contains("ref os.../x: not a usable OS folder name"), p);
        assertTrue(p.contains("ref os.dots = \"/ipfs/" + V1 + "/../etc\": bad path segment '..'"), p);
        assertTrue(p.contains("ref os.empty = \"\": empty"), p);
    }

    @Test
    void brokenTomlNamesTheFileAndLine() {
        IOException e = assertThrows(IOException.class,
                () -> RefsFile.parse(Path.of("/etc/astralboot/refs.toml"), "boot = \"x\nos = 1\n"));
        assertTrue(e.getMessage().startsWith("refs file /etc/astralboot/refs.toml: "), e.getMessage());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void missingFileSaysWhatToDo() {
        IOException e = assertThrows(IOException.class, () -> RefsFile.load(dir.resolve("refs.toml")));
        assertTrue(e.getMessage().contains("refs.toml.dist"), e.getMessage());
    }

    @Test
    void writeBootKeepsCommentsAndOtherKeys() throws IOException {
        Path f = dir.resolve("refs.toml");
        Files.writeString(f, """
                # Boot trees
                boot = "%s"   # published 2015

                # per-OS overrides
                [os]
                debian = "%s" # keep me
                """.formatted(V0, V1));
        RefsFile.writeBoot(f, V1);
        assertEquals("""
                # Boot trees
                boot = "%s" # published 2015

                # per-OS overrides
                [os]
                debian = "%s" # keep me
                """.formatted(V1, V1), Files.readString(f));
        assertEquals(V1, RefsFile.load(f).boot().value());
    }

    @Test
    void writeBootInsertsBeforeTheFirstTableOrCreatesTheFile() throws IOException {
        Path f = dir.resolve("refs.toml");
        Files.writeString(f, "# only overrides\n[os]\ndebian = \"" + V1 + "\"\n");
        RefsFile.writeBoot(f, V0);
        RefsFile r = RefsFile.load(f);
        assertEquals(V0, r.boot().value());
        assertEquals(V1, r.os().get("debian").value());
        assertTrue(Files.readString(f).startsWith("# only overrides\nboot = \"" + V0 + "\"\n"));
        Path g = dir.resolve("sub/new.toml");
        RefsFile.writeBoot(g, V0);
        assertEquals("boot = \"" + V0 + "\"\n", Files.readString(g));
        assertThrows(IllegalArgumentException.class, () -> RefsFile.writeBoot(g, "x\"\n[evil]"));
    }

    @Test
    void theDistFileParsesWithoutProblems() throws IOException {
        Path dist = Path.of("refs.toml.dist");
        RefsFile r = RefsFile.load(dist);
        assertEquals(List.of(), r.problems());
        assertTrue(r.boot() != null);
    }
}

package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.astralboot.store.LocalBootStore;
import org.astralboot.store.TreePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OsCatalogTest {

    private static void os(Path root, String name, String toml) throws Exception {
        Path d = Files.createDirectories(root.resolve("boot").resolve(name));
        Files.writeString(d.resolve("os.toml"), toml);
    }

    private static OsCatalog catalog(Path root) throws Exception {
        LocalBootStore store = new LocalBootStore(root);
        return new OsCatalog(store, new Templates(store));
    }

    private static OsDefinition parse(String toml) throws Exception {
        return catalog(Files.createTempDirectory("oscat")).parse("x", TreePath.parse("boot/x/os.toml"), toml);
    }

    @Test
    void parsesEveryKey() throws Exception {
        OsDefinition os = parse("""
                description = "Debian 12 (bookworm) installer"
                kernel = "linux"
                initrd = ["initrd.gz", "extra/fw.cpio"]
                cmdline = "auto=true url={{templates.preseed}}"
                classes = ["db", "web"]
                [vars]
                mirror = "deb.example"
                ssh_authorized_keys = ["ssh-ed25519 AAAA a@b"]
                """);
        assertEquals("x", os.name());
        assertEquals("Debian 12 (bookworm) installer", os.description());
        assertEquals("linux", os.kernel().toString());
        assertEquals(List.of("initrd.gz", "extra/fw.cpio"), os.initrds().stream().map(TreePath::toString).toList());
        assertEquals(List.of("db", "web"), os.classes());
        assertEquals("deb.example", os.vars().get("mirror"));
        assertEquals(List.of("ssh-ed25519 AAAA a@b"), os.vars().get("ssh_authorized_keys"));
        assertEquals("boot/x/images", os.images().toString());
    }

    @Test
    void defaults() throws Exception {
        OsDefinition os = parse("kernel = \"vmlinuz\"");
        assertEquals("x", os.description());
        assertTrue(os.initrds().isEmpty());
        assertTrue(os.classes().isEmpty());
        assertEquals("", os.cmdline());
    }

    @Test
    void rejectsBrokenFiles() {
        String[] bad = {
            "kernel = ",                                      // syntax
            "description = \"no kernel\"",                    // kernel missing
            "kernel = 5",                                     // wrong type
            "kernel = \"../../etc/passwd\"",                  // escapes images/
            "kernel = \"/vmlinuz\"",                          // absolute
            "kernel = \"a\\\\b\"",                             // backslash
            "kernel = \"%2e%2e/x\"",                          // encoded
            "kernel = \"k\"\ninitrd = [\"a/i.gz\", \"b/i.gz\"]", // same base name twice
            "kernel = \"k\"\ninitrd = [1]",
            "kernel = \"k\"\nclasses = [\"ok\", \"bad name\"]",
            "kernel = \"k\"\nclasses = [\"a\", \"a\"]",
            "kernel = \"k\"\ncmdline = \"{{#open}}\"",        // broken template
            "kernel = \"k\"\ndescription = \"two\\nlines\"",
            "kernel = \"k\"\nvars = 3",
        };
        for (String toml : bad) {
            assertThrows(OsCatalog.OsTomlException.class, () -> parse(toml), toml);
        }
    }

    @Test
    void syntaxErrorNamesLineAndColumn() {
        var e = assertThrows(OsCatalog.OsTomlException.class, () -> parse("kernel = \"k\"\nclasses = [\n"));
        assertTrue(e.getMessage().contains("line 2") || e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void listSkipsBrokenFoldersAndPicksUpNewOnesWithoutRestart(@TempDir Path root) throws Exception {
        os(root, "debian", "kernel = \"linux\"");
        os(root, "broken", "kernel = ");
        os(root, "bad name", "kernel = \"linux\"");
        Files.createDirectories(root.resolve("boot/empty"));      // no os.toml
        Files.writeString(root.resolve("boot/README.md"), "not an OS");
        OsCatalog c = catalog(root);
        assertEquals(List.of("debian"), c.list().stream().map(OsDefinition::name).toList());

        os(root, "alpine", "kernel = \"vmlinuz-lts\"\ndescription = \"Alpine\"");
        Files.writeString(root.resolve("boot/broken/os.toml"), "kernel = \"fixed\"");
        assertEquals(List.of("alpine", "broken", "debian"), c.list().stream().map(OsDefinition::name).toList());
        assertEquals("Alpine", c.find("alpine").orElseThrow().description());
        assertTrue(c.find("nope").isEmpty());
    }

    @Test
    void noBootFolderMeansNoOses(@TempDir Path root) throws Exception {
        assertTrue(catalog(root).list().isEmpty());
    }
}

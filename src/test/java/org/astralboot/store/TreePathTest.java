package org.astralboot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TreePathTest {
    @Test
    void plainPathsParse() throws Exception {
        assertEquals("boot/debian/images/linux", TreePath.parse("boot/debian/images/linux").toString());
        assertEquals("tftp/undionly.kpxe", TreePath.parse("tftp//undionly.kpxe/").toString());
        assertEquals("", TreePath.parse("").toString());
        assertEquals("tftp/a.efi", TreePath.of("tftp", "a.efi").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../etc/passwd", "boot/../../etc/shadow", "a/./b", "/etc/passwd", "a\\..\\b",
        "a\0b", "%2e%2e/etc", "..%2f..%2fetc", "C:/Windows", "a\nb", "boot/.."})
    void escapesAreRejected(String raw) {
        assertThrows(InvalidPathException.class, () -> TreePath.parse(raw));
    }

    @Test
    void limits() {
        assertThrows(InvalidPathException.class, () -> TreePath.parse("a".repeat(256)));
        assertThrows(InvalidPathException.class, () -> TreePath.parse("a/".repeat(33)));
        assertThrows(InvalidPathException.class, () -> TreePath.parse("a".repeat(1025)));
    }

    @Test
    void utf8IsStrict() throws Exception {
        assertEquals("café.txt", TreePath.utf8("café.txt".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("ascii", TreePath.utf8("ascii".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        // Latin-1 é, a broken sequence, an overlong '.', a truncated 3-byte character, a UTF-16 surrogate.
        for (String hex : new String[] {"636166e9", "c328", "c0ae", "e282", "eda080"}) {
            assertThrows(InvalidPathException.class, () -> TreePath.utf8(java.util.HexFormat.of().parseHex(hex)), hex);
        }
    }
}

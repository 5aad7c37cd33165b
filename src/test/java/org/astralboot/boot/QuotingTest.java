package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuotingTest {
    /** Values an attacker (or a careless operator) could put in a host name, class or var. */
    static final List<String> HOSTILE = List.of(
            "plain",
            "",
            "a: b",
            "x\nroot: true",
            "- item",
            "\"quoted\"",
            "back\\slash",
            "'single'",
            "# comment",
            "&anchor *alias",
            "{flow: map}",
            "[1, 2]",
            "null",
            "true",
            "0x1F",
            "  leading and trailing  ",
            "tab\there",
            "cr\rlf\n",
            "nul\0byte",
            "ctl\u0001\u001f\u007f\u0085",
            "sep\u2028\u2029",
            "bom\uFEFF",
            "unicode é 日本 😀",
            "%YAML 1.2",
            "--- doc",
            "... end",
            "key: |\n  block",
            "$(reboot)`id`;rm -rf /",
            "trailing backslash\\");

    @Test
    void yamlQuotedValuesAreOneLineAndRoundTripThroughARealYamlParser(@TempDir Path tmp) throws Exception {
        StringBuilder doc = new StringBuilder();
        for (int i = 0; i < HOSTILE.size(); i++) {
            String q = Quoting.yaml(HOSTILE.get(i));
            assertFalse(q.contains("\n") || q.contains("\r"), q);
            assertTrue(q.startsWith("\"") && q.endsWith("\""), q);
            doc.append("k").append(i).append(": ").append(q).append('\n');
            doc.append("l").append(i).append(": [").append(q).append(", ").append(q).append("]\n");
        }
        assumeTrue(python3Yaml(), "python3 with PyYAML (Debian python3-yaml) is needed to parse the YAML back");
        Path in = tmp.resolve("doc.yaml");
        Files.writeString(in, doc, StandardCharsets.UTF_8);
        // The real parser prints each value as JSON with \\u escapes, which Java compares exactly.
        Process p = new ProcessBuilder("python3", "-c",
                "import sys,yaml,json\n"
                        + "d=yaml.safe_load(open(sys.argv[1],encoding='utf-8'))\n"
                        + "for i in range(int(sys.argv[2])):\n"
                        + "  assert d['l%d'%i]==[d['k%d'%i]]*2\n"
                        + "  print(json.dumps(d['k%d'%i]))\n",
                in.toString(), Integer.toString(HOSTILE.size())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertEquals(HOSTILE.size(), lines.size(), out);
        for (int i = 0; i < HOSTILE.size(); i++) {
            assertEquals(jsonOf(HOSTILE.get(i)), lines.get(i), "value " + i);
        }
    }

    private static String jsonOf(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp == '"' || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (cp < 0x20 || cp >= 0x7F) {
                // json.dumps escapes everything non-ASCII, astral code points as surrogate pairs
                for (char c : Character.toChars(cp)) {
                    sb.append(String.format("\\u%04x", (int) c));
                }
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append('"').toString();
    }

    private static boolean python3Yaml() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import yaml").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void shellQuotedValuesReachTheShellUnchanged() throws Exception {
        for (String v : HOSTILE) {
            if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                assertThrows(IllegalArgumentException.class, () -> Quoting.sh(v), v);
                continue;
            }
            Process p = new ProcessBuilder("sh", "-c", "printf %s " + Quoting.sh(v)).start();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(v, new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}

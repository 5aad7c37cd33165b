package org.astralboot.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.astralboot.testing.Netns;

/**
 * The end-to-end test OS, built once per JVM by {@code scripts/e2e/build-test-os} into
 * {@code target/e2e-os}: an Astralboot boot tree with {@code tftp/} (iPXE binaries) and two OSes,
 * {@value #OS1} and {@value #OS2}, whose busybox initrds print {@code ASTRALBOOT-E2E-MARKER <os> <cmdline>}
 * on the serial console and power off.
 */
final class TestOs {
    static final String OS1 = "marker";
    static final String OS2 = "marker2";
    static final String MARKER = "ASTRALBOOT-E2E-MARKER";

    private static Path tree;

    private TestOs() {
    }

    /** The project root (Maven runs tests with the module directory as working directory). */
    static Path projectRoot() {
        Path p = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        if (!Files.exists(p.resolve("scripts/e2e/build-test-os"))) {
            throw new IllegalStateException("scripts/e2e/build-test-os not found under " + p);
        }
        return p;
    }

    /** Builds (once) and returns the boot tree. */
    static synchronized Path tree() throws IOException {
        if (tree == null) {
            Path root = projectRoot();
            Path out = root.resolve("target/e2e-os");
            Netns.sh(Duration.ofMinutes(2), root.resolve("scripts/e2e/build-test-os").toString(), out.toString())
                    .check();
            tree = out;
        }
        return tree;
    }
}

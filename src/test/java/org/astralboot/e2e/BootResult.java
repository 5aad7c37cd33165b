package org.astralboot.e2e;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one virtual machine boot showed.
 *
 * @param console   the whole serial console output
 * @param elapsed   QEMU start until the marker (or the awaited text) appeared, or until QEMU ended
 * @param matched   the awaited text that ended the boot, or {@code null} when QEMU ended (or timed out) first
 * @param timedOut  whether the boot hit its time limit
 */
record BootResult(String console, Duration elapsed, String matched, boolean timedOut) {
    private static final Pattern MARKER = Pattern.compile(TestOs.MARKER + " (\\S+) ([^\\r\\n]*)");

    /** The OS whose initrd printed the marker, if any. */
    Optional<String> bootedOs() {
        Matcher m = MARKER.matcher(console);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The kernel command line the marker printed. */
    Optional<String> cmdline() {
        Matcher m = MARKER.matcher(console);
        return m.find() ? Optional.of(m.group(2).trim()) : Optional.empty();
    }
}

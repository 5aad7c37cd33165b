package org.astralboot.boot;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The answer of a {@link BootPolicy}: what the machine boots now. Each kind carries what a boot
 * service needs to serve it; the iPXE script is written by the HTTP service, from the decision's
 * {@link View} when the policy gives one (the boot tree's templates, which an OS may override), or
 * from the decision's fields alone.
 */
public sealed interface BootDecision {

    /**
     * The boot tree's OS menu.
     *
     * @param view the menu template and its data
     * @param why  why a machine that had chosen gets the menu again (its OS left the tree), or ""
     */
    record Menu(View view, String why) implements BootDecision {
        public Menu {
            Objects.requireNonNull(view, "view");
            why = why == null ? "" : why;
        }
    }

    /**
     * Boot a kernel.
     *
     * @param label   what is booted, for logs ({@code debian}, {@code flatcar/worker})
     * @param kernel  URL the machine fetches the kernel from
     * @param initrds URLs of the initrds, in load order
     * @param cmdline the kernel command line, final (no template left in it)
     * @param view    the script template and its data, or null for a plain script from the fields
     */
    record Boot(String label, String kernel, List<String> initrds, String cmdline, View view) implements BootDecision {
        public Boot {
            Objects.requireNonNull(kernel, "kernel");
            initrds = List.copyOf(initrds);
            cmdline = cmdline == null ? "" : cmdline;
        }
    }

    /**
     * Boot from the local disk (the machine has its OS installed).
     *
     * @param os   the installed OS, for logs and messages
     * @param view the script template and its data, or null for a plain script
     */
    record LocalDisk(String os, View view) implements BootDecision {
    }

    /**
     * An iPXE script served verbatim (Pixiecore's {@code ipxe-script}).
     *
     * @param text the whole script, starting with {@code #!ipxe}
     */
    record Script(String text) implements BootDecision {
        public Script {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * Not booted by this server now: no answer that boots (over HTTP a 404 whose script prints
     * {@code reason} and returns to the calling script).
     *
     * @param reason for the log and the machine's screen
     */
    record Ignore(String reason) implements BootDecision {
        public Ignore {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * How a decision is shown: template {@code template} (a {@link Templates} name), the OS whose
     * own {@code template/} folder may override the built-in one (null: built-in only), and the
     * template's data.
     */
    record View(String template, OsDefinition os, Map<String, Object> data) {
        public View {
            Objects.requireNonNull(template, "template");
            Objects.requireNonNull(data, "data");
        }
    }
}

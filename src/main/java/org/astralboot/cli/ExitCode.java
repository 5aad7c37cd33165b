package org.astralboot.cli;

/**
 * The process exit codes of every {@code astralboot} command, defined once. Scripts and service
 * managers rely on them: 2 means "fix the command line or the config", 1 "something failed while
 * running" (retrying may help).
 */
public final class ExitCode {
    /** The command did what it was asked. */
    public static final int OK = 0;
    /** A runtime failure: a node unreachable, a file that could not be written, a mismatch found. */
    public static final int FAILURE = 1;
    /**
     * Bad usage or configuration: nothing was done. The same code picocli gives an unknown option
     * or a missing argument, so every usage error exits alike.
     */
    public static final int CONFIG = picocli.CommandLine.ExitCode.USAGE;

    private ExitCode() {
    }
}

package org.astralboot.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of {@code serve} (also accepted without the subcommand): the shared ones and {@code -l}. */
public final class ServeOptions {
    @Mixin
    ConfigOptions common = new ConfigOptions();

    @Option(names = {"-l", "--local"},
            description = "Serve the local data folder instead of IPFS (\"l for larry\").")
    boolean local;

    public int verbosity() {
        return common.verbosity();
    }
}

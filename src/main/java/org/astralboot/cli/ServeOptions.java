package org.astralboot.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of {@code serve} (also accepted without the subcommand). */
public final class ServeOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "config.toml",
            description = "Config file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = {"-l", "--local"},
            description = "Serve the local data folder instead of IPFS (\"l for larry\").")
    boolean local;

    @Option(names = "-v", description = "Verbosity: -v info, -vv debug, -vvv trace (packets).")
    boolean[] verbose = new boolean[0];

    public int verbosity() {
        return verbose.length;
    }
}

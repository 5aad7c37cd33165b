package org.astralboot.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigException;
import org.astralboot.config.ConfigLoader;
import picocli.CommandLine.Option;

/**
 * The options every command shares, {@code -c FILE} and {@code -v}, declared once and mixed into
 * each command with {@code @Mixin}; and the one way a command loads its config.
 */
public final class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "config.toml",
            description = "Config file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "-v", description = "Verbosity: -v info, -vv debug, -vvv trace (packets).")
    boolean[] verbose = new boolean[0];

    public ConfigOptions() {
    }

    ConfigOptions(Path config) {
        this.config = config;
    }

    /** The config file named with {@code -c} (default {@code config.toml}). */
    public Path file() {
        return config;
    }

    /** How many {@code -v} were given. */
    public int verbosity() {
        return verbose.length;
    }

    /** The body of a command, given its loaded config; returns an {@link ExitCode}. */
    interface Body {
        int run(Config cfg) throws Exception;
    }

    /**
     * Sets up logging, loads the config (warnings to {@code err}) and runs {@code body} with it. A
     * config error (a missing file too) is printed to {@code err} and gives {@link ExitCode#CONFIG}
     * without running the body.
     */
    int withConfig(ConfigLoader.Network network, PrintStream err, Body body) throws Exception {
        Logging.configure(verbosity());
        Config cfg;
        try {
            ConfigLoader.Loaded l = ConfigLoader.load(config, network);
            for (String w : l.warnings()) {
                err.println("astralboot: " + config + ": " + w);
            }
            cfg = l.config();
        } catch (ConfigException e) {
            err.println("astralboot: " + e.getMessage());
            return ExitCode.CONFIG;
        }
        return body.run(cfg);
    }
}

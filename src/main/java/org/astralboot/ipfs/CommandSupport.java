package org.astralboot.ipfs;

import java.nio.file.Path;
import org.astralboot.cli.Logging;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigException;
import org.astralboot.config.ConfigLoader;
import picocli.CommandLine.Option;

/** Options shared by the IPFS commands: {@code -c FILE} and {@code -v}. */
public class CommandSupport {
    /** Exit code for a runtime failure. */
    static final int FAILURE = 1;
    /** Exit code for bad usage or configuration. */
    static final int CONFIG = 2;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "config.toml",
            description = "Config file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "-v", description = "Verbosity: -v info, -vv debug.")
    boolean[] verbose = new boolean[0];

    /** The body of a command, given the loaded config. */
    interface Body {
        int run(Config cfg) throws Exception;
    }

    /**
     * Loads the config and runs {@code body} with it; a config error is printed and gives exit 2,
     * like {@code serve}.
     */
    int withConfig(Body body) throws Exception {
        Config cfg;
        try {
            cfg = load();
        } catch (ConfigException e) {
            System.err.println("astralboot: " + e.getMessage());
            return CONFIG;
        }
        return body.run(cfg);
    }

    /** Sets up logging and reads the config; these commands do not need the network interface. */
    Config load() throws ConfigException {
        Logging.configure(verbose.length);
        ConfigLoader.Loaded l = ConfigLoader.load(config, ConfigLoader.Network.OPTIONAL);
        for (String w : l.warnings()) {
            System.err.println("astralboot: " + config + ": " + w);
        }
        return l.config();
    }
}

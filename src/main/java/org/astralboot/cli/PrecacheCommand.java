package org.astralboot.cli;

import java.util.concurrent.Callable;
import org.astralboot.config.ConfigLoader;
import org.astralboot.ipfs.Precache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code astralboot precache}: fetches, pins and caches every boot tree of refs.toml
 * ({@link Precache}). Resumable; exits {@link ExitCode#FAILURE} naming each ref that failed.
 */
@Command(name = "precache", mixinStandardHelpOptions = true,
        description = "Fetch, pin and cache every boot tree named in refs.toml.")
public final class PrecacheCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions common = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
        return common.withConfig(ConfigLoader.Network.OPTIONAL, System.err,
                cfg -> Precache.run(cfg, System.err, System.console() != null) ? ExitCode.OK : ExitCode.FAILURE);
    }
}

package org.astralboot.cli;

import java.util.concurrent.Callable;
import org.astralboot.config.ConfigLoader;
import org.astralboot.ipfs.Verify;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code astralboot verify}: re-checks every cached file against its CID and removes mismatches
 * ({@link Verify}). Exits {@link ExitCode#FAILURE} when a mismatch was found or the node could not
 * be asked.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Re-check every cached file against its CID; remove and report mismatches.")
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions common = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
        return common.withConfig(ConfigLoader.Network.OPTIONAL, System.err,
                cfg -> Verify.run(cfg, System.out, System.err) ? ExitCode.OK : ExitCode.FAILURE);
    }
}

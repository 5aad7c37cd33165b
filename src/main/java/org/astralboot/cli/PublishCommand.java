package org.astralboot.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigLoader;
import org.astralboot.ipfs.Publish;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code astralboot publish [DIR]}: adds the local boot tree (default: the config's {@code data}
 * folder) to the IPFS node, pinned, prints its CID on stdout and points refs.toml at it
 * ({@link Publish}). A DIR that is not a boot tree is a usage error ({@link ExitCode#CONFIG}).
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Add the local boot tree to IPFS (pinned) and point refs.toml at it.")
public final class PublishCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions common = new ConfigOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Boot tree to publish (default: data).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        return common.withConfig(ConfigLoader.Network.OPTIONAL, System.err, this::call);
    }

    private int call(Config cfg) {
        Path tree = dir != null ? dir : cfg.data();
        if (!Files.isDirectory(tree)) {
            System.err.println("astralboot publish: " + tree + " is not a directory");
            return ExitCode.CONFIG;
        }
        if (!Files.isDirectory(tree.resolve("boot"))) {
            System.err.println("astralboot publish: " + tree + " has no boot/ folder: not a boot tree");
            return ExitCode.CONFIG;
        }
        return Publish.run(cfg, tree, System.out, System.err) ? ExitCode.OK : ExitCode.FAILURE;
    }
}

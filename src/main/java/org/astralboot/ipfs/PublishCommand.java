package org.astralboot.ipfs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.astralboot.config.Config;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code astralboot publish [DIR]}: adds the local boot tree (default: the config's {@code data}
 * folder) to the IPFS node, pinned, prints its CID on stdout and writes {@code boot = "<CID>"}
 * into refs.toml, keeping its comments and other keys. Develop with {@code -l}, publish, serve
 * from IPFS.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Add the local boot tree to IPFS (pinned) and point refs.toml at it.")
public final class PublishCommand implements Callable<Integer> {
    @Mixin
    CommandSupport common = new CommandSupport();

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Boot tree to publish (default: data).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        return common.withConfig(this::call);
    }

    private int call(Config cfg) throws Exception {
        Path tree = dir != null ? dir : cfg.data();
        // A big tree is hashed before the node answers at all: allow for it.
        KuboClient client = new KuboClient(cfg.ipfsApi(), Duration.ofSeconds(3), Duration.ofMinutes(30),
                Duration.ofMinutes(5));
        return run(client, tree, cfg.refs(), System.out, System.err);
    }

    static int run(KuboClient client, Path tree, Path refs, PrintStream out, PrintStream err) {
        if (!Files.isDirectory(tree)) {
            err.println("astralboot publish: " + tree + " is not a directory");
            return CommandSupport.CONFIG;
        }
        if (!Files.isDirectory(tree.resolve("boot"))) {
            err.println("astralboot publish: " + tree + " has no boot/ folder: not a boot tree");
            return CommandSupport.CONFIG;
        }
        String cid;
        try {
            List<KuboClient.Added> added = client.add(tree, KuboClient.AddOptions.DEFAULT);
            cid = added.get(added.size() - 1).hash();
            err.printf("astralboot publish: added %d entries of %s, pinned%n", added.size(), tree);
        } catch (KuboException e) {
            err.println("astralboot publish: " + e.getMessage());
            return CommandSupport.FAILURE;
        }
        out.println(cid);
        try {
            RefsFile.writeBoot(refs, cid);
            err.println("astralboot publish: " + refs + ": boot = \"" + cid + "\"");
        } catch (IOException | IllegalArgumentException e) {
            err.println("astralboot publish: cannot update " + refs + ": " + e.getMessage());
            return CommandSupport.FAILURE;
        }
        return 0;
    }
}

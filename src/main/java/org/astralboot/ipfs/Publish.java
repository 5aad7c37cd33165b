package org.astralboot.ipfs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.astralboot.config.Config;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;

/**
 * What {@code astralboot publish [DIR]} does: adds a boot tree to the IPFS node, pinned, prints
 * its CID on stdout and writes {@code boot = "<CID>"} into refs.toml, keeping its comments and
 * other keys. Develop with {@code -l}, publish, serve from IPFS.
 */
public final class Publish {
    private Publish() {
    }

    /**
     * Publishes {@code tree} (a folder with a {@code boot/} folder: the caller checks) through the
     * node at {@code cfg}'s {@code ipfs_api} and points {@code cfg}'s refs.toml at it.
     *
     * @return whether both were done; false says why on {@code err}
     */
    public static boolean run(Config cfg, Path tree, PrintStream out, PrintStream err) {
        // A big tree is hashed before the node answers at all: allow for it.
        KuboClient client = new KuboClient(cfg.ipfsApi(), Duration.ofSeconds(3), Duration.ofMinutes(30),
                Duration.ofMinutes(5));
        return run(client, tree, cfg.refs(), out, err);
    }

    static boolean run(KuboClient client, Path tree, Path refs, PrintStream out, PrintStream err) {
        String cid;
        try {
            List<KuboClient.Added> added = client.add(tree, KuboClient.AddOptions.DEFAULT);
            cid = added.get(added.size() - 1).hash();
            err.printf("astralboot publish: added %d entries of %s, pinned%n", added.size(), tree);
        } catch (KuboException e) {
            err.println("astralboot publish: " + e.getMessage());
            return false;
        }
        out.println(cid);
        try {
            RefsFile.writeBoot(refs, cid);
            err.println("astralboot publish: " + refs + ": boot = \"" + cid + "\"");
        } catch (IOException | IllegalArgumentException e) {
            err.println("astralboot publish: cannot update " + refs + ": " + e.getMessage());
            return false;
        }
        return true;
    }
}

package org.astralboot.cli;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.astralboot.boot.BootPolicy;
import org.astralboot.boot.api.ApiPolicy;
import org.astralboot.boot.api.ContentCache;
import org.astralboot.boot.api.FileUrls;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.dhcp.engine.BootGate;
import org.astralboot.http.BootSources;

/**
 * The boot source of a running server, built once the database is open: what the HTTP service
 * asks ({@link BootSources}) and what DHCP asks ({@link BootGate}), from the same source, so one
 * boot's DHCP and HTTP steps share one API answer.
 *
 * @param http the HTTP service's policy and signed files
 * @param gate DHCP's question "is this client booted?"
 * @param name the source's name in the boot metrics: {@code menu}, {@code api} or {@code static}
 */
record BootSourceWiring(BootSources http, BootGate gate, String name) {
    /** How long a fetched URL's content is served without fetching the URL again. */
    static final Duration REMEMBER_CONTENT = Duration.ofMinutes(10);
    /** Connect timeout and wait for the response head of a file fetch. */
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);

    /** Builds the source for {@code db}. */
    @FunctionalInterface
    interface Factory {
        BootSourceWiring open(Config cfg, Database db) throws IOException;
    }

    /** The boot tree alone (serve without {@code --api}). */
    static final Factory TREE = (cfg, db) -> new BootSourceWiring(BootSources.TREE, BootGate.ALL, "menu");

    /**
     * Signed URLs under the database's key, and a content cache under {@code <cache>/files} capped
     * at {@code [api] files_max}, which reads IPFS paths through the node at {@code ipfs_api}
     * (and {@code ipfs_gateway}), verified.
     */
    static BootSources.Files files(Config cfg, Database db, Duration remember) throws IOException {
        return new BootSources.Files(FileUrls.open(db, cfg::httpBaseFor),
                new ContentCache(cfg.cache().resolve("files"), FETCH_TIMEOUT, remember, Clock.systemUTC(),
                        cfg.api().filesMax(), ipfs(cfg)));
    }

    /** The content cache's reader of {@code /ipfs/} paths: the configured node, every block verified. */
    static ContentCache.Ipfs ipfs(Config cfg) {
        org.astralboot.ipfs.IpfsFiles files = new org.astralboot.ipfs.IpfsFiles(
                new org.astralboot.ipfs.kubo.KuboClient(cfg.ipfsApi()), cfg.ipfsGateway());
        return (path, out) -> {
            try {
                return files.copy(path, out);
            } catch (org.astralboot.ipfs.verify.VerificationException e) {
                throw new org.astralboot.store.BootStoreException(org.astralboot.store.BootStoreException.Kind.CORRUPT,
                        path + ": content does not match its CID (" + e.getMessage() + ")", e);
            }
        };
    }

    /** API mode: the policy asks the API; DHCP answers only the machines the API boots. */
    static Factory api(ApiPolicy.Settings settings) {
        return (cfg, db) -> {
            BootSources.Files f = files(cfg, db, REMEMBER_CONTENT);
            ApiPolicy api = new ApiPolicy(settings, f.urls());
            BootGate gate = new BootGate() {
                @Override
                public Verdict check(org.astralboot.net.MacAddress mac, org.astralboot.dhcp.engine.Firmware fw) {
                    return switch (api.pxe(mac, fw.archName())) {
                        case BOOT -> Verdict.BOOT;
                        case NO -> Verdict.NO;
                        case PENDING -> Verdict.PENDING;
                    };
                }

                @Override
                public java.util.concurrent.CompletionStage<?> whenDecided(org.astralboot.net.MacAddress mac) {
                    return api.whenDecided(mac);
                }
            };
            return new BootSourceWiring(new BootSources(api::withFallback, f), gate, "api");
        };
    }

    /** A policy that replaces the tree (a static boot): every PXE client boots it. */
    static BootSourceWiring replacing(BootPolicy policy, BootSources.Files files) {
        return new BootSourceWiring(new BootSources(tree -> policy, files), BootGate.ALL, "static");
    }
}

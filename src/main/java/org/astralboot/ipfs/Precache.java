package org.astralboot.ipfs;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseLockedException;
import org.astralboot.ipfs.cache.Download;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.store.TreePath;

/**
 * What {@code astralboot precache} does: for every ref of refs.toml, makes the IPFS node fetch every block
 * ({@code refs -r}), pins it, and fills the local cache with every file of the served tree.
 * Resumable: files already cached count as done and are not fetched again (each finished file is
 * committed to the index at once). Exits 1 naming each ref that failed; the others are still done.
 */
public final class Precache {
    private Precache() {
    }

    /**
     * Precaches every tree {@code cfg}'s refs.toml names, through the node at its {@code ipfs_api};
     * progress and failures to {@code out}.
     *
     * @return whether every ref and file was done; false names each failure on {@code out}
     */
    public static boolean run(Config cfg, PrintStream out, boolean terminal) throws IOException {
        KuboClient client = new KuboClient(cfg.ipfsApi());
        try {
            client.version();
        } catch (KuboException e) {
            out.println("astralboot precache: IPFS node " + cfg.ipfsApi() + " unreachable: " + e.getMessage());
            return false;
        }
        try (Database db = Database.open(cfg.database()); IpfsBootStore store = IpfsBootStore.open(cfg, db, client)) {
            return run(store, out, terminal);
        } catch (DatabaseLockedException e) {
            out.println("astralboot precache: " + e.getMessage()
                    + " (stop the server first: precache writes the cache index)");
            return false;
        }
    }

    /** Precaches everything {@code store} serves; progress to {@code out}; whether all was done. */
    static boolean run(IpfsBootStore store, PrintStream out, boolean terminal) throws IOException {
        List<String> failed = new ArrayList<>(store.refProblems());
        KuboClient client = store.client();
        for (IpfsBootStore.Root r : store.roots()) {
            String name = "ref " + r.ref().name() + " = \"" + r.ref().value() + "\"";
            if (!r.ok()) {
                failed.add(r.problem() != null ? r.problem() : name + ": not resolved");
                continue;
            }
            try {
                long t0 = System.nanoTime();
                long[] last = {System.nanoTime(), 0};
                long blocks = client.refs(r.cid(), ref -> {
                    last[1]++;
                    if (System.nanoTime() - last[0] > 5_000_000_000L) {
                        last[0] = System.nanoTime();
                        out.printf("precache: %s: %d blocks so far%n", name, last[1]);
                    }
                });
                client.pinAdd(r.cid());
                out.printf("precache: %s: %d blocks on the node, pinned (%d ms)%n", name, blocks,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            } catch (KuboException e) {
                failed.add(name + ": " + e.getMessage());
            }
        }
        // The files of the served tree, each content once.
        Map<String, IpfsBootStore.FileInfo> byCid = new LinkedHashMap<>();
        for (IpfsBootStore.FileInfo f : store.files(TreePath.ROOT)) {
            byCid.putIfAbsent(f.cid(), f);
        }
        long total = 0;
        long done = 0;
        int doneFiles = 0;
        List<IpfsBootStore.FileInfo> todo = new ArrayList<>();
        for (IpfsBootStore.FileInfo f : byCid.values()) {
            total += f.size();
            if (store.cache().cached(f.cid(), f.size()).isPresent()) {
                done += f.size();
                doneFiles++;
            } else {
                todo.add(f);
            }
        }
        out.printf("precache: %d files, %s; %d already cached (%s)%n", byCid.size(), Progress.bytes(total), doneFiles,
                Progress.bytes(done));
        Progress p = new Progress(out, terminal, total, byCid.size(), done);
        Set<String> failedRefs = new HashSet<>();
        for (IpfsBootStore.FileInfo f : todo) {
            String ref = store.refFor(f.path());
            if (failedRefs.contains(ref)) {
                continue;
            }
            try {
                Download fetch = store.cache().fill(f.cid(), f.size(), f.path().toString());
                if (fetch != null) {
                    while (true) {
                        try {
                            fetch.await(200, TimeUnit.MILLISECONDS);
                            break;
                        } catch (TimeoutException e) {
                            p.update(done + fetch.written(), doneFiles);
                        }
                    }
                }
                // Durable now, so an interrupted run resumes after this file.
                store.index().commit();
                done += f.size();
                doneFiles++;
                p.fileDone(f.path().toString(), done, doneFiles);
            } catch (IOException e) {
                failedRefs.add(ref);
                failed.add("ref " + ref + ": " + f.path() + ": " + e.getMessage());
            }
        }
        p.finish(done, doneFiles);
        if (!failed.isEmpty()) {
            for (String f : failed) {
                out.println("precache failed: " + f);
            }
            return false;
        }
        out.printf("precache: done, %d files, %s in the cache%n", doneFiles, Progress.bytes(done));
        return true;
    }
}

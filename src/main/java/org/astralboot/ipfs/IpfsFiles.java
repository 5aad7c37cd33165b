package org.astralboot.ipfs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.VerifiedSource;
import org.astralboot.ipfs.verify.Cid;
import org.astralboot.ipfs.verify.VerifiedDirectory;

/**
 * One file named by an IPFS path, {@code /ipfs/<CID>[/name...]}, read through the configured node
 * with every byte verified: the path is walked from the root CID through directory blocks each
 * checked against the CID that names it ({@link VerifiedDirectory}, UnixFS HAMT shards included),
 * and the file's content comes as CAR blocks each checked before a byte is passed on ({@link
 * VerifiedSource}). A node cannot make {@code /ipfs/<CID>/vmlinuz} another kernel. For the files a
 * boot API or a static boot names ({@code boot/api}'s content cache keeps them by content).
 * {@code /ipns/} names are not read here: their resolution cannot be verified yet.
 */
public final class IpfsFiles {
    private final VerifiedSource source;
    private final VerifiedDirectory dirs;

    /** @param gateway a trustless gateway for content, or null for the node's RPC API */
    public IpfsFiles(KuboClient client, URI gateway) {
        this.source = VerifiedSource.of(client, gateway);
        this.dirs = new VerifiedDirectory(source::block);
    }

    /** Whether {@code ref} is an IPFS path this class reads: {@code /ipfs/} and a CID that parses. */
    public static boolean isPath(String ref) {
        if (!ref.startsWith("/ipfs/")) {
            return false;
        }
        String rest = ref.substring("/ipfs/".length());
        int slash = rest.indexOf('/');
        try {
            Cid.parse(slash < 0 ? rest : rest.substring(0, slash));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Writes the verified content of the file {@code path} names to {@code out}.
     *
     * @return the bytes written (the file's size)
     * @throws FileNotFoundException no such entry, or a directory or other non-file
     * @throws org.astralboot.ipfs.verify.VerificationException content or a block that is not what its CID says
     * @throws IOException           the node cannot be asked
     */
    public long copy(String path, OutputStream out) throws IOException {
        if (!isPath(path)) {
            throw new FileNotFoundException(path + " is not /ipfs/<CID>[/path]");
        }
        String[] parts = path.substring("/ipfs/".length()).split("/");
        VerifiedDirectory.Entry e;
        synchronized (dirs) { // the verifier keeps recent directory blocks and is not shared across threads
            e = dirs.entry(Cid.parse(parts[0]));
            for (int i = 1; i < parts.length; i++) {
                if (parts[i].isEmpty()) {
                    continue; // a doubled or trailing slash
                }
                if (e.type() != VerifiedDirectory.Type.DIRECTORY) {
                    throw new FileNotFoundException(path + ": " + String.join("/", java.util.Arrays.copyOf(parts, i))
                            + " is not a directory");
                }
                VerifiedDirectory.Entry next = null;
                for (VerifiedDirectory.Entry c : dirs.list(e.cid()).entries()) {
                    if (c.name().equals(parts[i])) {
                        next = c;
                        break;
                    }
                }
                if (next == null) {
                    throw new FileNotFoundException(path + ": no " + parts[i]);
                }
                e = next;
            }
        }
        if (e.type() != VerifiedDirectory.Type.FILE) {
            throw new FileNotFoundException(path + " is not a file");
        }
        if (e.size() == 0) {
            return 0;
        }
        try (InputStream in = source.open(e.cid().toString(), e.size(), 0, e.size())) {
            return in.transferTo(out);
        }
    }
}

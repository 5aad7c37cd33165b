package org.astralboot.ipfs;

import java.util.List;
import java.util.Optional;
import org.astralboot.ipfs.IpfsBootStore.Root;
import org.astralboot.ipfs.cache.CacheIndex;
import org.astralboot.ipfs.cache.Failures;
import org.astralboot.ipfs.kubo.KuboClient;
import org.astralboot.ipfs.kubo.KuboException;
import org.astralboot.ipfs.kubo.NodeHealth;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.BootStoreException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a ref of refs.toml points at: a CID, an {@code /ipfs/} path (walked through the listings)
 * or an {@code /ipns/} name (resolved by the node). While the node is down a ref keeps what it
 * resolved to last time (or its bare CID), so cached content stays served; a ref that cannot be
 * served is logged naming it.
 *
 * <p>Trust: an {@code /ipns/} name's resolution ({@code name/resolve}) is taken from the node as it
 * is: Astralboot does not check the IPNS record's signature or a DNSLink TXT record, so a node that
 * lies can point a name at another tree. What the name resolves to is an {@code /ipfs/} path like any
 * other, walked through verified listings ({@link Listings}) and read as verified content, so the
 * bytes served are always those of the CID the name resolved to.
 */
final class RefResolver {
    private static final Logger LOG = LoggerFactory.getLogger(IpfsBootStore.class);

    private final KuboClient client;
    private final CacheIndex index;
    private final NodeHealth health;
    private final Listings listings;

    RefResolver(KuboClient client, CacheIndex index, NodeHealth health, Listings listings) {
        this.client = client;
        this.index = index;
        this.health = health;
        this.listings = listings;
    }

    Root resolve(RefsFile.Ref ref, boolean isBoot) {
        try {
            String cid = resolveCid(ref);
            List<CacheIndex.Link> links = listings.links(cid, ref.name() + " = \"" + ref.value() + "\"");
            if (isBoot && links.stream().noneMatch(l -> l.dir() && l.name().equals("boot"))) {
                return bad(ref, "the tree " + cid + " has no boot/ folder");
            }
            index.putRoot(ref.value(), cid);
            return new Root(ref, cid, null);
        } catch (Listings.NotADirectory e) {
            return bad(ref, "not a directory");
        } catch (BootStoreException e) {
            if (e.kind() == Kind.UNAVAILABLE) {
                // Node down: keep what the ref resolved to last time, and retry later.
                Optional<String> last = index.root(ref.value());
                String plain = plainCid(ref.value());
                String cid = last.orElse(plain);
                LOG.warn("ref {} = \"{}\": IPFS node unreachable, {}", ref.name(), ref.value(),
                        cid == null ? "not resolved yet" : "using " + cid + " (listings from the cache)");
                return new Root(ref, cid, null);
            }
            return bad(ref, e.getMessage());
        }
    }

    private static Root bad(RefsFile.Ref ref, String why) {
        String msg = "ref " + ref.name() + " = \"" + ref.value() + "\": " + why + "; not served";
        LOG.error(msg);
        return new Root(ref, null, msg);
    }

    /** A bare CID ref (no sub-path) resolves without the node. */
    private static String plainCid(String v) {
        String s = v.startsWith("/ipfs/") ? v.substring(6) : v;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.contains("/") || v.startsWith("/ipns/") ? null : s;
    }

    private String resolveCid(RefsFile.Ref ref) throws BootStoreException {
        String v = ref.value();
        String label = "ref " + ref.name();
        if (v.startsWith("/ipns/")) {
            if (!health.mayTry()) {
                throw Failures.unavailable(label, null);
            }
            try {
                v = client.nameResolve(v);
                health.ok();
            } catch (KuboException e) {
                health.failed(e);
                if (e.unreachable()) {
                    throw Failures.unavailable(label, e);
                }
                throw new BootStoreException(Kind.IO, "cannot resolve the name: " + e.getMessage(), e);
            }
        }
        String s = v.startsWith("/ipfs/") ? v.substring(6) : v;
        String[] segs = s.split("/");
        String cid = segs[0];
        for (int i = 1; i < segs.length; i++) {
            if (segs[i].isEmpty()) {
                continue;
            }
            String name = segs[i];
            CacheIndex.Link l = listings.links(cid, label).stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElseThrow(() -> new BootStoreException(Kind.IO, "no '" + name + "' in the tree"));
            cid = l.cid();
        }
        return cid;
    }
}

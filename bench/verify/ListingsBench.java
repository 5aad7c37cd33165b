// Listing a whole boot tree, unverified (the node's `ls`, as Listings did before) against verified
// (VerifiedDirectory over block/get, as Listings does now). Run by bench/verify/listings:
//   java -cp CP bench/verify/ListingsBench.java API TREE_CID PASSES
// Each pass walks every directory from the root with a fresh lister (nothing kept between passes)
// and prints seconds, directories and entries per method; the methods alternate so neither always
// runs on a warmer node.
import java.net.URI;
import java.util.*;
import org.astralboot.ipfs.kubo.*;
import org.astralboot.ipfs.verify.*;

public class ListingsBench {
    public static void main(String[] a) throws Exception {
        KuboClient client = new KuboClient(URI.create(a[0]));
        VerifiedSource src = VerifiedSource.of(client, null);
        String root = a[1];
        int passes = Integer.parseInt(a[2]);
        for (int p = 0; p < passes; p++) {
            for (int m = 0; m < 2; m++) {
                boolean verified = (p + m) % 2 == 1;
                long t0 = System.nanoTime();
                int[] n = new int[2];
                if (verified) {
                    walkVerified(new VerifiedDirectory(src::block), Cid.parse(root), n);
                } else {
                    walkLs(client, root, n);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "pass %d %-10s %.3f s  %d dirs %d entries%n", p, verified ? "verified" : "ls", s, n[0], n[1]);
            }
        }
    }

    static void walkLs(KuboClient c, String cid, int[] n) throws Exception {
        KuboClient.Listing l = c.ls(cid);
        n[0]++;
        for (KuboClient.Link k : l.links()) {
            n[1]++;
            if (k.directory()) {
                walkLs(c, k.hash(), n);
            }
        }
    }

    static void walkVerified(VerifiedDirectory d, Cid cid, int[] n) throws Exception {
        VerifiedDirectory.Listing l = d.list(cid);
        n[0]++;
        for (VerifiedDirectory.Entry e : l.entries()) {
            n[1]++;
            if (e.type() == VerifiedDirectory.Type.DIRECTORY) {
                walkVerified(d, e.cid(), n);
            }
        }
    }
}

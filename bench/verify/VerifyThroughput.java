// The verifier alone on an in-memory CAR (no node, no disk): java -cp target/classes bench/verify/VerifyThroughput.java FILE.car CID SIZE
// (FILE.car from `ipfs dag export CID`). Prints seconds per pass; the first passes include JIT warm-up.
import java.nio.file.*;
import java.io.*;
import org.astralboot.ipfs.verify.*;
public class VerifyThroughput {
    public static void main(String[] a) throws Exception {
        byte[] car = Files.readAllBytes(Path.of(a[0]));
        Cid root = Cid.parse(a[1]);
        long size = Long.parseLong(a[2]);
        byte[] buf = new byte[256 * 1024];
        for (int i = 0; i < 8; i++) {
            long t0 = System.nanoTime();
            long n = 0;
            try (VerifiedFileReader r = new VerifiedFileReader(root, size, 0, size, new ByteArrayInputStream(car), false, false)) {
                int k;
                while ((k = r.read(buf, 0, buf.length)) > 0) n += k;
            }
            long t1 = System.nanoTime();
            // reading the same bytes without verification: the copy alone
            InputStream in = new BufferedInputStream(new ByteArrayInputStream(car), 65536);
            while (in.read(buf) > 0) { }
            long t2 = System.nanoTime();
            System.out.printf("verify %.3f s (%d bytes), plain copy %.3f s%n", (t1 - t0) / 1e9, n, (t2 - t1) / 1e9);
        }
    }
}

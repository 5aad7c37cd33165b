import java.security.MessageDigest;

/**
 * Is SHA-256 (the hash of every block a cold fetch verifies) running at the machine's speed?
 * Hashes 400 blocks of 256 KiB (Kubo's chunk size, 100 MiB) per round, six rounds, in a fresh
 * JVM, each block as one {@code update} as {@code Multihash.matches} does, and prints ms per
 * 100 MiB. Run it with the JVM flags to compare, e.g. {@code -XX:-UseSHA} for the Java code
 * without the CPU's SHA instructions (bench/ipfs/sha-speed runs the three cases).
 */
public final class ShaSpeed {
    public static void main(String[] args) throws Exception {
        byte[] block = new byte[256 * 1024];
        new java.util.Random(1).nextBytes(block);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int r = 0; r < 6; r++) {
            long t = System.nanoTime();
            for (int b = 0; b < 400; b++) {
                md.reset();
                md.update(block, 0, block.length);
                md.digest();
            }
            System.out.printf("round %d: %.1f ms per 100 MiB%n", r, (System.nanoTime() - t) / 1e6);
        }
    }
}

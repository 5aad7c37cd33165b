package org.astralboot.boot;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.astralboot.db.Database;
import org.astralboot.net.MacAddress;

/**
 * Per-machine secrets: HMAC-SHA256 (RFC 2104, FIPS 180-4) of the MAC's six bytes under one random
 * 256-bit server key, kept in the database (map {@code secrets}, entry {@code machine-key}) so the
 * keys in boot scripts and kernel command lines already handed out stay valid across restarts. The
 * server puts a machine's key only into that machine's own scripts ({@link MachineAccess}); a
 * request carrying it ({@code ?key=}) is that machine's even from an address the server cannot tie
 * to its MAC (a relayed machine, an installer on another NIC). The key is the first 128 bits, hex.
 */
public final class MachineKeys {
    static final String ENTRY = "machine-key";
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;

    MachineKeys(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** The server key of {@code db}, created (and committed) on first use. */
    public static MachineKeys open(Database db) {
        return new MachineKeys(db.secret(ENTRY));
    }

    /** The key of {@code mac}: 32 lower-case hex digits. */
    public String of(MacAddress mac) {
        try {
            Mac h = Mac.getInstance("HmacSHA256");
            h.init(key);
            byte[] d = h.doFinal(mac.toBytes());
            return HEX.formatHex(d, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e); // every JDK has it
        }
    }

    /** Whether {@code presented} is the key of {@code mac}, compared in constant time. */
    public boolean matches(MacAddress mac, String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(of(mac).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                presented.toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}

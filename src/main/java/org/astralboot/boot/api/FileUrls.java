package org.astralboot.boot.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.astralboot.db.Database;

/**
 * Signed URLs of the files a boot source names (an API's kernel, a static boot's initrd): the
 * machine only ever sees {@code <base>/file/<token>/<name>}, where the token carries the source (a
 * URL, a local path) and an HMAC-SHA256 (RFC 2104) of it under a random 256-bit key. Astralboot
 * fetches only what a token it signed names, so it is never an open proxy: a token it did not sign,
 * or one altered by a single bit, is refused (403).
 *
 * <p>Unlike Pixiecore's per-process secretbox key, the key is kept in the database (map {@code
 * secrets}, entry {@code file-url-key}, beside {@link org.astralboot.boot.MachineKeys}'s), so URLs
 * already in a machine's script or kernel command line stay valid across a restart. The source is
 * not secret (it is only base64url), only authenticated: API URLs may be seen by the machines.
 *
 * <p>Token: {@code base64url(source) "." base64url(first 16 bytes of HMAC(key, "file\0" source))},
 * without padding.
 */
public final class FileUrls {
    static final String ENTRY = "file-url-key";
    /** Route prefix of signed files on the HTTP service. */
    public static final String ROUTE = "/file/";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder D64 = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final UnaryOperator<String> baseFor;

    /**
     * @param key  at least 32 random bytes
     * @param base the HTTP service's base URL as machines reach it, for every machine
     */
    public FileUrls(byte[] key, String base) {
        this(key, ip -> base);
    }

    /**
     * @param key     at least 32 random bytes
     * @param baseFor the HTTP service's base URL for a machine whose request came from an address
     *                ("" when not known): {@code Config.httpBaseFor}, so that a machine that booted
     *                over IPv6 fetches its files over IPv6 too ({@code http://[address]:port})
     */
    public FileUrls(byte[] key, UnaryOperator<String> baseFor) {
        if (key.length < 32) {
            throw new IllegalArgumentException("key too short");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.baseFor = java.util.Objects.requireNonNull(baseFor, "baseFor");
    }

    /** The key of {@code db}, created (and committed) on first use. */
    public static FileUrls open(Database db, UnaryOperator<String> baseFor) {
        return new FileUrls(db.secret(ENTRY), baseFor);
    }

    /** The token of {@code source}. */
    public String token(String source) {
        return B64.encodeToString(source.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(mac(source));
    }

    /**
     * The URL a machine fetches {@code source} from, for a machine whose address is not known (the
     * base for "").
     */
    public String url(String source) {
        return url(source, "");
    }

    /**
     * The URL the machine at {@code sourceIp} fetches {@code source} from: on the base it reaches
     * this server at (an IPv6 address for a machine that asked over IPv6). It ends with the source's
     * last path segment (for iPXE's image name and logs), which is ignored when the URL is read
     * back. The token is the same whatever the base: a URL stays valid over either family.
     */
    public String url(String source, String sourceIp) {
        String base = baseFor.apply(sourceIp == null ? "" : sourceIp);
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + ROUTE + token(source) + "/" + nameOf(source);
    }

    /** The source a token names, when this server signed it; empty for anything else. */
    public Optional<String> verify(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        byte[] src;
        byte[] sig;
        try {
            src = D64.decode(token.substring(0, dot));
            sig = D64.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String source = new String(src, StandardCharsets.UTF_8);
        // Re-encoding must give the same bytes: a source that is not UTF-8 cannot have been signed.
        if (!java.util.Arrays.equals(source.getBytes(StandardCharsets.UTF_8), src)) {
            return Optional.empty();
        }
        return MessageDigest.isEqual(mac(source), sig) ? Optional.of(source) : Optional.empty();
    }

    /**
     * The token of a request path under {@link #ROUTE}: the first segment ({@code <token>/<name>}).
     */
    public static String tokenOf(String rest) {
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** A file name for the URL: the source's last segment, reduced to safe characters. */
    static String nameOf(String source) {
        String s = source;
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        s = s.substring(s.lastIndexOf('/') + 1);
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ".-_".indexOf(c) >= 0
                    ? c : '_');
        }
        return b.isEmpty() || b.toString().startsWith(".") ? "file" : b.toString();
    }

    private byte[] mac(String source) {
        try {
            Mac h = Mac.getInstance("HmacSHA256");
            h.init(key);
            h.update("file\0".getBytes(StandardCharsets.US_ASCII));
            byte[] d = h.doFinal(source.getBytes(StandardCharsets.UTF_8));
            return java.util.Arrays.copyOf(d, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e); // every JDK has it
        }
    }
}

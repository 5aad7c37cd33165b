package org.astralboot.tftp.codec;

import java.util.Locale;

/** Transfer modes of RFC 1350 §1; the name is matched case-insensitively. */
public enum TftpMode {
    /** 8-bit ASCII with CR LF line ends and CR NUL for a bare CR (RFC 1350 §1, RFC 764). */
    NETASCII,
    /** Raw bytes. */
    OCTET,
    /** Obsolete (RFC 1350 §1 says it "should not be implemented"); parsed so it can be refused clearly. */
    MAIL;

    /** Wire name, lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode named {@code s} (any case), or {@code null}. */
    public static TftpMode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "netascii" -> NETASCII;
            case "octet" -> OCTET;
            case "mail" -> MAIL;
            default -> null;
        };
    }
}

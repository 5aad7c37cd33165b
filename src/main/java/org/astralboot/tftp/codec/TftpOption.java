package org.astralboot.tftp.codec;

import java.util.Locale;
import java.util.Objects;

/**
 * One option of a request or OACK (RFC 2347 §2): a name, matched case-insensitively, and a value,
 * both NUL-terminated strings on the wire. The name keeps the client's spelling so an OACK can echo it.
 */
public record TftpOption(String name, String value) {
    public TftpOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty option name");
        }
        if (name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL in option");
        }
    }

    /** The name in lower case, for matching. */
    public String key() {
        return name.toLowerCase(Locale.ROOT);
    }

    public boolean is(String optionName) {
        return name.equalsIgnoreCase(optionName);
    }
}

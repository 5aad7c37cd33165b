package org.astralboot.http;

import java.io.ByteArrayOutputStream;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;

/**
 * The request path as text, decoded the same way as TFTP file names ({@link TreePath#utf8}),
 * whatever the JVM's locale. Undertow, with URL decoding off, hands over the path's octets one
 * {@code char} each (ISO 8859-1). Clients send a non-ASCII name as UTF-8 octets, raw or
 * percent-encoded (RFC 3986 §2.5; curl and iPXE encode them): both spellings give the same name.
 *
 * <p>Only escapes of octets {@code %80}-{@code %FF} are decoded. They can only be part of a
 * multi-byte UTF-8 character (the strict decoder refuses overlong forms such as {@code %C0%AE}),
 * so no escape ever turns into {@code .}, {@code /}, {@code \} or {@code %}: escapes of ASCII
 * stay as they are, and {@link TreePath} refuses the {@code %} as before.
 */
final class RequestPath {
    private RequestPath() {
    }

    /**
     * @throws InvalidPathException when the octets are not UTF-8 (no file can have that name)
     */
    static String decode(String raw) throws InvalidPathException {
        boolean ascii = true;
        for (int i = 0; i < raw.length() && ascii; i++) {
            char c = raw.charAt(i);
            ascii = c < 0x80 && !(c == '%' && i + 1 < raw.length() && hex(raw.charAt(i + 1)) >= 8);
        }
        if (ascii) {
            return raw; // the common case: nothing to decode
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c > 0xFF) {
                throw new InvalidPathException("name is not valid UTF-8"); // not an octet: never from the parser
            }
            if (c == '%' && i + 2 < raw.length()) {
                int hi = hex(raw.charAt(i + 1));
                int lo = hex(raw.charAt(i + 2));
                if (hi >= 8 && lo >= 0) {
                    b.write(hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            b.write(c);
        }
        return TreePath.utf8(b.toByteArray());
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}

package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.astralboot.store.InvalidPathException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {
    /** Octets as Undertow hands them over (one char per octet, URL decoding off). */
    static String octets(String utf8) {
        return new String(utf8.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void rawAndPercentEncodedUtf8AreTheSameName() throws Exception {
        assertEquals("/tftp/café.txt", RequestPath.decode(octets("/tftp/café.txt")));
        assertEquals("/tftp/café.txt", RequestPath.decode("/tftp/caf%C3%A9.txt"));
        assertEquals("/tftp/café.txt", RequestPath.decode("/tftp/caf%c3%a9.txt"));
        assertEquals("/tftp/café.txt", RequestPath.decode(octets("/tftp/caf") + "%c3" + "\u00a9.txt"));
    }

    @Test
    void asciiEscapesStayForTreePathToRefuse() throws Exception {
        assertEquals("/tftp/%2e%2e/%2fetc", RequestPath.decode("/tftp/%2e%2e/%2fetc"));
        assertEquals("/tftp/%25C3%25A9", RequestPath.decode("/tftp/%25C3%25A9"));
        assertEquals("/boot.ipxe", RequestPath.decode("/boot.ipxe"));
        assertEquals("/a%", RequestPath.decode("/a%"));
        assertEquals("/é%", RequestPath.decode("/%C3%A9%"));
        assertEquals("/é%C", RequestPath.decode("/%C3%A9%C"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tftp/caf%E9.txt", "/tftp/%C0%AE%C0%AE/etc", "/tftp/%C3", "/tftp/caf\u00e9.txt",
        "/tftp/%ED%A0%80"})
    void octetsThatAreNotUtf8NameNothing(String raw) {
        assertThrows(InvalidPathException.class, () -> RequestPath.decode(raw));
    }
}

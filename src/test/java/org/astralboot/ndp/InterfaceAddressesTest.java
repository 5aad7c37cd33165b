package org.astralboot.ndp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading {@code /proc/net/if_inet6}: only usable (not tentative, not failed) link-local addresses count. */
class InterfaceAddressesTest {
    /** As read on this machine in a namespace: a bridge whose address is tentative, a veth with one ready. */
    static final String TEXT = """
            00000000000000000000000000000001 01 80 10 80       lo
            fe80000000000000a0392cfffe15356f 04 40 20 40     rabr
            fe80000000000000e4daedfffe7c49a2 05 40 20 80     raeb
            20010db8000100000000000000000001 05 40 00 80     raeb
            fe800000000000001111111111111111 05 40 20 c8     raeb
            garbage line
            """;

    @Test
    void onlyUsableLinkLocalAddressesOfTheInterface() throws Exception {
        assertEquals(List.of(InetAddress.getByName("fe80::e4da:edff:fe7c:49a2")),
                InterfaceAddresses.usableLinkLocal(TEXT, "raeb"));
        assertEquals(List.of(), InterfaceAddresses.usableLinkLocal(TEXT, "rabr"), "tentative: not yet");
        assertEquals(List.of(), InterfaceAddresses.usableLinkLocal(TEXT, "lo"));
        assertEquals(List.of(), InterfaceAddresses.usableLinkLocal(TEXT, "eth9"));
        assertEquals(5, InterfaceAddresses.parse(TEXT).size());
    }

    @Test
    void theRealFileParses() {
        // Whatever this machine has: every line of the real file is read (loopback at least, when IPv6 is on).
        if (java.nio.file.Files.isReadable(InterfaceAddresses.PROC)) {
            try {
                String text = java.nio.file.Files.readString(InterfaceAddresses.PROC);
                assertEquals(text.lines().filter(l -> !l.isBlank()).count(), InterfaceAddresses.parse(text).size());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}

package org.astralboot.dhcp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.astralboot.net.QuirkCounter;
import org.junit.jupiter.api.Test;

/** Each quirk the DHCP codec tolerates is counted once per message; captured clients count none. */
class DhcpCodecQuirkTest {
    final QuirkCounter<DhcpQuirk> quirks = new QuirkCounter<>(DhcpQuirk.class);

    private DhcpPacket decode(byte[] b) throws DhcpCodecException {
        DhcpPacket p = DhcpCodec.decode(b, 0, b.length, quirks);
        assertEquals(DhcpCodec.decode(b, 0, b.length), p); // counting changes nothing
        return p;
    }

    @Test
    void capturedClientsCountNothing() throws Exception {
        for (byte[] b : CapturedPackets.all()) {
            decode(b);
        }
        decode(DhcpCodecTest.base());
        assertEquals(0, quirks.total(), quirks.snapshot().toString());
    }

    @Test
    void aMissingEndIsCountedOnce() throws Exception {
        // The udhcpc DISCOVER cut just before its END option.
        byte[] c = CapturedPackets.UDHCPC_DISCOVER;
        int end = lastIndexOf(c, (byte) 255);
        assertEquals(DhcpMessageType.DISCOVER, decode(Arrays.copyOf(c, end)).messageType());
        assertEquals(1, quirks.count(DhcpQuirk.MISSING_END));
        assertEquals(1, quirks.total());
    }

    @Test
    void aMissingEndInMainAndOverloadedFieldsIsStillOneMessage() throws Exception {
        byte[] b = Arrays.copyOf(DhcpCodecTest.base(), 246);
        b[240] = 53; b[241] = 1; b[242] = 1;
        b[243] = 52; b[244] = 1; b[245] = 1; // options continue in 'file', which has no END either
        Arrays.fill(b, 108, 108 + 128, (byte) 0);
        b[108] = 12; b[109] = 126; // host name filling the whole file field
        Arrays.fill(b, 110, 236, (byte) 'h');
        decode(b);
        assertEquals(1, quirks.count(DhcpQuirk.MISSING_END));
        assertEquals(1, quirks.total());
    }

    @Test
    void dataAfterEndIsCountedOnce() throws Exception {
        // The dhclient DISCOVER with bytes that are not PAD after its END.
        byte[] c = CapturedPackets.DHCLIENT_DISCOVER;
        int end = lastIndexOf(c, (byte) 255);
        byte[] b = Arrays.copyOf(c, end + 9);
        b[end + 3] = 0x0c;
        b[end + 8] = 0x2a;
        DhcpPacket p = decode(b);
        assertEquals(DhcpCodec.decode(c, 0, c.length).options(), p.options());
        assertEquals(1, quirks.count(DhcpQuirk.DATA_AFTER_END));
        assertEquals(1, quirks.total());
    }

    @Test
    void zeroPaddingAfterEndIsNoQuirk() throws Exception {
        byte[] c = CapturedPackets.DHCLIENT_DISCOVER;
        decode(Arrays.copyOf(c, c.length + 64));
        assertEquals(0, quirks.total());
    }

    static int lastIndexOf(byte[] b, byte v) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == v) {
                return i;
            }
        }
        throw new AssertionError("no END");
    }
}

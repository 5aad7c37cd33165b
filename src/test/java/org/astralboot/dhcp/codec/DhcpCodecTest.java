package org.astralboot.dhcp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DhcpCodecTest {

    private static DhcpPacket decode(byte[] b) throws DhcpCodecException {
        return DhcpCodec.decode(ByteBuffer.wrap(b));
    }

    @Test
    void dhclientDiscover() throws Exception {
        DhcpPacket p = decode(CapturedPackets.DHCLIENT_DISCOVER);
        assertEquals(DhcpOp.BOOTREQUEST, p.op());
        assertEquals(DhcpMessageType.DISCOVER, p.messageType());
        assertEquals(MacAddress.parse("46:a3:2b:2f:fc:e9"), p.mac());
        assertEquals(0x65112303, p.xid());
        assertEquals("vm", p.options().text(DhcpOption.HOST_NAME).orElseThrow());
        assertArrayEquals(new byte[] {1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42},
                p.options().get(DhcpOption.PARAMETER_LIST));
        assertEquals("", p.file());
        assertEquals("", p.sname());
    }

    @Test
    void dhclientRequestCarriesServerIdAndRequestedAddress() throws Exception {
        DhcpPacket p = decode(CapturedPackets.DHCLIENT_REQUEST);
        assertEquals(DhcpMessageType.REQUEST, p.messageType());
        assertEquals(0xC6121001, p.options().intValue(DhcpOption.SERVER_ID, 0)); // 198.18.16.1
        assertEquals(0xC61210AF, p.options().intValue(DhcpOption.REQUESTED_ADDRESS, 0)); // 198.18.16.175
    }

    @Test
    void dhclientReleaseUsesCiaddr() throws Exception {
        DhcpPacket p = decode(CapturedPackets.DHCLIENT_RELEASE);
        assertEquals(DhcpMessageType.RELEASE, p.messageType());
        assertEquals(0xC61210AF, p.ciaddr());
    }

    @Test
    void udhcpc() throws Exception {
        DhcpPacket d = decode(CapturedPackets.UDHCPC_DISCOVER);
        assertEquals(DhcpMessageType.DISCOVER, d.messageType());
        assertEquals(MacAddress.parse("52:54:00:aa:bb:02"), d.mac());
        assertTrue(d.options().has(DhcpOption.CLIENT_ID));
        DhcpPacket r = decode(CapturedPackets.UDHCPC_REQUEST);
        assertEquals(DhcpMessageType.REQUEST, r.messageType());
        assertTrue(r.options().has(DhcpOption.SERVER_ID));
    }

    @Test
    void ipxeBiosRom() throws Exception {
        DhcpPacket p = decode(CapturedPackets.IPXE_BIOS_DISCOVER);
        assertEquals(DhcpMessageType.DISCOVER, p.messageType());
        assertEquals("PXEClient:Arch:00000:UNDI:002001", p.options().text(DhcpOption.VENDOR_CLASS).orElseThrow());
        assertArrayEquals(new byte[] {0, 0}, p.options().get(DhcpOption.CLIENT_ARCH));
        assertEquals("iPXE", p.options().text(DhcpOption.USER_CLASS).orElseThrow());
        assertTrue(p.options().has(DhcpOption.IPXE_ENCAP));
        assertEquals(DhcpMessageType.REQUEST, decode(CapturedPackets.IPXE_BIOS_REQUEST).messageType());
    }

    @Test
    void ovmfFirmwarePxeIsArch7WithoutUserClass() throws Exception {
        DhcpPacket p = decode(CapturedPackets.OVMF_PXE_DISCOVER);
        assertArrayEquals(new byte[] {0, 7}, p.options().get(DhcpOption.CLIENT_ARCH));
        assertTrue(p.options().text(DhcpOption.VENDOR_CLASS).orElseThrow().startsWith("PXEClient:Arch:00007"));
        assertFalse(p.options().has(DhcpOption.USER_CLASS));
        assertEquals(17, p.options().length(DhcpOption.CLIENT_UUID.code));
    }

    @Test
    void ipxeEfi() throws Exception {
        DhcpPacket p = decode(CapturedPackets.IPXE_EFI_DISCOVER);
        assertArrayEquals(new byte[] {0, 7}, p.options().get(DhcpOption.CLIENT_ARCH));
        assertEquals("iPXE", p.options().text(DhcpOption.USER_CLASS).orElseThrow());
        assertEquals(DhcpMessageType.REQUEST, decode(CapturedPackets.IPXE_EFI_REQUEST).messageType());
    }

    @Test
    void everyCaptureRoundTripsByteForByte() throws Exception {
        for (byte[] raw : CapturedPackets.all()) {
            DhcpPacket p = decode(raw);
            byte[] enc = DhcpCodec.encode(p);
            assertEquals(p, decode(enc));
            // Same bytes up to our length; the capture may carry extra zero padding after END.
            assertArrayEquals(Arrays.copyOf(raw, Math.min(raw.length, enc.length)),
                    Arrays.copyOf(enc, Math.min(raw.length, enc.length)));
            for (int i = enc.length; i < raw.length; i++) {
                assertEquals(0, raw[i]);
            }
        }
    }

    @Test
    void decodeLeavesBufferPositionAlone() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(CapturedPackets.DHCLIENT_DISCOVER);
        DhcpCodec.decode(b);
        assertEquals(0, b.position());
    }

    @Test
    void unsignedFieldsAndLongOptionSplit() throws Exception {
        byte[] big = new byte[600];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7);
        }
        byte[] mid = new byte[200]; // length byte >= 128 must not go negative
        Arrays.fill(mid, (byte) 0xAB);
        DhcpPacket p = new DhcpPacket(DhcpOp.BOOTREPLY, 255, 6, 255, 0xFFFFFFFF, 0xFFFF, 0x8000, 0xFFFFFFFF,
                0xC0000201, 0x80000000, 0xC6120001, DhcpPacket.chaddrOf(MacAddress.parse("ff:ee:dd:cc:bb:aa")),
                "sname-\u00e9", "file.efi",
                DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, 2).put(DhcpOption.VENDOR_SPECIFIC, big)
                        .put(DhcpOption.CLIENT_ID, mid).build());
        byte[] enc = DhcpCodec.encode(p);
        DhcpPacket q = decode(enc);
        assertEquals(p, q);
        assertEquals(0xFFFF, q.secs());
        assertTrue(q.broadcastFlag());
        assertEquals(600, q.options().length(43));
        assertEquals(200, q.options().length(61));
        assertEquals("sname-\u00e9", q.sname());
    }

    @Test
    void overloadedFileAndSnameCarryOptions() throws Exception {
        byte[] b = base();
        int i = 240;
        b[i++] = 53; b[i++] = 1; b[i++] = 1;
        b[i++] = 52; b[i++] = 1; b[i++] = 3;
        b[i] = (byte) 255;
        // file field (108): vendor class; sname field (44): user class. RFC 2131 §4.1 order: file then sname.
        byte[] vc = "PXEClient:Arch:00007".getBytes();
        b[108] = 60; b[109] = (byte) vc.length;
        System.arraycopy(vc, 0, b, 110, vc.length);
        b[110 + vc.length] = (byte) 255;
        b[44] = 77; b[45] = 4; b[46] = 'i'; b[47] = 'P'; b[48] = 'X'; b[49] = 'E'; b[50] = (byte) 255;
        DhcpPacket p = decode(b);
        assertEquals("PXEClient:Arch:00007", p.options().text(DhcpOption.VENDOR_CLASS).orElseThrow());
        assertEquals("iPXE", p.options().text(DhcpOption.USER_CLASS).orElseThrow());
        assertEquals("", p.file());
        assertEquals("", p.sname());
        assertFalse(p.options().has(DhcpOption.OVERLOAD));
    }

    @Test
    void repeatedOptionsAreConcatenated() throws Exception {
        byte[] b = base();
        int i = 240;
        b[i++] = 53; b[i++] = 1; b[i++] = 1;
        b[i++] = 43; b[i++] = 2; b[i++] = 1; b[i++] = 2;
        b[i++] = 43; b[i++] = 1; b[i++] = 3;
        b[i] = (byte) 255;
        assertArrayEquals(new byte[] {1, 2, 3}, decode(b).options().get(43));
    }

    @Test
    void unterminatedStringsStayInTheirFields() throws Exception {
        byte[] b = base();
        Arrays.fill(b, 44, 44 + 64, (byte) 'S');
        Arrays.fill(b, 108, 108 + 128, (byte) 'F');
        b[240] = 53; b[241] = 1; b[242] = 1; b[243] = (byte) 255;
        DhcpPacket p = decode(b);
        assertEquals(64, p.sname().length());
        assertEquals(128, p.file().length());
    }

    @Test
    void missingEndIsTolerated() throws Exception {
        byte[] b = Arrays.copyOf(base(), 243);
        b[240] = 53; b[241] = 1; b[242] = 3;
        assertEquals(DhcpMessageType.REQUEST, decode(b).messageType());
    }

    @Test
    void unknownMessageTypeIsNull() throws Exception {
        byte[] b = base();
        b[240] = 53; b[241] = 1; b[242] = 13; b[243] = (byte) 255;
        assertNull(decode(b).messageType());
    }

    /** A minimal valid DISCOVER: header, cookie, 60 bytes of option space. */
    static byte[] base() {
        byte[] b = new byte[300];
        b[0] = 1; b[1] = 1; b[2] = 6;
        b[28] = 0x52; b[29] = 0x54; b[33] = 1;
        b[236] = 0x63; b[237] = (byte) 0x82; b[238] = 0x53; b[239] = 0x63;
        b[240] = (byte) 255;
        return b;
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                bad("empty", b -> { }, 0),
                bad("truncated header", b -> { }, 100),
                bad("no room for the cookie", b -> { }, 238),
                bad("bad magic cookie", b -> b[239] = 0x64, -1),
                bad("op 0", b -> b[0] = 0, -1),
                bad("op 3", b -> b[0] = 3, -1),
                bad("hlen 17", b -> b[2] = 17, -1),
                bad("hlen 255", b -> b[2] = (byte) 255, -1),
                bad("option without length", b -> b[240] = 12, 241),
                bad("option overruns datagram", b -> { b[240] = 12; b[241] = (byte) 200; }, -1),
                bad("option length 255 overruns", b -> { b[240] = 43; b[241] = (byte) 255; }, -1),
                bad("message type length 2", b -> { b[240] = 53; b[241] = 2; b[242] = 1; b[243] = 1; b[244] = (byte) 255; }, -1),
                bad("message type length 0", b -> { b[240] = 53; b[241] = 0; b[242] = (byte) 255; }, -1),
                bad("server id length 3", b -> { b[240] = 54; b[241] = 3; b[245] = (byte) 255; }, -1),
                bad("requested address length 5", b -> { b[240] = 50; b[241] = 5; b[247] = (byte) 255; }, -1),
                bad("lease time length 2", b -> { b[240] = 51; b[241] = 2; b[244] = (byte) 255; }, -1),
                bad("max message size length 1", b -> { b[240] = 57; b[241] = 1; b[243] = (byte) 255; }, -1),
                bad("client arch odd length", b -> { b[240] = 93; b[241] = 3; b[245] = (byte) 255; }, -1),
                bad("client arch empty", b -> { b[240] = 93; b[241] = 0; b[242] = (byte) 255; }, -1),
                bad("router length 6", b -> { b[240] = 3; b[241] = 6; b[248] = (byte) 255; }, -1),
                bad("overload value 0", b -> { b[240] = 52; b[241] = 1; b[242] = 0; b[243] = (byte) 255; }, -1),
                bad("overload value 4", b -> { b[240] = 52; b[241] = 1; b[242] = 4; b[243] = (byte) 255; }, -1),
                bad("overload length 2", b -> { b[240] = 52; b[241] = 2; b[244] = (byte) 255; }, -1),
                bad("overloaded file overruns its field", b -> {
                    b[240] = 52; b[241] = 1; b[242] = 1; b[243] = (byte) 255;
                    b[108 + 120] = 43; b[108 + 121] = 20;
                }, -1),
                bad("overloaded sname option without length", b -> {
                    b[240] = 52; b[241] = 1; b[242] = 2; b[243] = (byte) 255;
                    Arrays.fill(b, 44, 44 + 63, (byte) 0);
                    b[44 + 63] = 43;
                }, -1),
                bad("option 52 inside the file field", b -> {
                    b[240] = 52; b[241] = 1; b[242] = 1; b[243] = (byte) 255;
                    b[108] = 52; b[109] = 1; b[110] = 2; b[111] = (byte) 255;
                }, -1));
    }

    private static Arguments bad(String name, Consumer<byte[]> edit, int truncate) {
        byte[] b = base();
        edit.accept(b);
        if (truncate >= 0) {
            b = Arrays.copyOf(b, truncate);
        }
        return Arguments.of(name, b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedPacketsRaiseTheCodecException(String name, byte[] b) {
        assertThrows(DhcpCodecException.class, () -> decode(b), name);
    }

    @Test
    void everyTruncationOfEveryCaptureFailsCleanly() {
        for (byte[] raw : CapturedPackets.all()) {
            for (int n = 0; n < raw.length; n++) {
                byte[] t = Arrays.copyOf(raw, n);
                try {
                    decode(t);
                } catch (DhcpCodecException expected) {
                    // fine: only the codec's own exception may come out
                }
            }
        }
    }
}

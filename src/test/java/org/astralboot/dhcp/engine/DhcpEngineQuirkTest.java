package org.astralboot.dhcp.engine;

import static org.astralboot.dhcp.engine.Requests.ip;
import static org.astralboot.dhcp.engine.Requests.opts;
import static org.astralboot.dhcp.engine.Requests.req;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.astralboot.dhcp.codec.CapturedPackets;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.codec.DhcpQuirk;
import org.astralboot.net.MacAddress;
import org.astralboot.net.QuirkCounter;
import org.junit.jupiter.api.Test;

/** The quirks the DHCP engine tolerates are counted once per request; RFC-conforming clients count none. */
class DhcpEngineQuirkTest {
    static final MacAddress A = DhcpEngineTest.A;
    final QuirkCounter<DhcpQuirk> quirks = new QuirkCounter<>(DhcpQuirk.class);
    /** The engine tests' fixture, so the engine is built in one place. */
    final DhcpEngineTest fixture = new DhcpEngineTest();

    static DhcpPacket decode(byte[] b) throws Exception {
        return DhcpCodec.decode(b, 0, b.length);
    }

    DhcpEngine engine() {
        DhcpEngine e = fixture.full();
        e.reportQuirksTo(quirks);
        return e;
    }

    @Test
    void ipxeBareUserClassIsCountedOncePerRequest() throws Exception {
        DhcpEngine e = engine();
        DhcpReply offer = DhcpEngineTest.one(e.handle(decode(CapturedPackets.IPXE_BIOS_DISCOVER), false, 0, 68));
        assertEquals(DhcpMessageType.OFFER, offer.packet().messageType());
        assertEquals(1, quirks.count(DhcpQuirk.RAW_USER_CLASS));
        assertEquals(1, quirks.total());
        assertTrue(Firmware.of(decode(CapturedPackets.IPXE_EFI_DISCOVER), quirks).ipxe());
        assertEquals(2, quirks.count(DhcpQuirk.RAW_USER_CLASS));
    }

    @Test
    void rfc3004UserClassCountsNothing() throws Exception {
        DhcpPacket p = req(A, DhcpMessageType.DISCOVER, 0, 0,
                opts().put(DhcpOption.USER_CLASS, new byte[] {4, 'i', 'P', 'X', 'E'}));
        assertTrue(Firmware.of(p, quirks).ipxe());
        assertEquals(0, quirks.total());
    }

    @Test
    void edk2WithoutOption93IsCountedOnce() throws Exception {
        // The OVMF capture with its option 93 (5d 02 00 07) overwritten by PAD: the architecture
        // must then come from "PXEClient:Arch:00007:UNDI:003000".
        byte[] b = CapturedPackets.OVMF_PXE_DISCOVER.clone();
        int at = indexOf(b, new byte[] {0x5d, 0x02, 0x00, 0x07});
        Arrays.fill(b, at, at + 4, (byte) 0);
        DhcpPacket p = decode(b);
        assertEquals(-1, p.options().length(DhcpOption.CLIENT_ARCH.code));
        Firmware fw = Firmware.of(p, quirks);
        assertEquals(Firmware.ARCH_EFI_X64, fw.arch());
        assertEquals(1, quirks.count(DhcpQuirk.ARCH_FROM_VENDOR_CLASS));
        assertEquals(1, quirks.total());
    }

    @Test
    void capturedClientsThatKeepToTheRfcsCountNothing() throws Exception {
        for (byte[] b : new byte[][] {CapturedPackets.DHCLIENT_DISCOVER, CapturedPackets.DHCLIENT_REQUEST,
            CapturedPackets.UDHCPC_DISCOVER, CapturedPackets.UDHCPC_REQUEST, CapturedPackets.OVMF_PXE_DISCOVER}) {
            Firmware.of(decode(b), quirks);
        }
        DhcpEngine e = engine();
        e.handle(decode(CapturedPackets.OVMF_PXE_DISCOVER), false, 0, 68);
        e.handle(decode(CapturedPackets.DHCLIENT_DISCOVER), false, 0, 68);
        DhcpPacket release = decode(CapturedPackets.DHCLIENT_RELEASE);
        assertTrue(release.options().has(DhcpOption.SERVER_ID));
        e.handle(release, false, 0, 68);
        assertEquals(0, quirks.total(), quirks.snapshot().toString());
    }

    @Test
    void releaseAndDeclineWithoutServerIdAreCountedOnceEach() {
        DhcpEngine e = engine();
        int a = fixture.dora(e, A).packet().yiaddr();
        assertEquals(0, quirks.total());
        e.handle(req(A, DhcpMessageType.RELEASE, a, 0, opts()), false, 0, 68);
        assertEquals(1, quirks.count(DhcpQuirk.MISSING_SERVER_ID));
        int b = fixture.dora(e, A).packet().yiaddr();
        e.handle(req(A, DhcpMessageType.DECLINE, 0, 0, opts().putInt(DhcpOption.REQUESTED_ADDRESS, b)), false, 0, 68);
        assertEquals(2, quirks.count(DhcpQuirk.MISSING_SERVER_ID));
        // With option 54, as RFC 2131 requires: nothing more.
        int c = fixture.dora(e, A).packet().yiaddr();
        e.handle(req(A, DhcpMessageType.RELEASE, c, 0, opts().putInt(DhcpOption.SERVER_ID, DhcpEngineTest.SERVER)),
                false, 0, 68);
        e.handle(req(A, DhcpMessageType.RELEASE, ip("192.0.2.99"), 0, opts().putInt(DhcpOption.SERVER_ID,
                ip("192.0.2.2"))), false, 0, 68);
        assertEquals(2, quirks.total());
    }

    static int indexOf(byte[] b, byte[] s) {
        outer:
        for (int i = 0; i + s.length <= b.length; i++) {
            for (int k = 0; k < s.length; k++) {
                if (b[i + k] != s[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}

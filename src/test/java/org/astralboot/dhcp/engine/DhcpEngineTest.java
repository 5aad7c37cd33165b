package org.astralboot.dhcp.engine;

import static org.astralboot.dhcp.engine.Requests.ip;
import static org.astralboot.dhcp.engine.Requests.opts;
import static org.astralboot.dhcp.engine.Requests.req;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astralboot.config.Config;
import org.astralboot.dhcp.DhcpService;
import org.astralboot.dhcp.codec.CapturedPackets;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpOptions;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseSink;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseTable;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

class DhcpEngineTest {
    static final int SERVER = ip("192.0.2.1");
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    static final MacAddress C = MacAddress.parse("52:54:00:00:00:0c");
    static final MacAddress D = MacAddress.parse("52:54:00:00:00:0d");

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    final List<Lease> written = new ArrayList<>();

    static Config config(String start, String end, Config.DhcpMode mode, List<Config.Reservation> res) {
        Config c = Config.defaults("abd0", Ipv4.parse("192.0.2.1"), 24, Path.of("/nonexistent"));
        Config.Dhcp d = c.dhcp();
        return c.withDhcp(new Config.Dhcp(mode, d.port(), d.proxyPort(), Ipv4.parse(start), Ipv4.parse(end),
                Duration.ofHours(1), Ipv4.parse("192.0.2.254"), List.of(Ipv4.parse("192.0.2.53")), "node{n}",
                d.biosBinary(), d.efiBinary(), d.efiIa32Binary(), d.arm64Binary(), res, Duration.ofMinutes(10)));
    }

    DhcpEngine engine(Config cfg) {
        LeaseTable t = new LeaseTable(DhcpService.pool(cfg).addresses(), DhcpService.pool(cfg).reservations(),
                List.of(), DhcpService.pool(cfg).hostnames(), written::add);
        return new DhcpEngine(DhcpService.settings(cfg), t, clock);
    }

    DhcpEngine full() {
        return engine(config("192.0.2.10", "192.0.2.12", Config.DhcpMode.FULL, List.of()));
    }

    static DhcpReply one(Optional<DhcpReply> r) {
        assertTrue(r.isPresent(), "expected a reply");
        return r.get();
    }

    DhcpReply dora(DhcpEngine e, MacAddress mac) {
        DhcpReply offer = one(e.handle(req(mac, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68));
        assertEquals(DhcpMessageType.OFFER, offer.packet().messageType());
        return one(e.handle(req(mac, DhcpMessageType.REQUEST, 0, 0, opts().putInt(DhcpOption.SERVER_ID, SERVER)
                .putInt(DhcpOption.REQUESTED_ADDRESS, offer.packet().yiaddr())), false, 0, 68));
    }

    static int[] codes(DhcpPacket p) {
        return p.options().codes();
    }

    @Test
    void dhclientGetsOfferInRangeWithOptionsInItsOrder() throws Exception {
        DhcpEngine e = full();
        DhcpPacket d = DhcpCodec.decode(ByteBuffer.wrap(CapturedPackets.DHCLIENT_DISCOVER));
        DhcpReply r = one(e.handle(d, false, 0, 68));
        DhcpPacket o = r.packet();
        assertEquals(DhcpMessageType.OFFER, o.messageType());
        assertEquals(ip("192.0.2.10"), o.yiaddr());
        assertEquals(DhcpReply.BROADCAST, r.destination());
        assertEquals(68, r.port());
        assertTrue(r.leaseChanged());
        assertEquals(d.xid(), o.xid());
        // dhclient's option 55: 1 28 2 3 15 6 119 12 44 47 26 121 42 -> ours in that order, then the rest
        assertArrayEquals(new int[] {53, 1, 28, 3, 15, 6, 12, 51, 58, 59, 54}, codes(o));
        assertEquals(3600, o.options().intValue(DhcpOption.LEASE_TIME, 0));
        assertEquals(1800, o.options().intValue(DhcpOption.RENEWAL_TIME, 0));
        assertEquals(3150, o.options().intValue(DhcpOption.REBINDING_TIME, 0));
        assertEquals("node10", o.options().text(DhcpOption.HOST_NAME).orElseThrow());
        assertEquals(ip("255.255.255.0"), o.options().intValue(DhcpOption.SUBNET_MASK, 0));
        assertEquals(ip("192.0.2.254"), o.options().intValue(DhcpOption.ROUTER, 0));
        assertEquals(ip("192.0.2.53"), o.options().intValue(DhcpOption.DNS_SERVERS, 0));
        assertEquals("", o.file());
        assertEquals(0, o.siaddr());
        assertFalse(o.options().has(DhcpOption.BOOTFILE_NAME));
    }

    @Test
    void selectingRequestIsAckedAndBound() {
        DhcpEngine e = full();
        written.clear();
        DhcpReply ack = dora(e, A);
        assertEquals(DhcpMessageType.ACK, ack.packet().messageType());
        assertEquals(ip("192.0.2.10"), ack.packet().yiaddr());
        assertTrue(ack.leaseChanged());
        Lease last = written.get(written.size() - 1);
        assertEquals(LeaseState.BOUND, last.state());
        assertEquals(A, last.mac());
    }

    @Test
    void requestForAnotherServerIsIgnored() {
        DhcpEngine e = full();
        one(e.handle(req(A, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68));
        assertTrue(e.handle(req(A, DhcpMessageType.REQUEST, 0, 0, opts().putInt(DhcpOption.SERVER_ID, ip("192.0.2.99"))
                .putInt(DhcpOption.REQUESTED_ADDRESS, ip("192.0.2.10"))), false, 0, 68).isEmpty());
    }

    @Test
    void initRebootForSomeoneElsesAddressIsNakedByBroadcast() {
        DhcpEngine e = full();
        dora(e, A);
        DhcpReply r = one(e.handle(req(B, DhcpMessageType.REQUEST, 0, 0,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("192.0.2.10"))), false, 0, 68));
        assertEquals(DhcpMessageType.NAK, r.packet().messageType());
        assertEquals(DhcpReply.BROADCAST, r.destination());
        assertEquals(0, r.packet().yiaddr());
        assertFalse(r.leaseChanged());
    }

    @Test
    void initRebootOnWrongSubnetIsNaked() {
        DhcpEngine e = full();
        DhcpReply r = one(e.handle(req(A, DhcpMessageType.REQUEST, 0, 0,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("10.1.2.3"))), false, 0, 68));
        assertEquals(DhcpMessageType.NAK, r.packet().messageType());
    }

    @Test
    void initRebootForUnmanagedAddressInSubnetIsSilent() {
        DhcpEngine e = full();
        assertTrue(e.handle(req(A, DhcpMessageType.REQUEST, 0, 0,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("192.0.2.100"))), false, 0, 68).isEmpty());
    }

    @Test
    void initRebootOfOwnLeaseIsAcked() {
        DhcpEngine e = full();
        dora(e, A);
        DhcpReply r = one(e.handle(req(A, DhcpMessageType.REQUEST, 0, 0,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("192.0.2.10"))), false, 0, 68));
        assertEquals(DhcpMessageType.ACK, r.packet().messageType());
    }

    @Test
    void renewingIsAckedByUnicastAndExtends() {
        DhcpEngine e = full();
        dora(e, A);
        clock.advance(Duration.ofMinutes(40));
        DhcpReply r = one(e.handle(req(A, DhcpMessageType.REQUEST, ip("192.0.2.10"), 0, opts()), false, ip("192.0.2.10"), 68));
        assertEquals(DhcpMessageType.ACK, r.packet().messageType());
        assertEquals(ip("192.0.2.10"), r.destination());
        assertEquals(ip("192.0.2.10"), r.packet().ciaddr());
        Lease l = written.get(written.size() - 1);
        assertEquals(clock.millis() + 3_600_000, l.expiresAt());
    }

    @Test
    void renewingAnotherClientsAddressIsNaked() {
        DhcpEngine e = full();
        dora(e, A);
        DhcpReply r = one(e.handle(req(B, DhcpMessageType.REQUEST, ip("192.0.2.10"), 0, opts()), false, 0, 68));
        assertEquals(DhcpMessageType.NAK, r.packet().messageType());
    }

    @Test
    void macKeepsItsAddressAndReleasedAddressesAreReusedLeastRecentlyUsedFirst() {
        DhcpEngine e = full();
        assertEquals(ip("192.0.2.10"), dora(e, A).packet().yiaddr());
        e.handle(req(A, DhcpMessageType.RELEASE, ip("192.0.2.10"), 0, opts().putInt(DhcpOption.SERVER_ID, SERVER)), false, 0, 68);
        clock.advance(Duration.ofSeconds(1));
        // A comes back: sticky
        assertEquals(ip("192.0.2.10"), dora(e, A).packet().yiaddr());
        e.handle(req(A, DhcpMessageType.RELEASE, ip("192.0.2.10"), 0, opts()), false, 0, 68);
        clock.advance(Duration.ofSeconds(1));
        // Never-used addresses go first, then the released one.
        assertEquals(ip("192.0.2.11"), dora(e, B).packet().yiaddr());
        assertEquals(ip("192.0.2.12"), dora(e, C).packet().yiaddr());
        assertEquals(ip("192.0.2.10"), dora(e, D).packet().yiaddr());
    }

    @Test
    void exhaustedPoolOffersNothingButRenewalsWork() {
        DhcpEngine e = full();
        dora(e, A);
        dora(e, B);
        dora(e, C);
        assertTrue(e.handle(req(D, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68).isEmpty());
        assertEquals("no OFFER: the address pool is exhausted", e.silence(), "told to a booting client's events");
        assertTrue(e.silenceRefuses());
        assertTrue(e.handle(req(D, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68).isEmpty());
        DhcpReply r = one(e.handle(req(B, DhcpMessageType.REQUEST, ip("192.0.2.11"), 0, opts()), false, 0, 68));
        assertEquals(DhcpMessageType.ACK, r.packet().messageType());
        assertEquals(null, e.silence(), "each request starts without a silence");
        // After A's lease expires, D gets A's address.
        clock.advance(Duration.ofMinutes(61));
        one(e.handle(req(B, DhcpMessageType.REQUEST, ip("192.0.2.11"), 0, opts()), false, 0, 68));
        one(e.handle(req(C, DhcpMessageType.REQUEST, ip("192.0.2.12"), 0, opts()), false, 0, 68));
        assertEquals(ip("192.0.2.10"), dora(e, D).packet().yiaddr());
    }

    @Test
    void declinedAddressSitsOutItsProbation() {
        DhcpEngine e = full();
        assertEquals(ip("192.0.2.10"), dora(e, A).packet().yiaddr());
        assertTrue(e.handle(req(A, DhcpMessageType.DECLINE, 0, 0, opts().putInt(DhcpOption.SERVER_ID, SERVER)
                .putInt(DhcpOption.REQUESTED_ADDRESS, ip("192.0.2.10"))), false, 0, 68).isEmpty());
        assertEquals(ip("192.0.2.11"), dora(e, A).packet().yiaddr());
        assertEquals(ip("192.0.2.12"), dora(e, B).packet().yiaddr());
        assertTrue(e.handle(req(C, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68).isEmpty());
        // INIT-REBOOT onto the declined address is refused too
        assertEquals(DhcpMessageType.NAK, one(e.handle(req(C, DhcpMessageType.REQUEST, 0, 0,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("192.0.2.10"))), false, 0, 68)).packet().messageType());
        clock.advance(Duration.ofMinutes(11));
        assertEquals(ip("192.0.2.10"), dora(e, C).packet().yiaddr());
    }

    @Test
    void informGetsOptionsWithoutLease() {
        DhcpEngine e = full();
        DhcpReply r = one(e.handle(req(A, DhcpMessageType.INFORM, ip("192.0.2.77"), 0,
                opts().put(DhcpOption.PARAMETER_LIST, new byte[] {6, 1})), false, ip("192.0.2.77"), 68));
        assertEquals(DhcpMessageType.ACK, r.packet().messageType());
        assertEquals(0, r.packet().yiaddr());
        assertEquals(ip("192.0.2.77"), r.destination());
        assertFalse(r.packet().options().has(DhcpOption.LEASE_TIME));
        assertArrayEquals(new int[] {53, 6, 1, 3, 15, 28, 54}, codes(r.packet()));
    }

    @Test
    void relayedRequestsAnswerTheRelayAndEchoOption82Last() {
        DhcpEngine e = full();
        byte[] o82 = {1, 3, 'p', 'o', 'e', 2, 2, 0x11, 0x22};
        DhcpReply r = one(e.handle(req(A, DhcpMessageType.DISCOVER, 0, ip("192.0.2.200"),
                opts().put(DhcpOption.RELAY_AGENT_INFO, o82)), false, ip("192.0.2.200"), 67));
        assertEquals(ip("192.0.2.200"), r.destination());
        assertEquals(67, r.port());
        assertEquals(ip("192.0.2.200"), r.packet().giaddr());
        int[] c = codes(r.packet());
        assertEquals(82, c[c.length - 1]);
        assertArrayEquals(o82, r.packet().options().get(DhcpOption.RELAY_AGENT_INFO));
    }

    @Test
    void relayFromAnotherSubnetIsIgnored() {
        DhcpEngine e = full();
        assertTrue(e.handle(req(A, DhcpMessageType.DISCOVER, 0, ip("10.0.0.1"), opts()), false, ip("10.0.0.1"), 67).isEmpty());
    }

    @Test
    void reservationGetsItsAddressAndName() {
        DhcpEngine e = engine(config("192.0.2.10", "192.0.2.12", Config.DhcpMode.FULL,
                List.of(new Config.Reservation(B, Ipv4.parse("192.0.2.50"), "db1"))));
        DhcpReply r = dora(e, B);
        assertEquals(ip("192.0.2.50"), r.packet().yiaddr());
        assertEquals("db1", r.packet().options().text(DhcpOption.HOST_NAME).orElseThrow());
        // Others can't take it.
        assertEquals(DhcpMessageType.NAK, one(e.handle(req(A, DhcpMessageType.REQUEST, 0, 0,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("192.0.2.50"))), false, 0, 68)).packet().messageType());
    }

    @Test
    void poolSkipsServerGatewayNetworkAndBroadcast() {
        Config c = config("192.0.2.0", "192.0.2.255", Config.DhcpMode.FULL, List.of());
        int[] pool = DhcpService.pool(c).addresses();
        assertEquals(256 - 4, pool.length);
        for (int a : pool) {
            assertNotEquals(ip("192.0.2.0"), a);
            assertNotEquals(ip("192.0.2.1"), a);
            assertNotEquals(ip("192.0.2.254"), a);
            assertNotEquals(ip("192.0.2.255"), a);
        }
    }

    @Test
    void offModeIsSilent() {
        DhcpEngine e = engine(config("192.0.2.10", "192.0.2.12", Config.DhcpMode.OFF, List.of()));
        assertTrue(e.handle(req(A, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68).isEmpty());
    }

    // ------------------------------------------------------------------ firmware

    static DhcpOptions.Builder pxe(int arch, String vendorClass) {
        DhcpOptions.Builder o = opts().putText(DhcpOption.VENDOR_CLASS, vendorClass);
        if (arch >= 0) {
            o.put(DhcpOption.CLIENT_ARCH, new byte[] {(byte) (arch >> 8), (byte) arch});
        }
        return o;
    }

    DhcpPacket offerFor(DhcpEngine e, DhcpOptions.Builder o) {
        return one(e.handle(req(A, DhcpMessageType.DISCOVER, 0, 0, o), false, 0, 68)).packet();
    }

    @Test
    void biosPxeGetsUndionlyOverTftp() {
        DhcpPacket o = offerFor(full(), pxe(0, "PXEClient:Arch:00000:UNDI:002001"));
        assertEquals("undionly.kpxe", o.file());
        assertEquals(SERVER, o.siaddr());
        assertEquals("192.0.2.1", o.options().text(DhcpOption.TFTP_SERVER).orElseThrow());
        assertEquals("undionly.kpxe", o.options().text(DhcpOption.BOOTFILE_NAME).orElseThrow());
        assertEquals("PXEClient", o.options().text(DhcpOption.VENDOR_CLASS).orElseThrow());
        assertTrue(o.options().has(DhcpOption.VENDOR_SPECIFIC));
    }

    @Test
    void ovmfCaptureGetsEfiBinary() throws Exception {
        DhcpPacket d = DhcpCodec.decode(ByteBuffer.wrap(CapturedPackets.OVMF_PXE_DISCOVER));
        DhcpPacket o = one(full().handle(d, false, 0, 68)).packet();
        assertEquals("ipxe.efi", o.file());
        assertEquals(SERVER, o.siaddr());
    }

    @Test
    void archFromOption60WhenOption93IsMissing() {
        assertEquals("ipxe.efi", offerFor(full(), pxe(-1, "PXEClient:Arch:00007:UNDI:003016")).file());
        assertEquals("ipxe-arm64.efi", offerFor(full(), pxe(-1, "PXEClient:Arch:00011:UNDI:003000")).file());
    }

    @Test
    void otherArchitectures() {
        assertEquals("ipxe-ia32.efi", offerFor(full(), pxe(6, "PXEClient:Arch:00006:UNDI:003016")).file());
        assertEquals("ipxe.efi", offerFor(full(), pxe(9, "PXEClient:Arch:00009:UNDI:003016")).file());
        assertEquals("ipxe-arm64.efi", offerFor(full(), pxe(11, "PXEClient:Arch:00011:UNDI:003000")).file());
    }

    @Test
    void httpBootGetsUrlAndHttpClientClass() {
        DhcpPacket o = offerFor(full(), pxe(16, "HTTPClient:Arch:00016:UNDI:003001"));
        assertEquals("http://192.0.2.1/tftp/ipxe.efi", o.file());
        assertEquals("http://192.0.2.1/tftp/ipxe.efi", o.options().text(DhcpOption.BOOTFILE_NAME).orElseThrow());
        assertEquals("HTTPClient", o.options().text(DhcpOption.VENDOR_CLASS).orElseThrow());
        assertEquals(0, o.siaddr());
        assertFalse(o.options().has(DhcpOption.TFTP_SERVER));
    }

    @Test
    void ipxeGetsBootScriptUrl() throws Exception {
        for (byte[] raw : new byte[][] {CapturedPackets.IPXE_BIOS_DISCOVER, CapturedPackets.IPXE_EFI_DISCOVER}) {
            DhcpPacket o = one(full().handle(DhcpCodec.decode(ByteBuffer.wrap(raw)), false, 0, 68)).packet();
            assertEquals("http://192.0.2.1/boot.ipxe", o.file());
            assertEquals("http://192.0.2.1/boot.ipxe", o.options().text(DhcpOption.BOOTFILE_NAME).orElseThrow());
            // No PXEClient class: iPXE would wait for ProxyDHCP offers.
            assertFalse(o.options().has(DhcpOption.VENDOR_CLASS));
            assertFalse(o.options().has(DhcpOption.VENDOR_SPECIFIC));
            // no-pxedhcp (175.176 = 1): iPXE requests at once instead of waiting 2 s for ProxyDHCP offers.
            assertArrayEquals(new byte[] {(byte) 176, 1, 1}, o.options().get(DhcpOption.IPXE_ENCAP));
        }
        // Firmware PXE gets no iPXE option.
        DhcpPacket fwOffer = offerFor(full(), pxe(7, "PXEClient:Arch:00007:UNDI:003016"));
        assertFalse(fwOffer.options().has(DhcpOption.IPXE_ENCAP));
        // RFC 3004 form of the user class
        DhcpPacket o = offerFor(full(), pxe(7, "PXEClient:Arch:00007:UNDI:003016")
                .put(DhcpOption.USER_CLASS, new byte[] {4, 'i', 'P', 'X', 'E'}));
        assertEquals("http://192.0.2.1/boot.ipxe", o.file());
    }

    @Test
    void unknownArchGetsPlainLease() {
        DhcpPacket o = offerFor(full(), pxe(99, "PXEClient:Arch:00099:UNDI:003016"));
        assertEquals("", o.file());
        assertEquals(ip("192.0.2.10"), o.yiaddr());
    }

    // ------------------------------------------------------------------ proxy

    DhcpEngine proxy() {
        return engine(config("192.0.2.10", "192.0.2.12", Config.DhcpMode.PROXY, List.of()));
    }

    @Test
    void proxyIgnoresNonPxeClients() throws Exception {
        assertTrue(proxy().handle(DhcpCodec.decode(ByteBuffer.wrap(CapturedPackets.DHCLIENT_DISCOVER)), false, 0, 68).isEmpty());
        assertTrue(proxy().handle(DhcpCodec.decode(ByteBuffer.wrap(CapturedPackets.UDHCPC_DISCOVER)), false, 0, 68).isEmpty());
    }

    @Test
    void proxyBiosOfferHasFileAndDiscoveryControlButNoAddress() {
        DhcpEngine e = proxy();
        DhcpReply r = one(e.handle(req(A, DhcpMessageType.DISCOVER, 0, 0, pxe(0, "PXEClient:Arch:00000:UNDI:002001")), false, 0, 68));
        DhcpPacket o = r.packet();
        assertEquals(DhcpMessageType.OFFER, o.messageType());
        assertEquals(0, o.yiaddr());
        assertEquals("undionly.kpxe", o.file());
        assertTrue(o.options().has(DhcpOption.VENDOR_SPECIFIC));
        assertFalse(o.options().has(DhcpOption.LEASE_TIME));
        assertFalse(r.leaseChanged());
    }

    @Test
    void proxyEfiIsSentToPort4011ThenGetsFileThere() throws Exception {
        DhcpEngine e = proxy();
        DhcpPacket d = DhcpCodec.decode(ByteBuffer.wrap(CapturedPackets.OVMF_PXE_DISCOVER));
        DhcpPacket o = one(e.handle(d, false, 0, 68)).packet();
        assertEquals("", o.file());
        assertFalse(o.options().has(DhcpOption.VENDOR_SPECIFIC));
        assertEquals("PXEClient", o.options().text(DhcpOption.VENDOR_CLASS).orElseThrow());
        assertArrayEquals(d.options().get(DhcpOption.CLIENT_UUID), o.options().get(DhcpOption.CLIENT_UUID));
        // The firmware's REQUEST to the boot server on 4011, from its new address
        DhcpPacket rq = new DhcpPacket(d.op(), 1, 6, 0, 77, 0, 0, ip("192.0.2.150"), 0, 0, 0, d.chaddr(), "", "",
                DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, 3)
                        .put(DhcpOption.VENDOR_CLASS, d.options().get(DhcpOption.VENDOR_CLASS))
                        .put(DhcpOption.CLIENT_ARCH, d.options().get(DhcpOption.CLIENT_ARCH)).build());
        DhcpReply ack = one(e.handle(rq, true, ip("192.0.2.150"), 4011));
        assertEquals(DhcpMessageType.ACK, ack.packet().messageType());
        assertEquals("ipxe.efi", ack.packet().file());
        assertEquals(SERVER, ack.packet().siaddr());
        assertEquals(ip("192.0.2.150"), ack.destination());
        assertEquals(4011, ack.port());
        // REQUESTs on 67 belong to the site's server
        assertTrue(e.handle(rq, false, 0, 68).isEmpty());
    }

    @Test
    void proxyAckOn4011ToIpxeCarriesNextServerAndIsBroadcast() throws Exception {
        DhcpEngine e = proxy();
        DhcpPacket d = DhcpCodec.decode(ByteBuffer.wrap(CapturedPackets.IPXE_BIOS_DISCOVER));
        DhcpPacket rq = new DhcpPacket(d.op(), 1, 6, 0, 78, 0, 0, ip("192.0.2.150"), 0, 0, 0, d.chaddr(), "", "",
                DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, 3)
                        .put(DhcpOption.VENDOR_CLASS, d.options().get(DhcpOption.VENDOR_CLASS))
                        .put(DhcpOption.CLIENT_ARCH, d.options().get(DhcpOption.CLIENT_ARCH))
                        .put(DhcpOption.USER_CLASS, d.options().get(DhcpOption.USER_CLASS)).build());
        DhcpReply ack = one(e.handle(rq, true, ip("192.0.2.150"), 68));
        assertEquals(DhcpMessageType.ACK, ack.packet().messageType());
        assertEquals("http://192.0.2.1/boot.ipxe", ack.packet().file());
        // iPXE's dhcp_has_pxeopts(): without next-server it drops the ACK and finds nothing to boot.
        assertEquals(SERVER, ack.packet().siaddr());
        assertEquals(DhcpReply.BROADCAST, ack.destination());
        assertEquals(68, ack.port());
    }

    @Test
    void proxyIpxeAndHttpBoot() throws Exception {
        DhcpEngine e = proxy();
        DhcpPacket o = one(e.handle(DhcpCodec.decode(ByteBuffer.wrap(CapturedPackets.IPXE_EFI_DISCOVER)), false, 0, 68)).packet();
        assertEquals("http://192.0.2.1/boot.ipxe", o.file());
        DhcpPacket h = one(e.handle(req(A, DhcpMessageType.DISCOVER, 0, 0, pxe(16, "HTTPClient:Arch:00016:UNDI:003001")), false, 0, 68)).packet();
        assertEquals("http://192.0.2.1/tftp/ipxe.efi", h.file());
        assertEquals("HTTPClient", h.options().text(DhcpOption.VENDOR_CLASS).orElseThrow());
    }

    @Test
    void leaseTableSurvivesReloadFromWrittenRecords() throws Exception {
        Config cfg = config("192.0.2.10", "192.0.2.12", Config.DhcpMode.FULL, List.of());
        DhcpEngine e = engine(cfg);
        dora(e, A);
        dora(e, B);
        java.util.Map<Integer, Lease> db = new java.util.HashMap<>();
        for (Lease l : written) {
            db.put(l.address(), Lease.fromBytes(l.address(), l.toBytes()));
        }
        LeaseTable t2 = new LeaseTable(DhcpService.pool(cfg).addresses(), List.of(), db.values(),
                DhcpService.pool(cfg).hostnames(), LeaseSink.NONE);
        DhcpEngine e2 = new DhcpEngine(DhcpService.settings(cfg), t2, clock);
        assertEquals(ip("192.0.2.11"), dora(e2, B).packet().yiaddr());
        assertEquals(ip("192.0.2.12"), dora(e2, C).packet().yiaddr());
        assertTrue(e2.handle(req(D, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68).isEmpty());
    }

    // ---------------------------------------------------------------- relayed subnets ([[dhcp.relay]])

    static final int RELAY1 = ip("198.18.20.1");
    static final int RELAY2 = ip("198.18.21.1");
    static final byte[] O82 = {1, 4, 'r', 'a', 'c', 'k', 2, 2, 0x11, 0x22};

    /** Main 192.0.2.10-12; 198.18.20.0/25 with .10-.11 (router: giaddr); 198.18.21.0/24 with .5 (router and DNS set). */
    static Config relayConfig() {
        Config c = config("192.0.2.10", "192.0.2.12", Config.DhcpMode.FULL, List.of());
        return c.withDhcp(c.dhcp().withRelays(List.of(
                new Config.Relay(org.astralboot.net.Ipv4Subnet.parse("198.18.20.0/25"), Ipv4.parse("198.18.20.10"),
                        Ipv4.parse("198.18.20.11"), null, null),
                new Config.Relay(org.astralboot.net.Ipv4Subnet.parse("198.18.21.0/24"), Ipv4.parse("198.18.21.5"),
                        Ipv4.parse("198.18.21.5"), Ipv4.parse("198.18.21.254"),
                        List.of(Ipv4.parse("198.18.21.53"), Ipv4.parse("198.18.21.54"))))));
    }

    DhcpEngine relayEngine() {
        Config cfg = relayConfig();
        LeaseTable t = new LeaseTable(DhcpService.pool(cfg).addresses(), DhcpService.pool(cfg).reservations(),
                List.of(), DhcpService.pool(cfg).hostnames(), written::add, DhcpService.pool(cfg).relaySubnets());
        return new DhcpEngine(DhcpService.settings(cfg), t, clock);
    }

    static Optional<DhcpReply> relayed(DhcpEngine e, MacAddress mac, DhcpMessageType t, int giaddr,
            DhcpOptions.Builder o) {
        return e.handle(req(mac, t, 0, giaddr, o.put(DhcpOption.RELAY_AGENT_INFO, O82)), false, giaddr, 67);
    }

    static void assertToRelay(DhcpReply r, int giaddr) {
        assertEquals(giaddr, r.destination());
        assertEquals(67, r.port());
        assertEquals(giaddr, r.packet().giaddr());
        int[] c = codes(r.packet());
        assertEquals(82, c[c.length - 1]);
        assertArrayEquals(O82, r.packet().options().get(DhcpOption.RELAY_AGENT_INFO));
    }

    @Test
    void relayedDoraFromARelaySubnetGetsThatSubnetsAddressAndOptions() {
        DhcpEngine e = relayEngine();
        DhcpReply offer = one(relayed(e, A, DhcpMessageType.DISCOVER, RELAY1, opts()));
        DhcpPacket o = offer.packet();
        assertEquals(DhcpMessageType.OFFER, o.messageType());
        assertEquals(ip("198.18.20.10"), o.yiaddr());
        assertEquals(ip("255.255.255.128"), o.options().intValue(DhcpOption.SUBNET_MASK, 0));
        assertEquals(RELAY1, o.options().intValue(DhcpOption.ROUTER, 0)); // no gateway: the relay
        assertEquals(ip("198.18.20.127"), o.options().intValue(DhcpOption.BROADCAST_ADDRESS, 0));
        assertEquals(ip("192.0.2.53"), o.options().intValue(DhcpOption.DNS_SERVERS, 0)); // [dhcp] dns
        assertEquals(SERVER, o.options().intValue(DhcpOption.SERVER_ID, 0));
        assertEquals("node10", o.options().text(DhcpOption.HOST_NAME).orElseThrow());
        assertToRelay(offer, RELAY1);

        DhcpReply ack = one(relayed(e, A, DhcpMessageType.REQUEST, RELAY1, opts().putInt(DhcpOption.SERVER_ID, SERVER)
                .putInt(DhcpOption.REQUESTED_ADDRESS, o.yiaddr())));
        assertEquals(DhcpMessageType.ACK, ack.packet().messageType());
        assertEquals(ip("198.18.20.10"), ack.packet().yiaddr());
        assertEquals(ip("255.255.255.128"), ack.packet().options().intValue(DhcpOption.SUBNET_MASK, 0));
        assertEquals(RELAY1, ack.packet().options().intValue(DhcpOption.ROUTER, 0));
        assertEquals(ip("198.18.20.127"), ack.packet().options().intValue(DhcpOption.BROADCAST_ADDRESS, 0));
        assertToRelay(ack, RELAY1);
        Lease last = written.get(written.size() - 1);
        assertEquals(LeaseState.BOUND, last.state());
        assertEquals(ip("198.18.20.10"), last.address());
        assertEquals(A, last.mac());
    }

    @Test
    void aRelaySubnetWithItsOwnGatewayAndDnsHandsThemOut() {
        DhcpEngine e = relayEngine();
        DhcpPacket ack = one(relayed(e, B, DhcpMessageType.REQUEST, RELAY2,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("198.18.21.5")))).packet();
        assertEquals(DhcpMessageType.ACK, ack.messageType());
        assertEquals(ip("198.18.21.5"), ack.yiaddr());
        assertEquals(ip("255.255.255.0"), ack.options().intValue(DhcpOption.SUBNET_MASK, 0));
        assertEquals(ip("198.18.21.254"), ack.options().intValue(DhcpOption.ROUTER, 0));
        assertEquals(ip("198.18.21.255"), ack.options().intValue(DhcpOption.BROADCAST_ADDRESS, 0));
        byte[] dns = new byte[8];
        ByteBuffer.wrap(dns).putInt(ip("198.18.21.53")).putInt(ip("198.18.21.54"));
        assertArrayEquals(dns, ack.options().get(DhcpOption.DNS_SERVERS));
    }

    @Test
    void relayedRequestForAnAddressOfAnotherSubnetIsNakedToTheRelay() {
        DhcpEngine e = relayEngine();
        dora(e, A); // 192.0.2.10 in the main pool
        DhcpReply r = one(relayed(e, A, DhcpMessageType.REQUEST, RELAY1,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("192.0.2.10"))));
        assertEquals(DhcpMessageType.NAK, r.packet().messageType());
        assertEquals("not on 198.18.20.0/25", r.packet().options().text(DhcpOption.MESSAGE).orElseThrow());
        assertToRelay(r, RELAY1);
        // An address of the relayed subnet outside its range: not ours.
        r = one(relayed(e, A, DhcpMessageType.REQUEST, RELAY1, opts().putInt(DhcpOption.SERVER_ID, SERVER)
                .putInt(DhcpOption.REQUESTED_ADDRESS, ip("198.18.20.100"))));
        assertEquals(DhcpMessageType.NAK, r.packet().messageType());
    }

    @Test
    void aRelayOnTheMainSubnetUsesTheMainPool() {
        DhcpEngine e = relayEngine();
        int relay = ip("192.0.2.200");
        DhcpReply offer = one(relayed(e, A, DhcpMessageType.DISCOVER, relay, opts()));
        assertEquals(ip("192.0.2.10"), offer.packet().yiaddr());
        assertEquals(ip("255.255.255.0"), offer.packet().options().intValue(DhcpOption.SUBNET_MASK, 0));
        assertEquals(ip("192.0.2.254"), offer.packet().options().intValue(DhcpOption.ROUTER, 0));
        assertEquals(ip("192.0.2.255"), offer.packet().options().intValue(DhcpOption.BROADCAST_ADDRESS, 0));
        assertToRelay(offer, relay);
    }

    @Test
    void aRelayOnAnUnknownSubnetGetsSilenceAndAllocatesNothing() {
        DhcpEngine e = relayEngine();
        written.clear();
        int relay = ip("198.18.22.1");
        assertTrue(relayed(e, A, DhcpMessageType.DISCOVER, relay, opts()).isEmpty());
        assertTrue(relayed(e, A, DhcpMessageType.REQUEST, relay,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("198.18.20.10"))).isEmpty());
        assertEquals(List.of(), written);
    }

    @Test
    void anExhaustedRelaySubnetGetsNoOfferWhileTheMainPoolStillAnswers() {
        DhcpEngine e = relayEngine();
        assertEquals(ip("198.18.21.5"), one(relayed(e, A, DhcpMessageType.DISCOVER, RELAY2, opts())).packet().yiaddr());
        assertTrue(relayed(e, B, DhcpMessageType.DISCOVER, RELAY2, opts()).isEmpty());
        assertEquals(ip("198.18.20.10"), one(relayed(e, B, DhcpMessageType.DISCOVER, RELAY1, opts())).packet().yiaddr());
        assertEquals(ip("192.0.2.10"), one(e.handle(req(B, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68))
                .packet().yiaddr());
    }

    @Test
    void aMacMovingToARelayedSubnetGetsAnAddressThere() {
        DhcpEngine e = relayEngine();
        assertEquals(ip("192.0.2.10"), dora(e, A).packet().yiaddr());
        DhcpReply offer = one(relayed(e, A, DhcpMessageType.DISCOVER, RELAY1, opts()));
        assertEquals(ip("198.18.20.10"), offer.packet().yiaddr());
        // Asking for its old address from the new subnet does not get it either.
        clock.advance(Duration.ofSeconds(1));
        offer = one(relayed(e, C, DhcpMessageType.DISCOVER, RELAY1,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, ip("192.0.2.11"))));
        assertEquals(ip("198.18.20.11"), offer.packet().yiaddr());
    }

    @Test
    void aTableWithoutTheRelayScopesIsRefused() {
        Config cfg = relayConfig();
        LeaseTable t = new LeaseTable(DhcpService.pool(cfg).addresses(), List.of(), List.of(),
                DhcpService.pool(cfg).hostnames(), written::add);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new DhcpEngine(DhcpService.settings(cfg), t, clock));
    }
}

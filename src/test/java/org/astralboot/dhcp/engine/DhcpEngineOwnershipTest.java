package org.astralboot.dhcp.engine;

import static org.astralboot.dhcp.engine.Requests.ip;
import static org.astralboot.dhcp.engine.Requests.opts;
import static org.astralboot.dhcp.engine.Requests.req;
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
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseTable;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 §3: an address belongs to one machine. A reservation is never offered or acknowledged to
 * another MAC, requests that name an address outside the subnet are not served, and a NAK names no
 * other machine (it is broadcast to the whole segment).
 */
class DhcpEngineOwnershipTest {
    static final int SERVER = ip("192.0.2.1");
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    static final int RESERVED = ip("192.0.2.50");

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    final List<Lease> written = new ArrayList<>();

    static Config config(String server, String start, String end, List<Config.Reservation> res) {
        Config c = Config.defaults("abd0", Ipv4.parse(server), 24, Path.of("/nonexistent"));
        Config.Dhcp d = c.dhcp();
        return c.withDhcp(new Config.Dhcp(Config.DhcpMode.FULL, d.port(), d.proxyPort(), Ipv4.parse(start),
                Ipv4.parse(end), Duration.ofHours(1), Ipv4.parse(server), List.of(Ipv4.parse(server)), "node{n}",
                d.biosBinary(), d.efiBinary(), d.efiIa32Binary(), d.arm64Binary(), res, Duration.ofMinutes(10)));
    }

    /** Pool .10-.12, and .50 reserved for B. */
    static Config reservedForB() {
        return config("192.0.2.1", "192.0.2.10", "192.0.2.12",
                List.of(new Config.Reservation(B, Ipv4.fromInt(RESERVED), "db1")));
    }

    DhcpEngine engine(Config cfg, List<Lease> stored) {
        LeaseTable t = new LeaseTable(DhcpService.pool(cfg).addresses(), DhcpService.pool(cfg).reservations(),
                stored, DhcpService.pool(cfg).hostnames(), written::add);
        return new DhcpEngine(DhcpService.settings(cfg), t, clock);
    }

    static DhcpReply one(Optional<DhcpReply> r) {
        assertTrue(r.isPresent(), "expected a reply");
        return r.get();
    }

    static void assertNeutralNak(DhcpReply r) {
        assertEquals(DhcpMessageType.NAK, r.packet().messageType());
        assertEquals(DhcpEngine.NOT_AVAILABLE, r.packet().options().text(DhcpOption.MESSAGE).orElseThrow());
    }

    DhcpReply request(DhcpEngine e, MacAddress mac, int ciaddr, Integer requested, boolean selecting) {
        var o = opts();
        if (requested != null) {
            o.putInt(DhcpOption.REQUESTED_ADDRESS, requested);
        }
        if (selecting) {
            o.putInt(DhcpOption.SERVER_ID, SERVER);
        }
        return one(e.handle(req(mac, DhcpMessageType.REQUEST, ciaddr, 0, o), false, ciaddr, 68));
    }

    boolean leaseWrittenFor(MacAddress mac, int address) {
        return written.stream().anyMatch(l -> mac.equals(l.mac()) && l.address() == address);
    }

    @Test
    void anUnusedReservationIsNeverAcknowledgedToAnotherMac() {
        DhcpEngine e = engine(reservedForB(), List.of());
        assertNeutralNak(request(e, A, 0, RESERVED, false)); // INIT-REBOOT
        assertNeutralNak(request(e, A, 0, RESERVED, true)); // SELECTING, as if we had offered it
        assertNeutralNak(request(e, A, RESERVED, null, false)); // RENEWING from a configured address
        assertFalse(leaseWrittenFor(A, RESERVED), written.toString());
        // Its owner still gets it.
        DhcpReply offer = one(e.handle(req(B, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68));
        assertEquals(RESERVED, offer.packet().yiaddr());
        assertEquals(DhcpMessageType.ACK, request(e, B, 0, RESERVED, true).packet().messageType());
    }

    @Test
    void aReservationIsNotOfferedToAnotherMacThatAsksForIt() {
        DhcpEngine e = engine(reservedForB(), List.of());
        DhcpReply offer = one(e.handle(req(A, DhcpMessageType.DISCOVER, 0, 0,
                opts().putInt(DhcpOption.REQUESTED_ADDRESS, RESERVED)), false, 0, 68));
        assertEquals(DhcpMessageType.OFFER, offer.packet().messageType());
        assertNotEquals(RESERVED, offer.packet().yiaddr());
    }

    @Test
    void aLeaseFromBeforeTheReservationDoesNotKeepTheAddressForItsOldMac() {
        // The database says A holds .50 (bound before the operator reserved it for B).
        long now = clock.millis();
        Lease old = new Lease(RESERVED, A, "node50", LeaseState.BOUND, now + 3_600_000, now - 1000);
        DhcpEngine e = engine(reservedForB(), List.of(old));
        assertNeutralNak(request(e, A, RESERVED, null, false)); // A's renewal
        assertNeutralNak(request(e, A, 0, RESERVED, false)); // A after a reboot
        DhcpReply offer = one(e.handle(req(A, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68));
        assertNotEquals(RESERVED, offer.packet().yiaddr());
        assertEquals(RESERVED, one(e.handle(req(B, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68))
                .packet().yiaddr());
    }

    @Test
    void aCapturedDhclientRequestForAnotherMachinesReservationIsNaked() throws Exception {
        DhcpPacket captured = DhcpCodec.decode(ByteBuffer.wrap(CapturedPackets.DHCLIENT_REQUEST));
        int requested = captured.options().intValue(DhcpOption.REQUESTED_ADDRESS, 0);
        assertEquals(ip("198.18.16.175"), requested);
        assertEquals(ip("198.18.16.1"), captured.options().intValue(DhcpOption.SERVER_ID, 0));
        Config cfg = config("198.18.16.1", "198.18.16.100", "198.18.16.200",
                List.of(new Config.Reservation(B, Ipv4.fromInt(requested), null)));
        DhcpEngine e = engine(cfg, List.of());
        assertNotEquals(B, captured.mac());
        assertNeutralNak(one(e.handle(captured, false, 0, 68)));
        assertFalse(leaseWrittenFor(captured.mac(), requested), written.toString());
    }

    @Test
    void aNakNamesNoOtherMachine() {
        Config cfg = config("192.0.2.1", "192.0.2.10", "192.0.2.12", List.of());
        DhcpEngine e = engine(cfg, List.of());
        DhcpReply offer = one(e.handle(req(B, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0, 68));
        int addr = offer.packet().yiaddr();
        assertEquals(DhcpMessageType.ACK, request(e, B, 0, addr, true).packet().messageType());
        DhcpReply nak = request(e, A, 0, addr, false);
        assertNeutralNak(nak);
        String text = nak.packet().options().text(DhcpOption.MESSAGE).orElseThrow();
        assertFalse(text.contains(B.toString()) || text.contains(B.toHex()), text);
        // The client's own other reservation is not spelt out either.
        DhcpEngine r = engine(reservedForB(), List.of());
        assertNeutralNak(request(r, B, 0, ip("192.0.2.11"), false));
    }

    @Test
    void discoverAndInformWithAnOffSubnetCiaddrAreNotAnswered() {
        DhcpEngine e = engine(reservedForB(), List.of());
        assertTrue(e.handle(req(A, DhcpMessageType.DISCOVER, ip("10.9.9.9"), 0, opts()), false, ip("10.9.9.9"), 68)
                .isEmpty());
        assertTrue(e.handle(req(A, DhcpMessageType.INFORM, ip("10.9.9.9"), 0, opts()), false, ip("10.9.9.9"), 68)
                .isEmpty());
        assertTrue(written.stream().allMatch(l -> l.mac() == null), written.toString()); // only the pool's FREE records
        // On the subnet they still are.
        assertEquals(DhcpMessageType.ACK, one(e.handle(req(A, DhcpMessageType.INFORM, ip("192.0.2.77"), 0, opts()),
                false, ip("192.0.2.77"), 68)).packet().messageType());
        assertEquals(DhcpMessageType.OFFER, one(e.handle(req(A, DhcpMessageType.DISCOVER, 0, 0, opts()), false, 0,
                68)).packet().messageType());
    }

    @Test
    void inProxyModeAnInformWithAnOffSubnetCiaddrIsNotAnsweredEither() {
        Config c = reservedForB();
        Config proxy = c.withDhcp(new Config.Dhcp(Config.DhcpMode.PROXY, c.dhcp().port(), c.dhcp().proxyPort(),
                c.dhcp().rangeStart(), c.dhcp().rangeEnd(), c.dhcp().leaseTime(), c.dhcp().gateway(), c.dhcp().dns(),
                c.dhcp().hostnamePattern(), c.dhcp().biosBinary(), c.dhcp().efiBinary(), c.dhcp().efiIa32Binary(),
                c.dhcp().arm64Binary(), List.of(), c.dhcp().declineProbation()));
        DhcpEngine e = engine(proxy, List.of());
        // A UEFI PXE client on the boot-server port (4011).
        var pxe = DhcpEngineTest.pxe(7, "PXEClient:Arch:00007:UNDI:003016");
        assertTrue(e.handle(req(A, DhcpMessageType.INFORM, ip("10.9.9.9"), 0, pxe), true, 0, 4011).isEmpty());
        DhcpReply on = one(e.handle(req(A, DhcpMessageType.INFORM, ip("192.0.2.77"), 0,
                DhcpEngineTest.pxe(7, "PXEClient:Arch:00007:UNDI:003016")), true, 0, 4011));
        assertEquals(DhcpMessageType.ACK, on.packet().messageType());
    }

    @Test
    void aRequestForAnOffSubnetAddressIsNaked() {
        DhcpEngine e = engine(reservedForB(), List.of());
        DhcpReply byOption = request(e, A, 0, ip("10.9.9.9"), false);
        assertEquals(DhcpMessageType.NAK, byOption.packet().messageType());
        DhcpReply byCiaddr = request(e, A, ip("10.9.9.9"), null, false);
        assertEquals(DhcpMessageType.NAK, byCiaddr.packet().messageType());
        // An on-subnet option 50 does not excuse an off-subnet ciaddr.
        DhcpReply mixed = request(e, A, ip("10.9.9.9"), ip("192.0.2.10"), false);
        assertEquals(DhcpMessageType.NAK, mixed.packet().messageType());
        assertTrue(written.stream().allMatch(l -> l.mac() == null), written.toString()); // only the pool's FREE records
    }
}

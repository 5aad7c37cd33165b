package org.astralboot.dhcp6.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.astralboot.dhcp.engine.DhcpSettings;
import org.astralboot.dhcp6.codec.CapturedPackets6;
import org.astralboot.dhcp6.codec.Dhcp6Codec;
import org.astralboot.dhcp6.codec.Dhcp6Decoded;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Dhcp6MessageType;
import org.astralboot.dhcp6.codec.Dhcp6Option;
import org.astralboot.dhcp6.codec.Dhcp6Status;
import org.astralboot.dhcp6.codec.Duid;
import org.astralboot.dhcp6.lease.Lease6;
import org.astralboot.dhcp6.lease.Lease6Table;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

class Dhcp6EngineTest {
    static final Inet6Address SERVER = ip("2001:db8:7::1");
    static final Duid SERVER_ID = Duid.ll(HexFormat.of().parseHex("525400060001"));
    static final DhcpSettings.BootFiles FILES = new DhcpSettings.BootFiles("http://192.0.2.1", "undionly.kpxe",
            "ipxe.efi", "ipxe-ia32.efi", "ipxe-arm64.efi");

    final ManualClock clock = new ManualClock(1_000_000_000L);
    final List<Lease6> written = new ArrayList<>();

    static Inet6Address ip(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Dhcp6Settings settings(Dhcp6Settings.Mode mode, String start, String end, int port) {
        return new Dhcp6Settings(SERVER, SERVER_ID, mode, ip(start), ip(end), Duration.ofHours(1),
                List.of(SERVER), port, FILES);
    }

    Lease6Table table(String start, String end) {
        return new Lease6Table(ip(start), ip(end), List.of(), written::add);
    }

    Dhcp6Engine full() {
        return new Dhcp6Engine(settings(Dhcp6Settings.Mode.FULL, "2001:db8:7::100", "2001:db8:7::1ff", 80),
                table("2001:db8:7::100", "2001:db8:7::1ff"), clock);
    }

    static Dhcp6Message decode(byte[] b) {
        return ((Dhcp6Decoded.Ok) Dhcp6Codec.decode(b)).message();
    }

    /** A message as the client sends it, with this server's id when {@code toUs}. */
    static Dhcp6Message client(Dhcp6MessageType t, Duid client, boolean toUs, Dhcp6Option... more) {
        List<Dhcp6Option> o = new ArrayList<>();
        o.add(new Dhcp6Option.ClientId(client));
        if (toUs) {
            o.add(new Dhcp6Option.ServerId(SERVER_ID));
        }
        o.addAll(List.of(more));
        return new Dhcp6Message(t, 0x123456, o);
    }

    static Duid duid(int n) {
        return Duid.ll(new byte[] {0x52, 0x54, 0, 0, 0, (byte) n});
    }

    static Dhcp6Option.IaNa ia(long iaid, String... addrs) {
        List<Dhcp6Option> a = new ArrayList<>();
        for (String s : addrs) {
            a.add(new Dhcp6Option.IaAddress(ip(s), 0, 0, List.of()));
        }
        return new Dhcp6Option.IaNa(iaid, 0, 0, a);
    }

    static Inet6Address address(Dhcp6Message m) {
        return m.first(Dhcp6Option.IaNa.class).orElseThrow().addresses().get(0).address();
    }

    static Optional<String> url(Dhcp6Message m) {
        return m.first(Dhcp6Option.BootfileUrl.class).map(Dhcp6Option.BootfileUrl::url);
    }

    @Test
    void dhclientSolicitRequestRenewRelease() {
        Dhcp6Engine e = full();
        Dhcp6Message sol = decode(CapturedPackets6.DHCLIENT_SOLICIT);
        Dhcp6Reply adv = e.handle(sol).orElseThrow();
        assertEquals(Dhcp6MessageType.ADVERTISE, adv.message().type());
        assertEquals(sol.transactionId(), adv.message().transactionId());
        assertEquals(Optional.of(SERVER_ID), adv.message().serverId());
        assertEquals(sol.clientId(), adv.message().clientId());
        assertEquals(ip("2001:db8:7::100"), address(adv.message()));
        assertEquals(new Dhcp6Option.Preference(255), adv.message().first(Dhcp6Option.Preference.class).orElseThrow());
        assertFalse(adv.leaseChanged(), "an Advertise binds nothing");
        assertTrue(url(adv.message()).isEmpty(), "dhclient is no network-boot client");
        assertEquals(List.of(SERVER), adv.message().first(Dhcp6Option.DnsServers.class).orElseThrow().servers());

        Duid c = sol.clientId().orElseThrow();
        long iaid = sol.first(Dhcp6Option.IaNa.class).orElseThrow().iaid();
        Dhcp6Reply rep = e.handle(client(Dhcp6MessageType.REQUEST, c, true, ia(iaid, "2001:db8:7::100"))).orElseThrow();
        assertEquals(Dhcp6MessageType.REPLY, rep.message().type());
        assertEquals(ip("2001:db8:7::100"), address(rep.message()));
        Dhcp6Option.IaNa got = rep.message().first(Dhcp6Option.IaNa.class).orElseThrow();
        assertEquals(1800, got.t1());
        assertEquals(2880, got.t2());
        assertEquals(3600, got.addresses().get(0).valid());
        assertTrue(rep.leaseChanged());
        assertEquals(Lease6.State.BOUND, written.get(0).state());

        clock.advance(Duration.ofMinutes(30));
        Dhcp6Reply renew = e.handle(client(Dhcp6MessageType.RENEW, c, true, ia(iaid, "2001:db8:7::100"))).orElseThrow();
        assertEquals(ip("2001:db8:7::100"), address(renew.message()));
        assertEquals(clock.millis() + 3_600_000L, renew.changed().get(0).expires());

        Dhcp6Reply rel = e.handle(client(Dhcp6MessageType.RELEASE, c, true, ia(iaid, "2001:db8:7::100"))).orElseThrow();
        assertEquals(Dhcp6Status.SUCCESS.code, rel.message().first(Dhcp6Option.StatusCode.class).orElseThrow().status());
        assertEquals(Lease6.State.RELEASED, rel.changed().get(0).state());
    }

    @Test
    void capturedRequestGetsTheAddressItAsksForWhenFree() {
        Dhcp6Engine e = new Dhcp6Engine(settings(Dhcp6Settings.Mode.FULL, "2001:db8:7::100", "2001:db8:7::1ff", 80),
                table("2001:db8:7::100", "2001:db8:7::1ff"), clock);
        // The captured Request is addressed to dnsmasq's DUID: not ours, so silence (RFC 8415 §16.4).
        assertTrue(e.handle(decode(CapturedPackets6.DHCLIENT_REQUEST)).isEmpty());
        Dhcp6Message asked = decode(CapturedPackets6.DHCLIENT_REQUEST);
        List<Dhcp6Option> o = new ArrayList<>(asked.options());
        o.replaceAll(x -> x instanceof Dhcp6Option.ServerId ? new Dhcp6Option.ServerId(SERVER_ID) : x);
        Dhcp6Reply r = e.handle(new Dhcp6Message(asked.type(), asked.transactionId(), o)).orElseThrow();
        assertEquals(ip("2001:db8:7::1ed"), address(r.message()));
    }

    @Test
    void oneBindingPerDuidAndIaid() {
        Dhcp6Engine e = full();
        Inet6Address a1 = address(e.handle(client(Dhcp6MessageType.REQUEST, duid(1), true, ia(1))).orElseThrow().message());
        Inet6Address a2 = address(e.handle(client(Dhcp6MessageType.REQUEST, duid(1), true, ia(2))).orElseThrow().message());
        Inet6Address b1 = address(e.handle(client(Dhcp6MessageType.REQUEST, duid(2), true, ia(1))).orElseThrow().message());
        assertNotEquals(a1, a2);
        assertNotEquals(a1, b1);
        assertNotEquals(a2, b1);
        assertEquals(a1, address(e.handle(client(Dhcp6MessageType.SOLICIT, duid(1), false, ia(1))).orElseThrow().message()));
        // Another client asking for a bound address gets another one.
        Inet6Address c = address(e.handle(client(Dhcp6MessageType.REQUEST, duid(3), true, ia(1, a1.getHostAddress())))
                .orElseThrow().message());
        assertNotEquals(a1, c);
    }

    @Test
    void advertisedAddressIsHeldForItsClient() {
        Dhcp6Engine e = full();
        Inet6Address a = address(e.handle(client(Dhcp6MessageType.SOLICIT, duid(1), false, ia(1))).orElseThrow().message());
        Inet6Address b = address(e.handle(client(Dhcp6MessageType.SOLICIT, duid(2), false, ia(1))).orElseThrow().message());
        assertNotEquals(a, b);
        assertEquals(a, address(e.handle(client(Dhcp6MessageType.REQUEST, duid(1), true, ia(1))).orElseThrow().message()));
        clock.advance(Dhcp6Engine.ADVERTISE_HOLD.plusSeconds(1));
        // The hold of client 2 lapsed, but nothing else took it: the lowest free address is b again.
        assertEquals(b, address(e.handle(client(Dhcp6MessageType.SOLICIT, duid(3), false, ia(1))).orElseThrow().message()));
        // Many Solicits that never become Requests: their holds lapse instead of piling up.
        Lease6Table t = table("2001:db8:7::100", "2001:db8:7::ffff");
        Dhcp6Engine many = new Dhcp6Engine(settings(Dhcp6Settings.Mode.FULL, "2001:db8:7::100", "2001:db8:7::ffff", 80),
                t, clock);
        for (int i = 0; i < 50; i++) {
            many.handle(client(Dhcp6MessageType.SOLICIT, duid(i), false, ia(1)));
            clock.advance(Duration.ofSeconds(10));
        }
        assertEquals(5, t.holds(clock.millis()), "only the last 60 s of Advertises hold an address");
    }

    @Test
    void rapidCommitBindsAtOnce() {
        Dhcp6Engine e = full();
        Dhcp6Reply r = e.handle(client(Dhcp6MessageType.SOLICIT, duid(1), false, ia(1), new Dhcp6Option.RapidCommit()))
                .orElseThrow();
        assertEquals(Dhcp6MessageType.REPLY, r.message().type());
        assertTrue(r.message().first(Dhcp6Option.RapidCommit.class).isPresent());
        assertTrue(r.leaseChanged());
    }

    @Test
    void exhaustedPool() {
        Dhcp6Engine e = new Dhcp6Engine(settings(Dhcp6Settings.Mode.FULL, "2001:db8:7::100", "2001:db8:7::101", 80),
                table("2001:db8:7::100", "2001:db8:7::101"), clock);
        e.handle(client(Dhcp6MessageType.REQUEST, duid(1), true, ia(1)));
        e.handle(client(Dhcp6MessageType.REQUEST, duid(2), true, ia(1)));
        Dhcp6Message adv = e.handle(client(Dhcp6MessageType.SOLICIT, duid(3), false, ia(1))).orElseThrow().message();
        assertEquals(Dhcp6Status.NO_ADDRS_AVAIL.code, adv.first(Dhcp6Option.StatusCode.class).orElseThrow().status());
        assertTrue(adv.first(Dhcp6Option.IaNa.class).isEmpty());
        Dhcp6Message rep = e.handle(client(Dhcp6MessageType.REQUEST, duid(3), true, ia(1))).orElseThrow().message();
        Dhcp6Option.IaNa got = rep.first(Dhcp6Option.IaNa.class).orElseThrow();
        assertEquals(List.of(new Dhcp6Option.StatusCode(Dhcp6Status.NO_ADDRS_AVAIL, "no addresses available")),
                got.options());
        // After client 1's binding expires, its address goes to client 3.
        clock.advance(Duration.ofHours(2));
        assertEquals(ip("2001:db8:7::100"),
                address(e.handle(client(Dhcp6MessageType.REQUEST, duid(3), true, ia(1))).orElseThrow().message()));
    }

    @Test
    void renewWithoutBindingIsNoBindingAndRebindKeepsAFreeAddress() {
        Dhcp6Engine e = full();
        Dhcp6Message renew = e.handle(client(Dhcp6MessageType.RENEW, duid(1), true, ia(1, "2001:db8:7::150")))
                .orElseThrow().message();
        assertEquals(List.of(new Dhcp6Option.StatusCode(Dhcp6Status.NO_BINDING, "no binding")),
                renew.first(Dhcp6Option.IaNa.class).orElseThrow().options());
        Dhcp6Message rebind = e.handle(client(Dhcp6MessageType.REBIND, duid(1), false, ia(1, "2001:db8:7::150")))
                .orElseThrow().message();
        assertEquals(ip("2001:db8:7::150"), address(rebind));
        Dhcp6Message off = e.handle(client(Dhcp6MessageType.REBIND, duid(2), false, ia(1, "2001:db8:99::1")))
                .orElseThrow().message();
        Dhcp6Option.IaAddress zero = off.first(Dhcp6Option.IaNa.class).orElseThrow().addresses().get(0);
        assertEquals(0, zero.valid(), "an address off this link gets lifetime 0 (RFC 8415 §18.3.5)");
    }

    @Test
    void declineTakesTheAddressOutOfThePool() {
        Dhcp6Engine e = full();
        Inet6Address a = address(e.handle(client(Dhcp6MessageType.REQUEST, duid(1), true, ia(1))).orElseThrow().message());
        Dhcp6Reply d = e.handle(client(Dhcp6MessageType.DECLINE, duid(1), true, ia(1, a.getHostAddress()))).orElseThrow();
        assertEquals(Lease6.State.DECLINED, d.changed().get(0).state());
        Inet6Address next = address(e.handle(client(Dhcp6MessageType.REQUEST, duid(1), true, ia(1))).orElseThrow().message());
        assertNotEquals(a, next);
        assertNotEquals(a, address(e.handle(client(Dhcp6MessageType.SOLICIT, duid(2), false, ia(1))).orElseThrow().message()));
    }

    @Test
    void confirm() {
        Dhcp6Engine e = full();
        Dhcp6Message on = e.handle(decode(CapturedPackets6.DHCLIENT_CONFIRM)).orElseThrow().message();
        assertEquals(Dhcp6Status.SUCCESS.code, on.first(Dhcp6Option.StatusCode.class).orElseThrow().status());
        Dhcp6Message off = e.handle(client(Dhcp6MessageType.CONFIRM, duid(1), false, ia(1, "2001:db8:8::5")))
                .orElseThrow().message();
        assertEquals(Dhcp6Status.NOT_ON_LINK.code, off.first(Dhcp6Option.StatusCode.class).orElseThrow().status());
    }

    @Test
    void validationOfServerAndClientIds() {
        Dhcp6Engine e = full();
        assertTrue(e.handle(client(Dhcp6MessageType.SOLICIT, duid(1), true, ia(1))).isEmpty(), "Solicit with SERVERID");
        assertTrue(e.handle(client(Dhcp6MessageType.REQUEST, duid(1), false, ia(1))).isEmpty(), "Request without SERVERID");
        assertTrue(e.handle(new Dhcp6Message(Dhcp6MessageType.SOLICIT, 1, List.of(ia(1)))).isEmpty(), "no CLIENTID");
        assertTrue(e.handle(client(Dhcp6MessageType.REPLY, duid(1), true)).isEmpty(), "a server's message");
        assertTrue(e.handle(client(Dhcp6MessageType.INFORMATION_REQUEST, duid(1), false, ia(1))).isEmpty(),
                "Information-request with an IA (RFC 8415 §16.12)");
    }

    @Test
    void poolFiguresCountBoundAndDeclinedAddressesOfThePool() {
        Lease6Table t = table("2001:db8:7::100", "2001:db8:7::1ff");
        Dhcp6Engine e = new Dhcp6Engine(settings(Dhcp6Settings.Mode.FULL, "2001:db8:7::100", "2001:db8:7::1ff", 80), t, clock);
        assertEquals(new Lease6Table.Counts(256, 0, 0), t.counts(clock.millis()));
        e.handle(client(Dhcp6MessageType.REQUEST, duid(1), true, ia(1)));
        Inet6Address a = address(e.handle(client(Dhcp6MessageType.REQUEST, duid(2), true, ia(1))).orElseThrow().message());
        e.handle(client(Dhcp6MessageType.SOLICIT, duid(3), false, ia(1))); // held for an Advertise: still free
        e.handle(client(Dhcp6MessageType.DECLINE, duid(2), true, ia(1, a.getHostAddress())));
        Lease6Table.Counts c = t.counts(clock.millis());
        assertEquals(new Lease6Table.Counts(256, 1, 1), c);
        assertEquals(254, c.free());
        clock.advance(Duration.ofHours(2)); // the binding expired, the probation ended
        assertEquals(new Lease6Table.Counts(256, 0, 0), t.counts(clock.millis()));
        assertEquals(Long.MAX_VALUE, new Lease6Table(ip("2001:db8:7::"), ip("2001:db8:7:0:ffff:ffff:ffff:ffff"), List.of(),
                l -> { }).counts(0).pool(), "a /64 pool: capped");
    }

    @Test
    void eachSilenceSaysWhy() {
        Dhcp6Engine e = full();
        assertEquals(Dhcp6Engine.Silence.INVALID, e.answer(client(Dhcp6MessageType.SOLICIT, duid(1), true, ia(1))).silence());
        assertEquals(Dhcp6Engine.Silence.INVALID,
                e.answer(new Dhcp6Message(Dhcp6MessageType.SOLICIT, 1, List.of(ia(1)))).silence());
        assertEquals(Dhcp6Engine.Silence.NOT_CLIENT_MESSAGE,
                e.answer(client(Dhcp6MessageType.REPLY, duid(1), true)).silence());
        Dhcp6Message other = new Dhcp6Message(Dhcp6MessageType.REQUEST, 5, List.of(new Dhcp6Option.ClientId(duid(1)),
                new Dhcp6Option.ServerId(duid(99)), ia(1)));
        Dhcp6Engine.Answer a = e.answer(other);
        assertEquals(Dhcp6Engine.Silence.OTHER_SERVER, a.silence());
        assertTrue(a.detail().startsWith("for server "), a.detail());
        assertEquals("other_server", a.silence().label);
        Dhcp6Engine stateless = new Dhcp6Engine(new Dhcp6Settings(SERVER, SERVER_ID, Dhcp6Settings.Mode.STATELESS, null,
                null, Duration.ofHours(1), List.of(SERVER), 80, FILES), null, clock);
        assertEquals(Dhcp6Engine.Silence.STATELESS_MODE,
                stateless.answer(client(Dhcp6MessageType.SOLICIT, duid(1), false, ia(1))).silence());
        Dhcp6Engine.Answer ok = e.answer(client(Dhcp6MessageType.SOLICIT, duid(1), false, ia(1)));
        assertTrue(ok.reply() != null && ok.silence() == null && ok.detail().isEmpty());
    }

    @Test
    void statelessAnswersInformationRequestOnly() {
        Dhcp6Engine e = new Dhcp6Engine(new Dhcp6Settings(SERVER, SERVER_ID, Dhcp6Settings.Mode.STATELESS, null, null,
                Duration.ofHours(1), List.of(SERVER), 80, FILES), null, clock);
        Dhcp6Message r = e.handle(decode(CapturedPackets6.DHCLIENT_INFORMATION_REQUEST)).orElseThrow().message();
        assertEquals(Dhcp6MessageType.REPLY, r.type());
        assertTrue(r.first(Dhcp6Option.IaNa.class).isEmpty());
        assertEquals(List.of(SERVER), r.first(Dhcp6Option.DnsServers.class).orElseThrow().servers());
        assertTrue(url(r).isEmpty(), "dhclient gets no boot file");
        assertTrue(e.handle(decode(CapturedPackets6.DHCLIENT_SOLICIT)).isEmpty());
        Dhcp6Message ipxe = e.handle(new Dhcp6Message(Dhcp6MessageType.INFORMATION_REQUEST, 7, List.of(
                new Dhcp6Option.ClientId(duid(9)), new Dhcp6Option.UserClass(List.of("iPXE")),
                new Dhcp6Option.ClientArch(List.of(7))))).orElseThrow().message();
        assertEquals(Optional.of("http://[2001:db8:7::1]/boot.ipxe"), url(ipxe));
    }

    @Test
    void bootFileByArchitectureAndClass() {
        Dhcp6Engine e = new Dhcp6Engine(settings(Dhcp6Settings.Mode.FULL, "2001:db8:7::100", "2001:db8:7::1ff", 8080),
                table("2001:db8:7::100", "2001:db8:7::1ff"), clock);
        Dhcp6Message pxe = e.handle(client(Dhcp6MessageType.SOLICIT, duid(1), false, ia(1),
                new Dhcp6Option.ClientArch(List.of(7)),
                new Dhcp6Option.VendorClass(343, List.of("PXEClient:Arch:00007:UNDI:003016")))).orElseThrow().message();
        assertEquals(Optional.of("tftp://[2001:db8:7::1]/ipxe.efi"), url(pxe));
        assertTrue(pxe.first(Dhcp6Option.VendorClass.class).isEmpty());
        Dhcp6Message bc = e.handle(client(Dhcp6MessageType.SOLICIT, duid(2), false, ia(1),
                new Dhcp6Option.ClientArch(List.of(9)))).orElseThrow().message();
        assertEquals(Optional.of("tftp://[2001:db8:7::1]/ipxe.efi"), url(bc));
        Dhcp6Message http = e.handle(client(Dhcp6MessageType.SOLICIT, duid(3), false, ia(1),
                new Dhcp6Option.ClientArch(List.of(16)),
                new Dhcp6Option.VendorClass(343, List.of("HTTPClient:Arch:00016:UNDI:003016")))).orElseThrow().message();
        assertEquals(Optional.of("http://[2001:db8:7::1]:8080/tftp/ipxe.efi"), url(http));
        assertEquals(new Dhcp6Option.VendorClass(343, List.of("HTTPClient")),
                http.first(Dhcp6Option.VendorClass.class).orElseThrow());
        Dhcp6Message ipxe = e.handle(client(Dhcp6MessageType.SOLICIT, duid(4), false, ia(1),
                new Dhcp6Option.ClientArch(List.of(7)), new Dhcp6Option.UserClass(List.of("iPXE")))).orElseThrow()
                .message();
        assertEquals(Optional.of("http://[2001:db8:7::1]:8080/boot.ipxe"), url(ipxe));
        Dhcp6Message arm = e.handle(client(Dhcp6MessageType.SOLICIT, duid(5), false, ia(1),
                new Dhcp6Option.ClientArch(List.of(11)))).orElseThrow().message();
        assertEquals(Optional.of("tftp://[2001:db8:7::1]/ipxe-arm64.efi"), url(arm));
        Dhcp6Message unknown = e.handle(client(Dhcp6MessageType.SOLICIT, duid(6), false, ia(1),
                new Dhcp6Option.ClientArch(List.of(40)))).orElseThrow().message();
        assertTrue(url(unknown).isEmpty(), "an architecture without a binary: address only");
        assertTrue(unknown.first(Dhcp6Option.IaNa.class).isPresent());
    }

    /** What each captured firmware Solicit gets: the boot file for its firmware, or an address only. */
    @Test
    void capturedFirmwareSolicits() {
        Dhcp6Engine e = full();
        Dhcp6Message pxe = e.handle(decode(CapturedPackets6.OVMF_PXE6_SOLICIT)).orElseThrow().message();
        assertEquals(Optional.of("tftp://[2001:db8:7::1]/ipxe.efi"), url(pxe));
        assertTrue(pxe.first(Dhcp6Option.VendorClass.class).isEmpty(), "a PXEClient offer would be a BINL one to EDK2");
        Dhcp6Message http = e.handle(decode(CapturedPackets6.OVMF_HTTP6_SOLICIT)).orElseThrow().message();
        assertEquals(Optional.of("http://[2001:db8:7::1]/tftp/ipxe.efi"), url(http));
        assertEquals(new Dhcp6Option.VendorClass(343, List.of("HTTPClient")),
                http.first(Dhcp6Option.VendorClass.class).orElseThrow());
        Dhcp6Message stack = e.handle(decode(CapturedPackets6.OVMF_IP6CONFIG_SOLICIT)).orElseThrow().message();
        assertTrue(url(stack).isEmpty(), "OVMF's IPv6 stack asks for an address, not a boot file");
        assertTrue(stack.first(Dhcp6Option.IaNa.class).isPresent());
        Dhcp6Message ipxe = e.handle(decode(CapturedPackets6.IPXE_BIOS_SOLICIT)).orElseThrow().message();
        assertEquals(Optional.of("http://[2001:db8:7::1]/boot.ipxe"), url(ipxe));
        // Four IAs (three of one OVMF client, told apart by IAID), four addresses.
        assertEquals(4, java.util.Set.of(address(pxe), address(http), address(stack), address(ipxe)).size());
    }

    @Test
    void bindingsSurviveARestart() {
        Dhcp6Engine e = full();
        Inet6Address a = address(e.handle(client(Dhcp6MessageType.REQUEST, duid(1), true, ia(1))).orElseThrow().message());
        e.handle(client(Dhcp6MessageType.REQUEST, duid(2), true, ia(1)));
        // Reload from what was written (the store's records, replayed by start time).
        Lease6Table t = new Lease6Table(ip("2001:db8:7::100"), ip("2001:db8:7::1ff"), written, Lease6Sink -> { });
        Dhcp6Engine again = new Dhcp6Engine(settings(Dhcp6Settings.Mode.FULL, "2001:db8:7::100", "2001:db8:7::1ff", 80),
                t, clock);
        assertEquals(a, address(again.handle(client(Dhcp6MessageType.SOLICIT, duid(1), false, ia(1))).orElseThrow()
                .message()));
        assertEquals(ip("2001:db8:7::102"), address(again.handle(client(Dhcp6MessageType.SOLICIT, duid(3), false,
                ia(1))).orElseThrow().message()));
        Dhcp6Message renew = again.handle(client(Dhcp6MessageType.RENEW, duid(1), true, ia(1, a.getHostAddress())))
                .orElseThrow().message();
        assertEquals(a, address(renew));
        assertInstanceOf(Dhcp6Option.IaNa.class, renew.first(Dhcp6Option.IaNa.class).orElseThrow());
    }
}

package org.astralboot.dhcp6.engine;

import static org.astralboot.dhcp6.engine.Dhcp6EngineTest.address;
import static org.astralboot.dhcp6.engine.Dhcp6EngineTest.client;
import static org.astralboot.dhcp6.engine.Dhcp6EngineTest.duid;
import static org.astralboot.dhcp6.engine.Dhcp6EngineTest.ia;
import static org.astralboot.dhcp6.engine.Dhcp6EngineTest.ip;
import static org.astralboot.dhcp6.engine.Dhcp6EngineTest.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astralboot.dhcp6.codec.CapturedPackets6;
import org.astralboot.dhcp6.codec.Dhcp6Codec;
import org.astralboot.dhcp6.codec.Dhcp6Decoded;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Dhcp6MessageType;
import org.astralboot.dhcp6.codec.Dhcp6Option;
import org.astralboot.dhcp6.codec.Dhcp6Relay;
import org.astralboot.dhcp6.codec.Dhcp6Status;
import org.astralboot.dhcp6.lease.Lease6;
import org.astralboot.dhcp6.lease.Lease6Table;
import org.astralboot.net.Ipv6Prefix;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

/** The engine's decisions for relayed messages (RFC 8415 §18.3, §18.3.10, §13.1), time from a manual clock. */
class Dhcp6RelayEngineTest {
    final ManualClock clock = new ManualClock(1_000_000_000L);
    final List<Lease6> written = new ArrayList<>();

    /** Server 2001:db8:7::1, main pool ::100-::1ff of its /64; relayed link 2001:db8:31::/64, pool ::100-::1ff. */
    Dhcp6Engine engine() {
        return new Dhcp6Engine(settings(), table(List.of()), clock);
    }

    static Dhcp6Settings settings() {
        return new Dhcp6Settings(Dhcp6EngineTest.SERVER, Dhcp6EngineTest.SERVER_ID, Dhcp6Settings.Mode.FULL,
                ip("2001:db8:7::100"), ip("2001:db8:7::1ff"), Duration.ofHours(1), List.of(), 80,
                Dhcp6EngineTest.FILES, List.of(new Dhcp6Settings.Link(Ipv6Prefix.parse("2001:db8:31::/64"),
                        ip("2001:db8:31::100"), ip("2001:db8:31::1ff"))));
    }

    /** The two pools of {@link #settings()}, with {@code stored} bindings loaded. */
    Lease6Table table(List<Lease6> stored) {
        return new Lease6Table(List.of(new Lease6Table.Range(ip("2001:db8:7::100"), ip("2001:db8:7::1ff")),
                new Lease6Table.Range(ip("2001:db8:31::100"), ip("2001:db8:31::1ff"))), stored, written::add);
    }

    static Dhcp6Relay relayed(byte[] b) {
        return ((Dhcp6Decoded.Relayed) Dhcp6Codec.decode(b)).relay();
    }

    /** {@code m} as a relay agent with {@code link} forwards it, from the client's link-local address. */
    static Dhcp6Relay forward(String link, Dhcp6Message m, Dhcp6Option... more) {
        List<Dhcp6Option> o = new ArrayList<>(List.of(more));
        o.add(new Dhcp6Option.RelayMessage(m));
        return new Dhcp6Relay(Dhcp6MessageType.RELAY_FORW, 0, ip(link), ip("fe80::5054:ff:fe31:1"), o);
    }

    @Test
    void dnsmasqsRelayedSolicitGetsAnAdvertiseOfTheRelayedPoolInARelayReply() {
        Dhcp6Engine e = engine();
        Dhcp6Relay forw = relayed(CapturedPackets6.DNSMASQ_RELAY_FORW_SOLICIT);
        Dhcp6Engine.Answer a = e.answer(forw);
        Dhcp6Reply r = a.reply();
        Dhcp6Relay repl = r.relay();
        assertEquals(Dhcp6MessageType.RELAY_REPL, repl.type());
        assertEquals(forw.hopCount(), repl.hopCount());
        assertEquals(forw.linkAddress(), repl.linkAddress());
        assertEquals(forw.peerAddress(), repl.peerAddress());
        assertEquals(1, repl.options().size(), "the Relay Message only: no Interface-Id came, option 79 is not echoed");
        Dhcp6Message adv = repl.innermost();
        assertEquals(r.message(), adv);
        assertEquals(repl, r.wire());
        assertEquals(Dhcp6MessageType.ADVERTISE, adv.type());
        assertEquals(forw.innermost().transactionId(), adv.transactionId());
        assertEquals(ip("2001:db8:31::100"), address(adv));
        // What goes on the wire decodes as dnsmasq's own server's Relay-reply does.
        assertEquals(repl, relayed(Dhcp6Codec.encode(repl)));
    }

    @Test
    void dnsmasqsRelayedRequestBindsTheAddressDurably() {
        Dhcp6Engine e = engine();
        e.answer(relayed(CapturedPackets6.DNSMASQ_RELAY_FORW_SOLICIT));
        // The captured Request asks for 2001:db8:31::139 (dnsmasq's server offered it): free in this pool.
        Dhcp6Relay req = relayed(CapturedPackets6.DNSMASQ_RELAY_FORW_REQUEST);
        Dhcp6Message inner = req.innermost();
        Dhcp6Message withOurId = new Dhcp6Message(inner.type(), inner.transactionId(), inner.options().stream()
                .map(o -> o instanceof Dhcp6Option.ServerId ? new Dhcp6Option.ServerId(Dhcp6EngineTest.SERVER_ID) : o)
                .toList());
        Dhcp6Reply r = e.answer(forward("2001:db8:31::1", withOurId)).reply();
        assertEquals(Dhcp6MessageType.REPLY, r.message().type());
        assertEquals(ip("2001:db8:31::139"), address(r.message()));
        assertTrue(r.leaseChanged(), "the Reply leaves after its commit");
        assertEquals(ip("2001:db8:31::139"), written.get(written.size() - 1).address());
    }

    @Test
    void anIpxeClientBehindARelayGetsTheServersOwnBootUrl() {
        Dhcp6Message sol = ((Dhcp6Decoded.Ok) Dhcp6Codec.decode(CapturedPackets6.IPXE_BIOS_SOLICIT)).message();
        Dhcp6Message adv = engine().answer(forward("2001:db8:31::1", sol)).reply().message();
        assertEquals(ip("2001:db8:31::100"), address(adv));
        assertEquals(Optional.of("http://[2001:db8:7::1]/boot.ipxe"), url(adv));
    }

    @Test
    void aRelayOnNoConfiguredLinkGetsSilence() {
        Dhcp6Engine e = engine();
        Dhcp6Engine.Answer a = e.answer(forward("2001:db8:99::1", client(Dhcp6MessageType.SOLICIT, duid(1), false, ia(1))));
        assertNull(a.reply());
        assertEquals(Dhcp6Engine.Silence.UNKNOWN_LINK, a.silence());
        assertEquals("unknown_link", a.silence().label);
        assertTrue(a.detail().contains("relay link-address 2001:db8:99::1 is on no link this server serves"), a.detail());
        Dhcp6Engine.Answer none = e.answer(forward("::", client(Dhcp6MessageType.SOLICIT, duid(1), false, ia(1))));
        assertEquals(Dhcp6Engine.Silence.UNKNOWN_LINK, none.silence());
        assertTrue(none.detail().contains("link-address ::"), none.detail());
        assertTrue(written.isEmpty());
    }

    @Test
    void aRelayOnTheServersOwnLinkUsesTheMainPool() {
        Dhcp6Message adv = engine().answer(forward("2001:db8:7::2", client(Dhcp6MessageType.SOLICIT, duid(1), false,
                ia(1)))).reply().message();
        assertEquals(ip("2001:db8:7::100"), address(adv));
    }

    /**
     * Two relay agents: the one nearest the client leaves link-address unspecified and names its port by
     * Interface-Id; the next names the link (RFC 8415 §13.1). The Relay-reply nests the same way, each
     * Interface-Id copied (§18.3.10).
     */
    @Test
    void nestedRelaysAreAnsweredNestedWithInterfaceIdsCopied() {
        Dhcp6Relay inner = new Dhcp6Relay(Dhcp6MessageType.RELAY_FORW, 0, ip("::"), ip("fe80::5054:ff:fe31:1"),
                List.of(new Dhcp6Option.InterfaceId("port7"), new Dhcp6Option.RelayMessage(
                        client(Dhcp6MessageType.SOLICIT, duid(2), false, ia(1)))));
        Dhcp6Relay outer = new Dhcp6Relay(Dhcp6MessageType.RELAY_FORW, 1, ip("2001:db8:31::1"), ip("2001:db8:31::2"),
                List.of(new Dhcp6Option.RelayMessage(inner), new Dhcp6Option.InterfaceId("uplink")));
        Dhcp6Relay repl = engine().answer(outer).reply().relay();
        List<Dhcp6Relay> chain = repl.chain();
        assertEquals(2, chain.size());
        assertEquals(List.of(1, 0), chain.stream().map(Dhcp6Relay::hopCount).toList());
        assertEquals(List.of(ip("2001:db8:31::1"), ip("::")), chain.stream().map(Dhcp6Relay::linkAddress).toList());
        assertEquals(List.of(ip("2001:db8:31::2"), ip("fe80::5054:ff:fe31:1")),
                chain.stream().map(Dhcp6Relay::peerAddress).toList());
        assertEquals(List.of("uplink", "port7"), chain.stream()
                .map(r -> r.first(Dhcp6Option.InterfaceId.class).orElseThrow().id()).toList());
        assertTrue(chain.stream().allMatch(r -> r.type() == Dhcp6MessageType.RELAY_REPL));
        assertEquals(ip("2001:db8:31::100"), address(repl.innermost()));
    }

    @Test
    void aRelayReplySentToTheServerIsNotAnswered() {
        Dhcp6Engine.Answer a = engine().answer(relayed(CapturedPackets6.DNSMASQ_RELAY_REPL_ADVERTISE));
        assertEquals(Dhcp6Engine.Silence.NOT_CLIENT_MESSAGE, a.silence());
    }

    /** A relayed client's hint of a main-pool address, or its binding there, does not carry over to its new link. */
    @Test
    void addressesStayOnTheirLink() {
        Dhcp6Engine e = engine();
        Dhcp6Reply direct = e.answer(client(Dhcp6MessageType.REQUEST, duid(3), true, ia(1))).reply();
        assertEquals(ip("2001:db8:7::100"), address(direct.message()));
        Dhcp6Message viaRelay = e.answer(forward("2001:db8:31::1", client(Dhcp6MessageType.REQUEST, duid(3), true,
                ia(1, "2001:db8:7::100")))).reply().message();
        assertEquals(ip("2001:db8:31::100"), address(viaRelay));
        // A Renew of the relayed binding from the server's own link: that binding is not this link's.
        e.answer(client(Dhcp6MessageType.REQUEST, duid(4), true, ia(1)));
        e.answer(forward("2001:db8:31::1", client(Dhcp6MessageType.REQUEST, duid(5), true, ia(1))));
        Dhcp6Message renew = e.answer(client(Dhcp6MessageType.RENEW, duid(5), true, ia(1, "2001:db8:31::101")))
                .reply().message();
        assertEquals(new Dhcp6Option.StatusCode(Dhcp6Status.NO_BINDING, "no binding"),
                renew.first(Dhcp6Option.IaNa.class).orElseThrow().options().get(0));
    }

    @Test
    void confirmIsAnsweredForTheRelayedLink() {
        Dhcp6Engine e = engine();
        Dhcp6Message on = e.answer(forward("2001:db8:31::1", client(Dhcp6MessageType.CONFIRM, duid(6), false,
                ia(1, "2001:db8:31::150")))).reply().message();
        assertEquals(Dhcp6Status.SUCCESS.code, on.first(Dhcp6Option.StatusCode.class).orElseThrow().status());
        Dhcp6Message off = e.answer(forward("2001:db8:31::1", client(Dhcp6MessageType.CONFIRM, duid(6), false,
                ia(1, "2001:db8:7::150")))).reply().message();
        assertEquals(Dhcp6Status.NOT_ON_LINK.code, off.first(Dhcp6Option.StatusCode.class).orElseThrow().status());
    }

    /** The Advertise's hold of a relayed pool address lapses on the clock: then another client gets it. */
    @Test
    void aRelayedAdvertiseHoldLapses() {
        Dhcp6Engine e = engine();
        Dhcp6Message first = e.answer(forward("2001:db8:31::1", client(Dhcp6MessageType.SOLICIT, duid(7), false,
                ia(1)))).reply().message();
        Dhcp6Message second = e.answer(forward("2001:db8:31::1", client(Dhcp6MessageType.SOLICIT, duid(8), false,
                ia(1)))).reply().message();
        assertEquals(ip("2001:db8:31::101"), address(second), "held for the first client");
        clock.advance(Dhcp6Engine.ADVERTISE_HOLD.plusSeconds(1));
        Dhcp6Message third = e.answer(forward("2001:db8:31::1", client(Dhcp6MessageType.SOLICIT, duid(9), false,
                ia(1)))).reply().message();
        assertEquals(address(first), address(third));
    }

    /** A relayed client's binding, stored and loaded again (a restart), is its address on its link. */
    @Test
    void storedRelayedBindingsComeBack() {
        Dhcp6Engine e = engine();
        Dhcp6Reply r = e.answer(forward("2001:db8:31::1", client(Dhcp6MessageType.REQUEST, duid(10), true, ia(1))))
                .reply();
        assertEquals(ip("2001:db8:31::100"), address(r.message()));
        List<Lease6> stored = List.copyOf(written);
        written.clear();
        Lease6Table reloaded = table(stored);
        Dhcp6Engine again = new Dhcp6Engine(settings(), reloaded, clock);
        clock.advance(Duration.ofMinutes(5));
        assertEquals(ip("2001:db8:31::100"), address(again.answer(forward("2001:db8:31::1",
                client(Dhcp6MessageType.SOLICIT, duid(10), false, ia(1)))).reply().message()));
        // Another client on that link does not get it; the same client on the server's link gets a main address.
        assertEquals(ip("2001:db8:31::101"), address(again.answer(forward("2001:db8:31::1",
                client(Dhcp6MessageType.SOLICIT, duid(11), false, ia(1)))).reply().message()));
        assertEquals(ip("2001:db8:7::100"), address(again.answer(client(Dhcp6MessageType.SOLICIT, duid(10), false,
                ia(1))).reply().message()));
        assertEquals(2, reloaded.counts(clock.millis()).pool() / 256);
    }

    @Test
    void theTableMustHaveAPoolPerLink() {
        assertThrows(IllegalArgumentException.class, () -> new Dhcp6Engine(settings(),
                new Lease6Table(ip("2001:db8:7::100"), ip("2001:db8:7::1ff"), List.of(), l -> { }), clock));
    }
}

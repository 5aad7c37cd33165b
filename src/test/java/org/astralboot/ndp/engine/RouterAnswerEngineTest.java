package org.astralboot.ndp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.astralboot.ndp.codec.NdpOption;
import org.astralboot.ndp.codec.PrefixInformation;
import org.astralboot.ndp.codec.RouterAdvertisement;
import org.astralboot.ndp.codec.RouterSolicitation;
import org.astralboot.ndp.engine.NdpDecision.Reason;
import org.astralboot.net.MacAddress;
import org.astralboot.net.RecentBoots;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouterAnswerEngineTest {
    static final MacAddress SERVER = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress BOOTING = MacAddress.parse("52:54:00:aa:01:01");
    static final MacAddress STRANGER = MacAddress.parse("52:54:00:bb:02:02");

    ManualClock clock;
    RecentBoots boots;
    RouterAnswerEngine engine;

    static Inet6Address ip(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    static RouterSolicitation rs(MacAddress mac) {
        return new RouterSolicitation(mac == null ? List.of() : List.of(NdpOption.sourceLinkLayer(mac)));
    }

    static RouterAdvertisement foreign(int lifetime) {
        return new RouterAdvertisement(64, false, false, 0, lifetime, 0, 0, List.of());
    }

    /**
     * The final decision on {@code rs}: follows each {@link NdpDecision.Recheck}, advancing the clock
     * by its wait, as the transport does.
     */
    NdpDecision settle(RouterSolicitation rs, Inet6Address from) {
        NdpDecision d = engine.solicited(rs, from);
        while (d instanceof NdpDecision.Recheck r) {
            clock.advance(r.after());
            d = engine.solicited(rs, from, r.attempt());
        }
        return d;
    }

    @BeforeEach
    void setUp() {
        clock = new ManualClock(1_800_000_000_000L);
        boots = new RecentBoots(NdpSettings.BOOTING_WINDOW.toMillis());
        engine = new RouterAnswerEngine(NdpSettings.defaults(true, SERVER), boots, clock, new Random(7));
    }

    @Test
    void aBootingMachineGetsTheAdvertisementThatConfiguresNothing() throws Exception {
        boots.seen(BOOTING, clock.millis());
        clock.advance(Duration.ofSeconds(1));
        Inet6Address from = ip("fe80::5054:ff:feaa:101");
        NdpDecision.Answer a = assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(BOOTING), from));
        assertEquals(from, a.to(), "unicast to the soliciting link-local address (RFC 4861 §6.2.6)");
        assertEquals(BOOTING, a.mac());
        assertEquals(RouterAdvertisement.nothingToConfigure(SERVER), a.advertisement());
        assertEquals(0, a.advertisement().routerLifetime());
        assertEquals(0, a.advertisement().prefixes());
        assertFalse(a.advertisement().managed() || a.advertisement().other());
        assertTrue(!a.delay().isNegative() && a.delay().compareTo(NdpSettings.MAX_RA_DELAY) <= 0, a.delay().toString());
    }

    @Test
    void theMacComesFromTheEui64AddressWhenTheSolicitationHasNoOption() throws Exception {
        boots.seen(BOOTING, clock.millis());
        NdpDecision d = engine.solicited(rs(null), ip("fe80::5054:ff:feaa:101"));
        assertEquals(BOOTING, assertInstanceOf(NdpDecision.Answer.class, d).mac());
        NdpDecision none = engine.solicited(rs(null), ip("fe80::1c2d:3e4f:5a6b:7c8d"));
        assertEquals(Reason.NO_MAC, assertInstanceOf(NdpDecision.Silence.class, none).reason());
    }

    @Test
    void theOptionWinsOverTheAddress() throws Exception {
        boots.seen(BOOTING, clock.millis());
        // The address says STRANGER, the option says BOOTING: the option names the sender's NIC.
        NdpDecision d = engine.solicited(rs(BOOTING), ip("fe80::5054:ff:febb:202"));
        assertEquals(BOOTING, assertInstanceOf(NdpDecision.Answer.class, d).mac());
        NdpDecision s = settle(rs(STRANGER), ip("fe80::5054:ff:feaa:101"));
        assertEquals(new NdpDecision.Silence(Reason.NOT_BOOTING, Optional.of(STRANGER)), s);
    }

    @Test
    void anUnknownMacGetsSilence() throws Exception {
        boots.seen(BOOTING, clock.millis());
        assertEquals(new NdpDecision.Silence(Reason.NOT_BOOTING, Optional.of(STRANGER)),
                settle(rs(STRANGER), ip("fe80::5054:ff:febb:202")));
        assertEquals(0, engine.pendingRechecks());
    }

    @Test
    void aMachineSeenBootingLongAgoGetsSilence() throws Exception {
        boots.seen(BOOTING, clock.millis());
        clock.advance(NdpSettings.BOOTING_WINDOW);
        assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(BOOTING), ip("fe80::5054:ff:feaa:101")));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Reason.NOT_BOOTING, ((NdpDecision.Silence) settle(rs(BOOTING),
                ip("fe80::5054:ff:feaa:101"))).reason());
    }

    @Test
    void theUnspecifiedSourceGetsSilence() throws Exception {
        boots.seen(BOOTING, clock.millis());
        assertEquals(Reason.UNSPECIFIED_SOURCE, ((NdpDecision.Silence) engine.solicited(rs(null), ip("::"))).reason());
    }

    @Test
    void anotherRouterOnTheSegmentSilencesTheAnswerUntilItHasBeenQuiet() throws Exception {
        boots.seen(BOOTING, clock.millis());
        Inet6Address from = ip("fe80::5054:ff:feaa:101");
        assertTrue(engine.advertised(foreign(1800), ip("fe80::1")), "the first foreign advertisement begins a stand-down");
        assertFalse(engine.advertised(foreign(1800), ip("fe80::1")), "the next ones continue it");
        assertTrue(engine.standingDown());
        assertEquals(2, engine.foreignAdvertisements());
        assertEquals(new NdpDecision.Silence(Reason.FOREIGN_ROUTER, Optional.of(BOOTING)), engine.solicited(rs(BOOTING), from));
        clock.advance(NdpSettings.FOREIGN_HOLD.minusSeconds(1));
        boots.seen(BOOTING, clock.millis());
        assertEquals(Reason.FOREIGN_ROUTER, ((NdpDecision.Silence) engine.solicited(rs(BOOTING), from)).reason());
        clock.advance(Duration.ofSeconds(2));
        assertFalse(engine.standingDown());
        assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(BOOTING), from));
    }

    @Test
    void aForeignRoutersLongLifetimeHoldsLonger() throws Exception {
        boots.seen(BOOTING, clock.millis());
        engine.advertised(foreign(9000), ip("fe80::1"));
        clock.advance(NdpSettings.FOREIGN_HOLD.plusSeconds(1));
        boots.seen(BOOTING, clock.millis());
        assertTrue(engine.standingDown());
        assertEquals(Reason.FOREIGN_ROUTER, ((NdpDecision.Silence) engine.solicited(rs(BOOTING),
                ip("fe80::5054:ff:feaa:101"))).reason());
        clock.advance(Duration.ofSeconds(9000));
        assertFalse(engine.standingDown());
    }

    @Test
    void aRouterWithLifetimeZeroStillSilencesTheAnswer() throws Exception {
        // dnsmasq's ra-only mode, another boot server: not a default router, but a router on the segment.
        boots.seen(BOOTING, clock.millis());
        assertTrue(engine.advertised(foreign(0), ip("fe80::1")));
        assertEquals(Reason.FOREIGN_ROUTER, ((NdpDecision.Silence) engine.solicited(rs(BOOTING),
                ip("fe80::5054:ff:feaa:101"))).reason());
    }

    @Test
    void oneAnswerASecondPerMachine() throws Exception {
        MacAddress second = MacAddress.parse("52:54:00:aa:01:02");
        boots.seen(BOOTING, clock.millis());
        boots.seen(second, clock.millis());
        Inet6Address from = ip("fe80::5054:ff:feaa:101");
        assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(BOOTING), from));
        clock.advance(Duration.ofMillis(125)); // iPXE's second solicitation
        assertEquals(new NdpDecision.Silence(Reason.RATE_LIMITED, Optional.of(BOOTING)), engine.solicited(rs(BOOTING), from));
        // Another machine is not held back by the first.
        assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(second), ip("fe80::5054:ff:feaa:102")));
        clock.advance(NdpSettings.MIN_INTERVAL);
        assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(BOOTING), from));
    }

    @Test
    void answerRsFalseAnswersNobody() throws Exception {
        RouterAnswerEngine off = new RouterAnswerEngine(NdpSettings.defaults(false, SERVER), boots, clock, new Random(1));
        boots.seen(BOOTING, clock.millis());
        assertEquals(Reason.DISABLED, ((NdpDecision.Silence) off.solicited(rs(BOOTING),
                ip("fe80::5054:ff:feaa:101"))).reason());
    }

    @Test
    void delaysStayWithinMaxRaDelayTime() throws Exception {
        long max = 0;
        for (int i = 0; i < 200; i++) {
            MacAddress m = new MacAddress(0x525400000000L + i);
            boots.seen(m, clock.millis());
            NdpDecision.Answer a = (NdpDecision.Answer) engine.solicited(rs(m), ip("fe80::1:" + Integer.toHexString(i + 1)));
            assertTrue(a.delay().toMillis() >= 0 && a.delay().toMillis() <= 500, a.delay().toString());
            max = Math.max(max, a.delay().toMillis());
        }
        assertTrue(max > 250, "delays are spread over the range, max " + max);
    }

    @Test
    void aSolicitationJustBeforeTheDhcpRequestIsAnsweredOnTheSecondLook() throws Exception {
        Inet6Address from = ip("fe80::5054:ff:feaa:101");
        NdpDecision.Recheck r = assertInstanceOf(NdpDecision.Recheck.class, engine.solicited(rs(BOOTING), from));
        assertEquals(new NdpDecision.Recheck(Duration.ofMillis(50), 1, BOOTING), r);
        assertEquals(1, engine.pendingRechecks());
        clock.advance(Duration.ofMillis(3));
        boots.seen(BOOTING, clock.millis()); // its DISCOVER or Solicit, a few milliseconds later
        clock.advance(r.after().minusMillis(3));
        NdpDecision.Answer a = assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(BOOTING), from, 1));
        assertEquals(from, a.to());
        assertEquals(0, engine.pendingRechecks());
        // The retransmitted solicitation right after is within the minimum interval.
        assertEquals(Reason.RATE_LIMITED, ((NdpDecision.Silence) engine.solicited(rs(BOOTING), from)).reason());
    }

    @Test
    void theSecondLookComesOneSecondAfterTheSolicitationAndIsTheLast() throws Exception {
        Inet6Address from = ip("fe80::5054:ff:feaa:101");
        NdpDecision.Recheck r1 = (NdpDecision.Recheck) engine.solicited(rs(BOOTING), from);
        clock.advance(r1.after());
        NdpDecision.Recheck r2 = assertInstanceOf(NdpDecision.Recheck.class, engine.solicited(rs(BOOTING), from, 1));
        assertEquals(Duration.ofSeconds(1), r1.after().plus(r2.after()), "0.05 s, then 1 s after the solicitation");
        assertEquals(2, r2.attempt());
        assertEquals(1, engine.pendingRechecks());
        clock.advance(r2.after());
        boots.seen(BOOTING, clock.millis());
        assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(BOOTING), from, 2));
        NdpDecision.Recheck again = (NdpDecision.Recheck) engine.solicited(rs(STRANGER), ip("fe80::5054:ff:febb:202"));
        clock.advance(Duration.ofSeconds(1));
        engine.solicited(rs(STRANGER), ip("fe80::5054:ff:febb:202"), again.attempt());
        assertEquals(new NdpDecision.Silence(Reason.NOT_BOOTING, Optional.of(STRANGER)),
                engine.solicited(rs(STRANGER), ip("fe80::5054:ff:febb:202"), 2), "no third look");
        assertEquals(0, engine.pendingRechecks());
    }

    @Test
    void aFloodOfStrangersIsNotQueuedForSecondLooks() throws Exception {
        for (int i = 0; i < RouterAnswerEngine.MAX_PENDING; i++) {
            MacAddress m = new MacAddress(0x5254_0100_0000L + i);
            assertInstanceOf(NdpDecision.Recheck.class, engine.solicited(rs(m), ip("fe80::2:" + Integer.toHexString(i + 1))));
        }
        assertEquals(RouterAnswerEngine.MAX_PENDING, engine.pendingRechecks());
        assertEquals(new NdpDecision.Silence(Reason.NOT_BOOTING, Optional.of(STRANGER)),
                engine.solicited(rs(STRANGER), ip("fe80::5054:ff:febb:202")), "full: dropped at once");
        boots.seen(BOOTING, clock.millis());
        assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(BOOTING), ip("fe80::5054:ff:feaa:101")),
                "a booting machine is still answered");
        // A second look that ends frees its place.
        engine.solicited(rs(new MacAddress(0x5254_0100_0000L)), ip("fe80::2:1"), 2);
        assertInstanceOf(NdpDecision.Recheck.class, engine.solicited(rs(STRANGER), ip("fe80::5054:ff:febb:202")));
    }

    @Test
    void withoutRechecksANotBootingMachineIsSilencedAtOnce() throws Exception {
        NdpSettings d = NdpSettings.defaults(true, SERVER);
        RouterAnswerEngine once = new RouterAnswerEngine(new NdpSettings(true, SERVER, d.bootingWindow(),
                d.minInterval(), d.foreignHold(), d.maxDelay(), RaContent.NONE, List.of()), boots, clock, new Random(3));
        assertEquals(Reason.NOT_BOOTING, ((NdpDecision.Silence) once.solicited(rs(STRANGER),
                ip("fe80::5054:ff:febb:202"))).reason());
        assertEquals(0, once.pendingRechecks());
    }

    @Test
    void fullDhcp6AnswerSetsMAndOAndTheOnLinkPrefixWithoutSlaac() throws Exception {
        RaContent full = RaContent.full(ip("2001:db8:e2::1"), 64);
        RouterAnswerEngine e = new RouterAnswerEngine(NdpSettings.defaults(true, SERVER, full), boots, clock,
                new Random(5));
        boots.seen(BOOTING, clock.millis());
        RouterAdvertisement ra = assertInstanceOf(NdpDecision.Answer.class,
                e.solicited(rs(BOOTING), ip("fe80::5054:ff:feaa:101"))).advertisement();
        assertTrue(ra.managed() && ra.other(), "M = O = 1");
        assertEquals(0, ra.routerLifetime(), "never a default router");
        assertEquals(Optional.of(SERVER), ra.sourceLinkLayer());
        PrefixInformation p = ra.prefixInformation().get(0);
        assertEquals(ip("2001:db8:e2::"), p.prefix());
        assertEquals(64, p.length());
        assertTrue(p.onLink(), "L = 1: the server is reached directly");
        assertFalse(p.autonomous(), "A = 0: the DHCPv6 address only");
        assertEquals(1, ra.prefixes());
    }

    @Test
    void statelessDhcp6AnswerSetsOnlyOAndLetsHostsFormTheirAddressOnAslash64() throws Exception {
        RaContent sl = RaContent.stateless(ip("2001:db8:e2::1"), 64);
        assertFalse(sl.managed());
        assertTrue(sl.other());
        assertTrue(sl.prefix().onLink() && sl.prefix().autonomous());
        RaContent wide = RaContent.stateless(ip("2001:db8:e2::1"), 56);
        assertEquals(ip("2001:db8:e2::"), wide.prefix().prefix());
        assertFalse(wide.prefix().autonomous(), "no SLAAC on a /56 (RFC 4862 §5.5.3 d)");
        assertTrue(wide.prefix().onLink());
        assertEquals(RouterAdvertisement.nothingToConfigure(SERVER), RaContent.NONE.advertisement(SERVER));
    }

    @Test
    void aForeignRouterSilencesTheDhcp6AnswerToo() throws Exception {
        RouterAnswerEngine e = new RouterAnswerEngine(NdpSettings.defaults(true, SERVER,
                RaContent.full(ip("2001:db8:e2::1"), 64)), boots, clock, new Random(5));
        boots.seen(BOOTING, clock.millis());
        e.advertised(foreign(0), ip("fe80::1"));
        assertEquals(Reason.FOREIGN_ROUTER, ((NdpDecision.Silence) e.solicited(rs(BOOTING),
                ip("fe80::5054:ff:feaa:101"))).reason());
    }
}

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
        NdpDecision s = engine.solicited(rs(STRANGER), ip("fe80::5054:ff:feaa:101"));
        assertEquals(new NdpDecision.Silence(Reason.NOT_BOOTING, Optional.of(STRANGER)), s);
    }

    @Test
    void anUnknownMacGetsSilence() throws Exception {
        boots.seen(BOOTING, clock.millis());
        assertEquals(new NdpDecision.Silence(Reason.NOT_BOOTING, Optional.of(STRANGER)),
                engine.solicited(rs(STRANGER), ip("fe80::5054:ff:febb:202")));
    }

    @Test
    void aMachineSeenBootingLongAgoGetsSilence() throws Exception {
        boots.seen(BOOTING, clock.millis());
        clock.advance(NdpSettings.BOOTING_WINDOW);
        assertInstanceOf(NdpDecision.Answer.class, engine.solicited(rs(BOOTING), ip("fe80::5054:ff:feaa:101")));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Reason.NOT_BOOTING, ((NdpDecision.Silence) engine.solicited(rs(BOOTING),
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
}

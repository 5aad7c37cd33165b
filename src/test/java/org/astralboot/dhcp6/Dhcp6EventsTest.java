package org.astralboot.dhcp6;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.astralboot.dhcp.engine.DhcpSettings;
import org.astralboot.dhcp.engine.Firmware;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Dhcp6MessageType;
import org.astralboot.dhcp6.codec.Dhcp6Option;
import org.astralboot.dhcp6.codec.Duid;
import org.astralboot.dhcp6.engine.Dhcp6Engine;
import org.astralboot.dhcp6.engine.Dhcp6Firmware;
import org.astralboot.dhcp6.engine.Dhcp6Reply;
import org.astralboot.dhcp6.engine.Dhcp6Settings;
import org.astralboot.dhcp6.lease.Lease6Table;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.events.Events;
import org.astralboot.net.MacAddress;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

/** The events and counters of DHCPv6 exchanges, run through the real engine. */
class Dhcp6EventsTest {
    static final Duid SERVER_ID = Duid.ll(HexFormat.of().parseHex("525400060001"));
    static final MacAddress MAC = MacAddress.parse("52:54:00:17:00:01");
    static final Duid CLIENT = Duid.ll(HexFormat.of().parseHex("525400170001"));

    /** What the transport reported: events, and the counter calls as text. */
    static final class Recorded implements Events {
        final List<BootEvent> events = new ArrayList<>();
        final List<String> counts = new ArrayList<>();

        @Override
        public void emit(BootEvent e) {
            events.add(e);
        }

        @Override
        public void dhcp6Packet(int type, boolean received, long mac, boolean booting) {
            counts.add((received ? "in " : "out ") + Dhcp6MessageType.of(type) + (booting ? " booting" : ""));
        }

        @Override
        public void dhcp6Unanswered(String reason) {
            counts.add("unanswered " + reason);
        }

        @Override
        public void dhcp6Refused(int status) {
            counts.add("refused " + status);
        }
    }

    final Recorded rec = new Recorded();

    static Inet6Address ip(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    static Dhcp6Engine engine(String start, String end) throws Exception {
        Dhcp6Settings s = new Dhcp6Settings(ip("2001:db8:17::1"), SERVER_ID, Dhcp6Settings.Mode.FULL, ip(start), ip(end),
                Duration.ofHours(1), List.of(), 8080, new DhcpSettings.BootFiles("http://198.18.17.1:8080",
                        "undionly.kpxe", "ipxe.efi", "ipxe-ia32.efi", "ipxe-arm64.efi"));
        return new Dhcp6Engine(s, new Lease6Table(ip(start), ip(end), List.of(), l -> { }),
                new ManualClock(1_000_000_000L));
    }

    /** An iPXE client's message (user class iPXE, arch 7), to this server when {@code toUs}. */
    static Dhcp6Message ipxe(Dhcp6MessageType t, Duid client, boolean toUs) {
        List<Dhcp6Option> o = new ArrayList<>(List.of(new Dhcp6Option.ClientId(client),
                new Dhcp6Option.UserClass(List.of("iPXE")), new Dhcp6Option.ClientArch(List.of(7)),
                new Dhcp6Option.IaNa(1, 0, 0, List.of())));
        if (toUs) {
            o.add(new Dhcp6Option.ServerId(SERVER_ID));
        }
        return new Dhcp6Message(t, 0x42, o);
    }

    /** What the service does with one message: report it, run the engine, report the outcome. */
    void exchange(Dhcp6Engine e, Dhcp6Message req, MacAddress mac, long commitNanos) {
        Firmware fw = Dhcp6Firmware.of(req);
        Dhcp6Events.received(rec, req, mac, fw);
        Dhcp6Engine.Answer a = e.answer(req);
        if (a.reply() == null) {
            Dhcp6Events.unanswered(rec, req, mac, fw, a.silence().label, a.detail());
        } else {
            Dhcp6Reply r = a.reply();
            Dhcp6Events.sent(rec, req, r, mac, fw, r.leaseChanged() ? commitNanos : -1);
        }
    }

    @Test
    void aBootingClientsExchangeIsEventsOfItsMacAndEveryMessageIsCounted() throws Exception {
        Dhcp6Engine e = engine("2001:db8:17::100", "2001:db8:17::1ff");
        exchange(e, ipxe(Dhcp6MessageType.SOLICIT, CLIENT, false), MAC, 0);
        exchange(e, ipxe(Dhcp6MessageType.REQUEST, CLIENT, true), MAC, 1_500_000);
        assertEquals(List.of(Kind.DHCP6_SOLICIT, Kind.DHCP6_ADVERTISE, Kind.DHCP6_REQUEST, Kind.DHCP6_REPLY),
                rec.events.stream().map(BootEvent::kind).toList());
        for (BootEvent ev : rec.events) {
            assertEquals("52:54:00:17:00:01", ev.mac());
            assertEquals("efi-x64", ev.firmware());
        }
        BootEvent adv = rec.events.get(1);
        assertEquals("2001:db8:17::100", adv.ip());
        assertEquals("boot http://[2001:db8:17::1]:8080/boot.ipxe", adv.detail());
        BootEvent reply = rec.events.get(3);
        assertEquals("2001:db8:17::100", reply.ip());
        assertEquals("boot http://[2001:db8:17::1]:8080/boot.ipxe, binding committed in 1.5 ms", reply.detail());
        assertEquals("iPXE", rec.events.get(0).detail());
        assertEquals(List.of("in SOLICIT booting", "out ADVERTISE booting", "in REQUEST booting", "out REPLY booting"),
                rec.counts);
    }

    @Test
    void anOperatingSystemsClientIsCountedWithoutEvents() throws Exception {
        Dhcp6Engine e = engine("2001:db8:17::100", "2001:db8:17::1ff");
        Dhcp6Message solicit = new Dhcp6Message(Dhcp6MessageType.SOLICIT, 9, List.of(new Dhcp6Option.ClientId(CLIENT),
                new Dhcp6Option.IaNa(1, 0, 0, List.of())));
        exchange(e, solicit, MAC, 0);
        assertEquals(List.of(), rec.events);
        assertEquals(List.of("in SOLICIT", "out ADVERTISE"), rec.counts);
    }

    @Test
    void anExhaustedPoolIsARefusalWithItsStatus() throws Exception {
        Dhcp6Engine e = engine("2001:db8:17::100", "2001:db8:17::100");
        exchange(e, ipxe(Dhcp6MessageType.REQUEST, Duid.ll(HexFormat.of().parseHex("525400170099")), true),
                MacAddress.parse("52:54:00:17:00:99"), 0);
        rec.events.clear();
        rec.counts.clear();
        exchange(e, ipxe(Dhcp6MessageType.SOLICIT, CLIENT, false), MAC, 0);
        exchange(e, ipxe(Dhcp6MessageType.REQUEST, CLIENT, true), MAC, 0);
        assertEquals(List.of(Kind.DHCP6_SOLICIT, Kind.DHCP6_REFUSED, Kind.DHCP6_REQUEST, Kind.DHCP6_REFUSED),
                rec.events.stream().map(BootEvent::kind).toList());
        assertEquals("Advertise, no_addrs_avail (the pool is exhausted)", rec.events.get(1).detail());
        assertEquals("Reply, no_addrs_avail (the pool is exhausted)", rec.events.get(3).detail());
        assertTrue(rec.events.get(1).failure());
        assertEquals(List.of("in SOLICIT booting", "out ADVERTISE booting", "refused 2", "in REQUEST booting",
                "out REPLY booting", "refused 2"), rec.counts);
    }

    @Test
    void silencesAreCountedByReasonAndToldForBootingClients() throws Exception {
        Dhcp6Engine e = engine("2001:db8:17::100", "2001:db8:17::1ff");
        Dhcp6Message other = ipxe(Dhcp6MessageType.REQUEST, CLIENT, false);
        List<Dhcp6Option> o = new ArrayList<>(other.options());
        o.add(new Dhcp6Option.ServerId(Duid.ll(HexFormat.of().parseHex("525400000002"))));
        exchange(e, new Dhcp6Message(Dhcp6MessageType.REQUEST, 3, o), MAC, 0);
        assertEquals(List.of("in REQUEST booting", "unanswered other_server"), rec.counts);
        BootEvent ev = rec.events.get(1);
        assertEquals(Kind.DHCP6_UNANSWERED, ev.kind());
        assertTrue(ev.detail().startsWith("Request: for server "), ev.detail());

        rec.counts.clear();
        Dhcp6Events.unanswered(rec, null, null, null, Dhcp6Events.MALFORMED, "truncated option");
        assertEquals(List.of("unanswered malformed"), rec.counts);
        assertEquals(2, rec.events.size(), "a datagram that did not decode makes no event");
    }

    @Test
    void releaseAndDeclineOfABootingClient() throws Exception {
        Dhcp6Engine e = engine("2001:db8:17::100", "2001:db8:17::1ff");
        exchange(e, ipxe(Dhcp6MessageType.REQUEST, CLIENT, true), MAC, 0);
        rec.events.clear();
        Dhcp6Message decline = new Dhcp6Message(Dhcp6MessageType.DECLINE, 4, List.of(new Dhcp6Option.ClientId(CLIENT),
                new Dhcp6Option.ServerId(SERVER_ID), new Dhcp6Option.UserClass(List.of("iPXE")),
                new Dhcp6Option.IaNa(1, 0, 0, List.of(new Dhcp6Option.IaAddress(ip("2001:db8:17::100"), 0, 0,
                        List.of())))));
        exchange(e, decline, MAC, 2_000_000);
        assertEquals(List.of(Kind.DHCP6_DECLINE, Kind.DHCP6_REPLY), rec.events.stream().map(BootEvent::kind).toList());
        assertEquals("2001:db8:17::100", rec.events.get(0).ip());
        assertTrue(rec.events.get(0).failure(), "a conflict on the link is an error to see");
        assertEquals("to Decline, binding committed in 2.0 ms", rec.events.get(1).detail());
    }
}

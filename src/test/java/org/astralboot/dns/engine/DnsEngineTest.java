package org.astralboot.dns.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.astralboot.net.HostInfo;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsEngineTest {
    private static final Inet4Address SERVER = Ipv4.parse("192.0.2.1");
    private static final Map<String, String> LEASES = Map.of("node12", "192.0.2.12", "db1", "192.0.2.50");

    /** The lease table as the engine sees it: names held now. */
    private static final HostLookup HOSTS = new HostLookup() {
        @Override
        public Optional<HostInfo> byMac(MacAddress mac) {
            return Optional.empty();
        }

        @Override
        public Optional<HostInfo> byAddress(Inet4Address address) {
            return Optional.empty();
        }

        @Override
        public Optional<Inet4Address> addressNamed(String hostname) {
            return Optional.ofNullable(LEASES.get(hostname)).map(Ipv4::parse);
        }

        @Override
        public Optional<String> nameAt(Inet4Address address) {
            return LEASES.entrySet().stream().filter(e -> e.getValue().equals(Ipv4.text(address))).map(Map.Entry::getKey)
                    .findFirst();
        }
    };

    private static DnsEngine engine(List<InetSocketAddress> upstream, int prefix) {
        return new DnsEngine(new DnsSettings(Name.fromConstantString("lab.example."), SERVER,
                Ipv4Subnet.of(SERVER, prefix), upstream, 60, 7), HOSTS);
    }

    private static final DnsEngine ENGINE = engine(List.of(), 24);

    private static Message query(String name, int type) {
        return Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, DClass.IN));
    }

    private static Message reply(DnsEngine e, Message q) {
        return assertInstanceOf(DnsDecision.Reply.class, e.decide(q)).message();
    }

    private static Message reply(String name, int type) {
        return reply(ENGINE, query(name, type));
    }

    @Test
    void leaseNamesResolveCaseInsensitively() {
        Message m = reply("NODE12.Lab.Example.", Type.A);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertTrue(m.getHeader().getFlag(Flags.AA));
        ARecord a = (ARecord) m.getSectionArray(Section.ANSWER)[0];
        assertEquals("192.0.2.12", a.getAddress().getHostAddress());
        assertEquals(60, a.getTTL());
    }

    @Test
    void theServerHasTwoNames() {
        for (String n : List.of("astralboot.lab.example.", "ns.lab.example.")) {
            ARecord a = (ARecord) reply(n, Type.A).getSectionArray(Section.ANSWER)[0];
            assertEquals("192.0.2.1", a.getAddress().getHostAddress());
        }
    }

    @Test
    void unknownNamesInTheZoneAreNxdomainWithTheSoa() {
        for (String n : List.of("node99.lab.example.", "x.node12.lab.example.")) {
            Message m = reply(n, Type.A);
            assertEquals(Rcode.NXDOMAIN, m.getRcode(), n);
            assertTrue(m.getHeader().getFlag(Flags.AA));
            assertEquals(0, m.getSectionArray(Section.ANSWER).length);
            assertInstanceOf(SOARecord.class, m.getSectionArray(Section.AUTHORITY)[0]);
        }
    }

    @Test
    void otherTypesOfAKnownNameAreNodata() {
        Message m = reply("node12.lab.example.", Type.AAAA);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(0, m.getSectionArray(Section.ANSWER).length);
        assertInstanceOf(SOARecord.class, m.getSectionArray(Section.AUTHORITY)[0]);
    }

    @Test
    void theApexHasSoaAndNs() {
        SOARecord soa = (SOARecord) reply("lab.example.", Type.SOA).getSectionArray(Section.ANSWER)[0];
        assertEquals(Name.fromConstantString("ns.lab.example."), soa.getHost());
        assertEquals(7, soa.getSerial());
        Message ns = reply("lab.example.", Type.NS);
        assertEquals(Type.NS, ns.getSectionArray(Section.ANSWER)[0].getType());
        assertEquals("192.0.2.1", ((ARecord) ns.getSectionArray(Section.ADDITIONAL)[0]).getAddress().getHostAddress());
    }

    @Test
    void leasedAddressesHavePtrRecords() throws Exception {
        Message m = reply(ReverseMap.fromAddress("192.0.2.12").toString(), Type.PTR);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(Name.fromConstantString("node12.lab.example."),
                ((PTRRecord) m.getSectionArray(Section.ANSWER)[0]).getTarget());
        assertEquals(Name.fromConstantString("astralboot.lab.example."),
                ((PTRRecord) reply("1.2.0.192.in-addr.arpa.", Type.PTR).getSectionArray(Section.ANSWER)[0]).getTarget());
        Message free = reply("77.2.0.192.in-addr.arpa.", Type.PTR);
        assertEquals(Rcode.NXDOMAIN, free.getRcode());
        assertTrue(free.getHeader().getFlag(Flags.AA));
        assertEquals(Name.fromConstantString("2.0.192.in-addr.arpa."), free.getSectionArray(Section.AUTHORITY)[0].getName());
    }

    @Test
    void reverseNamesOutsideTheSubnetAreNotOurs() {
        assertEquals(Rcode.REFUSED, reply("1.3.0.192.in-addr.arpa.", Type.PTR).getRcode());
        assertEquals(Rcode.REFUSED, reply("0.192.in-addr.arpa.", Type.SOA).getRcode());
        // A /20 spans sixteen /24 reverse zones: 192.0.16.0/20 holds 192.0.31.x but not 192.0.32.x.
        DnsEngine wide = new DnsEngine(new DnsSettings(Name.fromConstantString("lab.example."), Ipv4.parse("192.0.16.1"),
                Ipv4Subnet.of(Ipv4.parse("192.0.16.1"), 20), List.of(), 60, 7), HOSTS);
        assertEquals(Rcode.NXDOMAIN, reply(wide, query("9.31.0.192.in-addr.arpa.", Type.PTR)).getRcode());
        assertEquals(Rcode.REFUSED, reply(wide, query("9.32.0.192.in-addr.arpa.", Type.PTR)).getRcode());
    }

    @Test
    void otherNamesAreRefusedWithoutUpstreamAndForwardedWithIt() {
        Message m = reply("example.org.", Type.A);
        assertEquals(Rcode.REFUSED, m.getRcode());
        assertFalse(m.getHeader().getFlag(Flags.AA));
        DnsEngine fwd = engine(List.of(new InetSocketAddress("198.18.0.53", 53)), 24);
        DnsDecision.Forward f = assertInstanceOf(DnsDecision.Forward.class, fwd.decide(query("example.org.", Type.A)));
        assertEquals(Rcode.SERVFAIL, f.fallback().getRcode());
        // Our own names are never forwarded.
        assertInstanceOf(DnsDecision.Reply.class, fwd.decide(query("node99.lab.example.", Type.A)));
    }

    @Test
    void protocolErrors() {
        Message notify = query("lab.example.", Type.SOA);
        notify.getHeader().setOpcode(Opcode.NOTIFY);
        assertEquals(Rcode.NOTIMP, reply(ENGINE, notify).getRcode());

        Message two = query("lab.example.", Type.SOA);
        two.addRecord(Record.newRecord(Name.fromConstantString("node12.lab.example."), Type.A, DClass.IN), Section.QUESTION);
        assertEquals(Rcode.FORMERR, reply(ENGINE, two).getRcode());

        Message v1 = query("lab.example.", Type.SOA);
        v1.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
        Message badvers = reply(ENGINE, v1);
        assertEquals(Rcode.BADVERS, badvers.getRcode());

        assertEquals(Rcode.REFUSED, reply(ENGINE, Message.newQuery(
                Record.newRecord(Name.fromConstantString("node12.lab.example."), Type.A, DClass.CH))).getRcode());
    }

    @Test
    void answersEchoTheQuery() {
        Message q = query("node12.lab.example.", Type.A);
        q.getHeader().setID(4242);
        q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        Message m = reply(ENGINE, q);
        assertEquals(4242, m.getHeader().getID());
        assertTrue(m.getHeader().getFlag(Flags.QR));
        assertTrue(m.getHeader().getFlag(Flags.RD));
        assertEquals(q.getQuestion(), m.getQuestion());
        assertEquals(1232, m.getOPT().getPayloadSize());
    }
}

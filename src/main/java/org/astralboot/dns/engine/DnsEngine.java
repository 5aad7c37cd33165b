package org.astralboot.dns.engine;

import java.net.Inet4Address;
import java.util.Locale;
import java.util.Optional;
import org.astralboot.dns.codec.DnsCodec;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Decides the answer to one DNS query: pure (no I/O), thread-safe, reading machine names through
 * {@link HostLookup} so answers follow the lease table at once.
 *
 * <p>Authoritative (AA) for the boot zone and for the interface's reverse zone(s) (RFC 1035 §6.1):
 * {@code astralboot.<zone>} and {@code ns.<zone>} are this server; {@code <host>.<zone>} is the
 * machine holding that DHCP host name now; the apex has SOA and NS; a name in a zone that nobody
 * holds is NXDOMAIN and an existing name without the asked type NODATA, both with the SOA for
 * negative caching (RFC 2308 §3). Names elsewhere are forwarded when upstream servers are set,
 * else REFUSED (RFC 1035 §4.1.1). Opcodes other than QUERY get NOTIMP; a query without exactly one
 * question FORMERR; an EDNS version other than 0 BADVERS (RFC 6891 §6.1.3).
 */
public final class DnsEngine {
    private static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");
    private static final long SOA_REFRESH = 3600;
    private static final long SOA_RETRY = 600;
    private static final long SOA_EXPIRE = 86400;

    private final DnsSettings s;
    private final HostLookup hosts;
    private final Name server;
    private final Name ns;
    private final Name hostmaster;
    /** Octets of the address that name a reverse zone: the subnet's prefix rounded up to whole octets. */
    private final int reverseOctets;

    public DnsEngine(DnsSettings settings, HostLookup hosts) {
        this.s = settings;
        this.hosts = hosts;
        this.server = child("astralboot", settings.zone());
        this.ns = child("ns", settings.zone());
        this.hostmaster = child("hostmaster", settings.zone());
        this.reverseOctets = Math.max(1, (settings.subnet().prefixLength() + 7) / 8);
    }

    private static Name child(String label, Name zone) {
        try {
            return Name.concatenate(Name.fromString(label), zone);
        } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
            throw new IllegalArgumentException("zone " + zone + ": " + e.getMessage(), e);
        }
    }

    /** The decision for {@code query}, a decoded message with QR clear. */
    public DnsDecision decide(Message query) {
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            return reply(DnsCodec.error(query.getHeader(), Rcode.NOTIMP));
        }
        Record[] questions = query.getSectionArray(Section.QUESTION);
        if (questions.length != 1) {
            return reply(DnsCodec.error(query.getHeader(), Rcode.FORMERR));
        }
        OPTRecord opt = query.getOPT();
        if (opt != null && opt.getVersion() != 0) {
            Message m = DnsCodec.error(query.getHeader(), Rcode.BADVERS & 0xF);
            m.addRecord(new OPTRecord(DnsCodec.MAX_UDP_PAYLOAD, Rcode.BADVERS >>> 4, 0), Section.ADDITIONAL);
            return reply(m);
        }
        Record q = questions[0];
        Name name = q.getName();
        if (name.subdomain(s.zone())) {
            return inZone(query, q, s.zone());
        }
        Optional<Name> reverse = reverseZone(name);
        if (reverse.isPresent()) {
            return inReverse(query, q, reverse.get());
        }
        if (s.upstream().isEmpty()) {
            return reply(answer(query, false, Rcode.REFUSED));
        }
        return new DnsDecision.Forward(query, answer(query, false, Rcode.SERVFAIL));
    }

    private DnsDecision inZone(Message query, Record q, Name zone) {
        if (q.getDClass() != DClass.IN && q.getDClass() != DClass.ANY) {
            return reply(answer(query, false, Rcode.REFUSED));
        }
        Name name = q.getName();
        int type = q.getType();
        if (name.equals(zone)) {
            return reply(apex(query, type, zone));
        }
        Optional<Inet4Address> address = Optional.empty();
        if (name.labels() == zone.labels() + 1) {
            String label = name.getLabelString(0).toLowerCase(Locale.ROOT);
            address = name.equals(server) || name.equals(ns) ? Optional.of(s.server()) : hosts.addressNamed(label);
        }
        if (address.isEmpty()) {
            return reply(negative(query, zone, Rcode.NXDOMAIN));
        }
        if (type != Type.A && type != Type.ANY) {
            return reply(negative(query, zone, Rcode.NOERROR));
        }
        Message m = answer(query, true, Rcode.NOERROR);
        m.addRecord(new ARecord(name, DClass.IN, s.ttl(), address.get()), Section.ANSWER);
        return reply(m);
    }

    private Message apex(Message query, int type, Name zone) {
        Message m = answer(query, true, Rcode.NOERROR);
        boolean any = type == Type.ANY;
        if (type == Type.SOA || any) {
            m.addRecord(soa(zone), Section.ANSWER);
        }
        if (type == Type.NS || any) {
            m.addRecord(new NSRecord(zone, DClass.IN, s.ttl(), ns), Section.ANSWER);
            m.addRecord(new ARecord(ns, DClass.IN, s.ttl(), s.server()), Section.ADDITIONAL);
        }
        if (m.getSectionArray(Section.ANSWER).length == 0) {
            m.addRecord(soa(zone), Section.AUTHORITY);
        }
        return m;
    }

    /**
     * The reverse zone of the interface's subnet that holds {@code name}: {@code name} ends in
     * in-addr.arpa and its first {@link #reverseOctets} octets lie in the subnet.
     */
    private Optional<Name> reverseZone(Name name) {
        if (!name.subdomain(IN_ADDR_ARPA)) {
            return Optional.empty();
        }
        int octets = name.labels() - IN_ADDR_ARPA.labels();
        if (octets < reverseOctets) {
            return Optional.empty();
        }
        int address = 0;
        for (int i = 0; i < reverseOctets; i++) {
            Integer o = octet(name.getLabelString(octets - 1 - i));
            if (o == null) {
                return Optional.empty();
            }
            address |= o << (24 - 8 * i);
        }
        int mask = s.subnet().maskInt();
        int zoneMask = (int) (0xFFFFFFFFL << (32 - 8 * reverseOctets));
        // The zone's addresses and the subnet's overlap: the zone is ours.
        int both = mask & zoneMask;
        if ((address & both) != (Ipv4.toInt(s.subnet().network()) & both)) {
            return Optional.empty();
        }
        return Optional.of(new Name(name, octets - reverseOctets));
    }

    private static Integer octet(String label) {
        if (label.isEmpty() || label.length() > 3 || !label.chars().allMatch(c -> c >= '0' && c <= '9')
                || (label.length() > 1 && label.charAt(0) == '0')) {
            return null;
        }
        int v = Integer.parseInt(label);
        return v <= 255 ? v : null;
    }

    private DnsDecision inReverse(Message query, Record q, Name zone) {
        if (q.getDClass() != DClass.IN && q.getDClass() != DClass.ANY) {
            return reply(answer(query, false, Rcode.REFUSED));
        }
        Name name = q.getName();
        if (name.equals(zone)) {
            return reply(apex(query, q.getType(), zone));
        }
        Optional<Name> target = Optional.empty();
        if (name.labels() - IN_ADDR_ARPA.labels() == 4) {
            int address = 0;
            boolean ok = true;
            for (int i = 0; i < 4 && ok; i++) {
                Integer o = octet(name.getLabelString(3 - i));
                ok = o != null;
                address |= ok ? o << (24 - 8 * i) : 0;
            }
            if (ok && s.subnet().contains(Ipv4.fromInt(address))) {
                target = ptrTarget(address);
            }
        }
        if (target.isEmpty()) {
            return reply(negative(query, zone, Rcode.NXDOMAIN));
        }
        if (q.getType() != Type.PTR && q.getType() != Type.ANY) {
            return reply(negative(query, zone, Rcode.NOERROR));
        }
        Message m = answer(query, true, Rcode.NOERROR);
        m.addRecord(new PTRRecord(name, DClass.IN, s.ttl(), target.get()), Section.ANSWER);
        return reply(m);
    }

    private Optional<Name> ptrTarget(int address) {
        if (address == Ipv4.toInt(s.server())) {
            return Optional.of(server);
        }
        Inet4Address a = Ipv4.fromInt(address);
        return hosts.nameAt(a).flatMap(h -> {
            try {
                return Optional.of(Name.concatenate(Name.fromString(h), s.zone()));
            } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
                return Optional.empty(); // not a DNS label: the DHCP side checks names, so not expected
            }
        });
    }

    private SOARecord soa(Name zone) {
        return new SOARecord(zone, DClass.IN, s.ttl(), ns, hostmaster, s.serial(), SOA_REFRESH, SOA_RETRY,
                SOA_EXPIRE, s.ttl());
    }

    /** NXDOMAIN or NODATA: no answer, the zone's SOA in authority for negative caching (RFC 2308 §3). */
    private Message negative(Message query, Name zone, int rcode) {
        Message m = answer(query, true, rcode);
        m.addRecord(soa(zone), Section.AUTHORITY);
        return m;
    }

    /** An empty answer to {@code query}: id, question, RD copied, AA when ours, OPT when the query had one. */
    private static Message answer(Message query, boolean authoritative, int rcode) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) {
            m.getHeader().setFlag(Flags.RD);
        }
        if (authoritative) {
            m.getHeader().setFlag(Flags.AA);
        }
        m.getHeader().setRcode(rcode);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        if (query.getOPT() != null) {
            m.addRecord(new OPTRecord(DnsCodec.MAX_UDP_PAYLOAD, 0, 0), Section.ADDITIONAL);
        }
        return m;
    }

    private static DnsDecision reply(Message m) {
        return new DnsDecision.Reply(m);
    }
}

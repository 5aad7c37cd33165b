package org.astralboot.dns.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsCodecTest {
    /**
     * {@code dig @127.0.0.1 -p 5399 node12.lab.example A} as DiG 9.18.49-1~deb12u3-Debian sent it
     * (captured with a UDP socket): id 0xa2ae, RD and AD, one question, an EDNS0 OPT with payload
     * 1232 and a client cookie.
     */
    static final byte[] DIG_QUERY = HexFormat.of().parseHex(
            "a2ae01200001000000000001066e6f64653132036c6162076578616d706c65000001000100002904d0"
            + "00000000000c000a00086ab6665f7c29718e");

    @Test
    void decodesDigsQuery() {
        DnsCodec.Query q = assertInstanceOf(DnsCodec.Query.class, DnsCodec.decode(DIG_QUERY, DIG_QUERY.length));
        assertEquals(0xa2ae, q.message().getHeader().getID());
        assertEquals(Name.fromConstantString("node12.lab.example."), q.message().getQuestion().getName());
        assertEquals(1232, DnsCodec.udpLimit(q.message()));
    }

    @Test
    void everyTruncationIsIgnoredOrFormerrNeverAnException() {
        for (int n = 0; n < DIG_QUERY.length; n++) {
            DnsCodec.Decoded d = DnsCodec.decode(Arrays.copyOf(DIG_QUERY, n), n);
            if (n < DnsCodec.HEADER_BYTES) {
                assertInstanceOf(DnsCodec.Ignored.class, d, "length " + n);
            } else {
                DnsCodec.Malformed m = assertInstanceOf(DnsCodec.Malformed.class, d, "length " + n);
                assertEquals(Rcode.FORMERR, m.reply().getRcode());
                assertEquals(0xa2ae, m.reply().getHeader().getID());
                assertTrue(m.reply().getHeader().getFlag(Flags.QR));
            }
        }
    }

    @Test
    void randomBytesNeverThrow() {
        Random r = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = i % 2 == 0 ? new byte[r.nextInt(600)] : DIG_QUERY.clone();
            if (i % 2 == 0) {
                r.nextBytes(b);
            } else {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            if (b.length > 2) {
                b[2] &= 0x7f; // queries, not responses
            }
            DnsCodec.decode(b, b.length);
        }
    }

    @Test
    void responsesAreIgnored() {
        byte[] b = DIG_QUERY.clone();
        b[2] |= (byte) 0x80;
        assertInstanceOf(DnsCodec.Ignored.class, DnsCodec.decode(b, b.length));
    }

    @Test
    void largeAnswersAreTruncatedWithTc() throws Exception {
        Message m = Message.newQuery(Record.newRecord(Name.fromConstantString("many.lab.example."), Type.A, DClass.IN));
        m.getHeader().setFlag(Flags.QR);
        for (int i = 0; i < 100; i++) {
            m.addRecord(new ARecord(Name.fromConstantString("many.lab.example."), DClass.IN, 60,
                    java.net.InetAddress.getByName("192.0.2." + (i + 1))), Section.ANSWER);
        }
        byte[] udp = DnsCodec.encode(m, DnsCodec.CLASSIC_UDP_PAYLOAD);
        assertTrue(udp.length <= 512, udp.length + " bytes");
        assertTrue(new Message(udp).getHeader().getFlag(Flags.TC));
        byte[] tcp = DnsCodec.encode(m, DnsCodec.MAX_TCP_MESSAGE);
        assertEquals(100, new Message(tcp).getSectionArray(Section.ANSWER).length);
        assertTrue(!new Message(tcp).getHeader().getFlag(Flags.TC));
        Message withOpt = Message.newQuery(Record.newRecord(Name.root, Type.A, DClass.IN));
        withOpt.addRecord(new OPTRecord(65000, 0, 0), Section.ADDITIONAL);
        assertEquals(DnsCodec.MAX_UDP_PAYLOAD, DnsCodec.udpLimit(withOpt));
        withOpt = Message.newQuery(Record.newRecord(Name.root, Type.A, DClass.IN));
        withOpt.addRecord(new OPTRecord(100, 0, 0), Section.ADDITIONAL);
        assertEquals(DnsCodec.CLASSIC_UDP_PAYLOAD, DnsCodec.udpLimit(withOpt));
    }
}

package org.astralboot.dns.codec;

import java.io.IOException;
import java.util.Optional;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;

/**
 * DNS messages to and from bytes (RFC 1035 §4), with dnsjava doing the wire format. No I/O.
 * Knows the two things the server needs beyond dnsjava: what to answer to bytes that are not a
 * message (a FORMERR when at least the header could be read, else nothing), and how to fit an
 * answer into a UDP payload limit (truncated, with TC set, RFC 2181 §9).
 */
public final class DnsCodec {
    /** The fixed header: id, flags and four counts (RFC 1035 §4.1.1). */
    public static final int HEADER_BYTES = 12;
    /** Without EDNS0 a UDP answer holds at most 512 bytes (RFC 1035 §2.3.4). */
    public static final int CLASSIC_UDP_PAYLOAD = 512;
    /** The largest EDNS0 UDP payload this server sends: the 2020 DNS flag day's value, no IP fragments. */
    public static final int MAX_UDP_PAYLOAD = 1232;
    /** A DNS message over TCP is prefixed by a 16-bit length (RFC 1035 §4.2.2). */
    public static final int MAX_TCP_MESSAGE = 65535;

    private DnsCodec() {
    }

    /** The outcome of decoding a datagram or TCP message. */
    public sealed interface Decoded {
    }

    /** A well-formed message. */
    public record Query(Message message) implements Decoded {
    }

    /**
     * Not a valid message but with a readable header: answer FORMERR with {@link #reply} (RFC 1035
     * §4.1.1 RCODE 1), so the client stops waiting.
     */
    public record Malformed(Message reply, String why) implements Decoded {
    }

    /** Too short for a header, or itself a response: nothing can or should be answered. */
    public record Ignored(String why) implements Decoded {
    }

    /** Decodes {@code bytes}; never throws. */
    public static Decoded decode(byte[] bytes, int length) {
        if (length < HEADER_BYTES) {
            return new Ignored(length + " bytes, shorter than a DNS header");
        }
        byte[] b = length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
        Header h;
        try {
            h = new Header(java.util.Arrays.copyOf(b, HEADER_BYTES));
        } catch (IOException e) {
            return new Ignored("unreadable header: " + e.getMessage());
        }
        if (h.getFlag(Flags.QR)) {
            // Answering a response could start a loop between two servers.
            return new Ignored("a response (QR set), not a query");
        }
        try {
            return new Query(new Message(b));
        } catch (IOException | RuntimeException e) {
            return new Malformed(error(h, Rcode.FORMERR), e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** An answer with only the header of {@code query}: its id, opcode and RD flag, QR set, {@code rcode}. */
    public static Message error(Header query, int rcode) {
        Message m = new Message(query.getID());
        Header h = m.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(query.getOpcode() == Opcode.QUERY ? Opcode.QUERY : query.getOpcode());
        if (query.getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        h.setRcode(rcode);
        return m;
    }

    /**
     * The wire form of {@code reply} in at most {@code limit} bytes: whole RRsets are left out from
     * the end and TC is set when it does not fit (dnsjava's truncation, RFC 2181 §9), so a UDP client
     * retries over TCP.
     */
    public static byte[] encode(Message reply, int limit) {
        return reply.toWire(limit);
    }

    /** The UDP payload the client accepts: its EDNS0 size (RFC 6891 §6.2.3) capped at ours, else 512. */
    public static int udpLimit(Message query) {
        return Optional.ofNullable(query.getOPT())
                .map(o -> Math.max(CLASSIC_UDP_PAYLOAD, Math.min(o.getPayloadSize(), MAX_UDP_PAYLOAD)))
                .orElse(CLASSIC_UDP_PAYLOAD);
    }
}

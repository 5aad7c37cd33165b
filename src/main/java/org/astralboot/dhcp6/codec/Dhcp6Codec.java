package org.astralboot.dhcp6.codec;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes and encodes DHCPv6 client/server messages (RFC 8415 §8, §21; RFC 5970 §3) and the relay
 * messages that carry them (RFC 8415 §9, §21.10, §21.18; RFC 6939). No I/O, no state: safe from any
 * thread.
 *
 * <p>{@link #decode} never throws: a datagram shorter than the 4-byte header (34 for a relay
 * message), an option header or length running past the end of the message or of its enclosing
 * option, or an option whose length does not fit its format (RFC 8415 §21, e.g. ELAPSED_TIME not 2
 * bytes, an ORO of odd length, a DUID shorter than its type needs) is a {@link
 * Dhcp6Decoded.Malformed} naming the fault; so is a relay message without exactly one Relay Message
 * option, one carrying a message of the other direction (a Relay-forward carries a client message or
 * a Relay-forward, a Relay-reply a server message or a Relay-reply), or more than {@link
 * Dhcp6Relay#MAX_LAYERS} relay messages nested. A message type RFC 8415 does not define is {@link
 * Dhcp6Decoded.Unsupported} at the top, malformed inside a relay message. Encapsulated options are
 * decoded inside IA_NA and IAADDR (RFC 8415 §21.4, §21.6) and relay messages only; IA_TA, IA_PD and
 * every other option are kept as {@link Dhcp6Option.Unknown}.
 */
public final class Dhcp6Codec {
    /** msg-type (1) + transaction-id (3), RFC 8415 §8. */
    public static final int HEADER_LENGTH = 4;
    /** {@code depth} of a relay message's own options. */
    private static final int RELAY = 3;

    private Dhcp6Codec() {
    }

    /** Decodes the whole of {@code b}. */
    public static Dhcp6Decoded decode(byte[] b) {
        return decode(b, 0, b.length);
    }

    /** Decodes {@code len} bytes of {@code b} from {@code off}. */
    public static Dhcp6Decoded decode(byte[] b, int off, int len) {
        if (b == null || off < 0 || len < 0 || off > b.length - len) {
            return new Dhcp6Decoded.Malformed("bad buffer bounds");
        }
        if (len < 1) {
            return new Dhcp6Decoded.Malformed("empty datagram");
        }
        int code = b[off] & 0xFF;
        if (Dhcp6MessageType.of(code) == null) {
            return new Dhcp6Decoded.Unsupported("message type " + code + " is not defined by RFC 8415");
        }
        String[] why = new String[1];
        Dhcp6Packet p = packet(b, off, len, 0, null, why);
        if (p == null) {
            return new Dhcp6Decoded.Malformed(why[0]);
        }
        return p instanceof Dhcp6Relay r ? new Dhcp6Decoded.Relayed(r) : new Dhcp6Decoded.Ok((Dhcp6Message) p);
    }

    /**
     * The message in [off, off+len), or {@code null} with the fault in {@code why[0]}.
     *
     * @param layer  relay messages around this one
     * @param within the type of the relay message carrying this one, or {@code null} at the top
     */
    private static Dhcp6Packet packet(byte[] b, int off, int len, int layer, Dhcp6MessageType within, String[] why) {
        if (len < 1) {
            why[0] = "empty relayed message";
            return null;
        }
        int code = b[off] & 0xFF;
        Dhcp6MessageType type = Dhcp6MessageType.of(code);
        if (type == null) {
            why[0] = "message type " + code + " is not defined by RFC 8415";
            return null;
        }
        boolean relay = type == Dhcp6MessageType.RELAY_FORW || type == Dhcp6MessageType.RELAY_REPL;
        if (within != null && (relay ? type != within : (within == Dhcp6MessageType.RELAY_FORW) != clientType(type))) {
            why[0] = type + " inside a " + within + " (RFC 8415 §9)";
            return null;
        }
        if (!relay) {
            return message(b, off, len, type, why);
        }
        if (layer >= Dhcp6Relay.MAX_LAYERS) {
            why[0] = "more than " + Dhcp6Relay.MAX_LAYERS + " relay messages nested (RFC 8415 §7.6 HOP_COUNT_LIMIT "
                    + Dhcp6Relay.HOP_COUNT_LIMIT + ")";
            return null;
        }
        if (len < Dhcp6Relay.HEADER_LENGTH) {
            why[0] = type + " truncated: " + len + " bytes, the header alone has " + Dhcp6Relay.HEADER_LENGTH;
            return null;
        }
        int hops = b[off + 1] & 0xFF;
        if (type == Dhcp6MessageType.RELAY_FORW && hops > Dhcp6Relay.HOP_COUNT_LIMIT) {
            why[0] = type + " hop-count " + hops + " above HOP_COUNT_LIMIT " + Dhcp6Relay.HOP_COUNT_LIMIT
                    + " (RFC 8415 §7.6, §19.1.2)";
            return null;
        }
        List<Dhcp6Option> options = new ArrayList<>();
        String fault = parseOptions(b, off + Dhcp6Relay.HEADER_LENGTH, off + len, RELAY, layer, type, options);
        String where = type + " hop " + hops;
        if (fault != null) {
            why[0] = where + ": " + fault;
            return null;
        }
        long relayed = options.stream().filter(Dhcp6Option.RelayMessage.class::isInstance).count();
        if (relayed != 1) {
            why[0] = where + ": " + (relayed == 0 ? "no" : relayed) + " Relay Message options, exactly one"
                    + " (RFC 8415 §9)";
            return null;
        }
        return new Dhcp6Relay(type, hops, inet6(b, off + 2), inet6(b, off + 18), options);
    }

    /** Whether a client sends {@code t} (RFC 8415 §7.3): what a Relay-forward may carry. */
    private static boolean clientType(Dhcp6MessageType t) {
        return switch (t) {
            case SOLICIT, REQUEST, CONFIRM, RENEW, REBIND, RELEASE, DECLINE, INFORMATION_REQUEST -> true;
            default -> false;
        };
    }

    /** A client/server message of {@code type} in [off, off+len). */
    private static Dhcp6Message message(byte[] b, int off, int len, Dhcp6MessageType type, String[] why) {
        if (len < HEADER_LENGTH) {
            why[0] = "truncated: " + len + " bytes, the header alone has 4";
            return null;
        }
        int xid = ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
        List<Dhcp6Option> options = new ArrayList<>();
        String fault = parseOptions(b, off + HEADER_LENGTH, off + len, 0, 0, null, options);
        if (fault != null) {
            why[0] = type + " " + String.format("%06x", xid) + ": " + fault;
            return null;
        }
        return new Dhcp6Message(type, xid, options);
    }

    /**
     * Parses the options in [from, to) into {@code out}; returns the fault, or {@code null}.
     *
     * @param depth 0 for the message, 1 inside IA_NA, 2 inside IAADDR, {@link #RELAY} for a relay message
     * @param layer relay messages around these options
     * @param relay with {@link #RELAY}: the relay message's type
     */
    private static String parseOptions(byte[] b, int from, int to, int depth, int layer, Dhcp6MessageType relay,
            List<Dhcp6Option> out) {
        int i = from;
        while (i < to) {
            if (to - i < 4) {
                return "option header truncated at offset " + (i - from) + " (" + (to - i) + " of 4 bytes)";
            }
            int code = u16(b, i);
            int olen = u16(b, i + 2);
            if (olen > to - i - 4) {
                return "option " + code + " length " + olen + " overruns "
                        + (depth == 0 || depth == RELAY ? "the message" : "its IA")
                        + " by " + (olen - (to - i - 4)) + " bytes";
            }
            String[] why = new String[1];
            Dhcp6Option o = option(b, i + 4, olen, code, depth, layer, relay, why);
            if (o == null) {
                return "option " + code + " (" + name(code) + "): " + why[0];
            }
            out.add(o);
            i += 4 + olen;
        }
        return null;
    }

    private static String name(int code) {
        Dhcp6OptionCode c = Dhcp6OptionCode.of(code);
        return c == null ? "unknown" : c.name();
    }

    /** One option's data at [p, p+n); {@code null} with the reason in {@code why[0]}. */
    private static Dhcp6Option option(byte[] b, int p, int n, int code, int depth, int layer, Dhcp6MessageType relay,
            String[] why) {
        Dhcp6OptionCode c = Dhcp6OptionCode.of(code);
        if (c == null) {
            return new Dhcp6Option.Unknown(code, latin1(b, p, n));
        }
        switch (c) {
            case CLIENTID, SERVERID -> {
                byte[] d = new byte[n];
                System.arraycopy(b, p, d, 0, n);
                Duid duid = Duid.parse(d, why);
                if (duid == null) {
                    return null;
                }
                return c == Dhcp6OptionCode.CLIENTID ? new Dhcp6Option.ClientId(duid) : new Dhcp6Option.ServerId(duid);
            }
            case IA_NA -> {
                if (n < 12) {
                    why[0] = n + " bytes, at least 12";
                    return null;
                }
                if (depth != 0) {
                    why[0] = depth == RELAY ? "IA_NA in a relay message" : "IA_NA inside another option";
                    return null;
                }
                List<Dhcp6Option> inner = new ArrayList<>();
                String fault = parseOptions(b, p + 12, p + n, 1, 0, null, inner);
                if (fault != null) {
                    why[0] = fault;
                    return null;
                }
                return new Dhcp6Option.IaNa(u32(b, p), u32(b, p + 4), u32(b, p + 8), inner);
            }
            case IAADDR -> {
                if (n < 24) {
                    why[0] = n + " bytes, at least 24";
                    return null;
                }
                if (depth != 1) {
                    why[0] = "IAADDR outside an IA";
                    return null;
                }
                List<Dhcp6Option> inner = new ArrayList<>();
                String fault = parseOptions(b, p + 24, p + n, 2, 0, null, inner);
                if (fault != null) {
                    why[0] = fault;
                    return null;
                }
                return new Dhcp6Option.IaAddress(inet6(b, p), u32(b, p + 16), u32(b, p + 20), inner);
            }
            case ORO -> {
                if (n % 2 != 0) {
                    why[0] = "odd length " + n;
                    return null;
                }
                List<Integer> codes = new ArrayList<>(n / 2);
                for (int k = 0; k < n; k += 2) {
                    codes.add(u16(b, p + k));
                }
                return new Dhcp6Option.OptionRequest(codes);
            }
            case PREFERENCE -> {
                return n == 1 ? new Dhcp6Option.Preference(b[p] & 0xFF) : bad(why, n, "1");
            }
            case ELAPSED_TIME -> {
                return n == 2 ? new Dhcp6Option.ElapsedTime(u16(b, p)) : bad(why, n, "2");
            }
            case STATUS_CODE -> {
                if (n < 2) {
                    return bad(why, n, "at least 2");
                }
                return new Dhcp6Option.StatusCode(u16(b, p), new String(b, p + 2, n - 2, StandardCharsets.UTF_8));
            }
            case RAPID_COMMIT -> {
                return n == 0 ? new Dhcp6Option.RapidCommit() : bad(why, n, "0");
            }
            case USER_CLASS -> {
                List<String> l = opaqueList(b, p, p + n, why);
                return l == null ? null : new Dhcp6Option.UserClass(l);
            }
            case VENDOR_CLASS -> {
                if (n < 4) {
                    return bad(why, n, "at least 4");
                }
                List<String> l = opaqueList(b, p + 4, p + n, why);
                return l == null ? null : new Dhcp6Option.VendorClass(u32(b, p), l);
            }
            case DNS_SERVERS -> {
                if (n % 16 != 0) {
                    return bad(why, n, "a multiple of 16");
                }
                List<Inet6Address> l = new ArrayList<>(n / 16);
                for (int k = 0; k < n; k += 16) {
                    l.add(inet6(b, p + k));
                }
                return new Dhcp6Option.DnsServers(l);
            }
            case BOOTFILE_URL -> {
                return new Dhcp6Option.BootfileUrl(new String(b, p, n, StandardCharsets.UTF_8));
            }
            case BOOTFILE_PARAM -> {
                List<String> l = opaqueList(b, p, p + n, why);
                if (l == null) {
                    return null;
                }
                List<String> utf8 = new ArrayList<>(l.size());
                for (String s : l) {
                    utf8.add(new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                }
                return new Dhcp6Option.BootfileParam(utf8);
            }
            case CLIENT_ARCH_TYPE -> {
                if (n < 2 || n % 2 != 0) {
                    return bad(why, n, "a positive even number");
                }
                List<Integer> l = new ArrayList<>(n / 2);
                for (int k = 0; k < n; k += 2) {
                    l.add(u16(b, p + k));
                }
                return new Dhcp6Option.ClientArch(l);
            }
            case RELAY_MSG -> {
                if (depth != RELAY) {
                    return new Dhcp6Option.Unknown(code, latin1(b, p, n)); // no meaning outside a relay message
                }
                String[] inner = new String[1];
                Dhcp6Packet m = packet(b, p, n, layer + 1, relay, inner);
                if (m == null) {
                    why[0] = inner[0];
                    return null;
                }
                return new Dhcp6Option.RelayMessage(m);
            }
            case INTERFACE_ID -> {
                return new Dhcp6Option.InterfaceId(latin1(b, p, n));
            }
            case CLIENT_LINKLAYER_ADDR -> {
                // RFC 6939 §4: link-layer type (2 bytes) and the address, which is not empty.
                return n >= 3 ? new Dhcp6Option.ClientLinkLayerAddress(u16(b, p), latin1(b, p + 2, n - 2))
                        : bad(why, n, "at least 3");
            }
            case NII -> {
                return n == 3 ? new Dhcp6Option.NetworkInterfaceId(b[p] & 0xFF, b[p + 1] & 0xFF, b[p + 2] & 0xFF)
                        : bad(why, n, "3");
            }
            default -> {
                return new Dhcp6Option.Unknown(code, latin1(b, p, n));
            }
        }
    }

    private static Dhcp6Option bad(String[] why, int n, String expected) {
        why[0] = "length " + n + ", expected " + expected;
        return null;
    }

    /** RFC 8415 §21.15/§21.16, RFC 5970 §3.2: a sequence of (2-byte length, data). */
    private static List<String> opaqueList(byte[] b, int from, int to, String[] why) {
        List<String> l = new ArrayList<>();
        int i = from;
        while (i < to) {
            if (to - i < 2) {
                why[0] = "item length truncated";
                return null;
            }
            int n = u16(b, i);
            if (n > to - i - 2) {
                why[0] = "item of " + n + " bytes overruns the option by " + (n - (to - i - 2));
                return null;
            }
            l.add(latin1(b, i + 2, n));
            i += 2 + n;
        }
        return l;
    }

    // ---------------------------------------------------------------- encoding

    /** Encodes {@code p}, a message or a relay message; the options in their order. */
    public static byte[] encode(Dhcp6Packet p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(p.type().code);
        List<Dhcp6Option> options;
        switch (p) {
            case Dhcp6Message m -> {
                out.write(m.transactionId() >>> 16);
                out.write(m.transactionId() >>> 8);
                out.write(m.transactionId());
                options = m.options();
            }
            case Dhcp6Relay r -> {
                out.write(r.hopCount());
                out.writeBytes(r.linkAddress().getAddress());
                out.writeBytes(r.peerAddress().getAddress());
                options = r.options();
            }
        }
        for (Dhcp6Option o : options) {
            writeOption(out, o);
        }
        return out.toByteArray();
    }

    private static void writeOption(ByteArrayOutputStream out, Dhcp6Option o) {
        byte[] data = data(o);
        if (data.length > 0xFFFF) {
            throw new IllegalArgumentException("option " + o.code() + " has " + data.length + " bytes");
        }
        put16(out, o.code());
        put16(out, data.length);
        out.writeBytes(data);
    }

    private static byte[] data(Dhcp6Option o) {
        ByteArrayOutputStream d = new ByteArrayOutputStream(64);
        switch (o) {
            case Dhcp6Option.ClientId c -> d.writeBytes(c.duid().bytes());
            case Dhcp6Option.ServerId s -> d.writeBytes(s.duid().bytes());
            case Dhcp6Option.IaNa ia -> {
                put32(d, ia.iaid());
                put32(d, ia.t1());
                put32(d, ia.t2());
                ia.options().forEach(x -> writeOption(d, x));
            }
            case Dhcp6Option.IaAddress a -> {
                d.writeBytes(a.address().getAddress());
                put32(d, a.preferred());
                put32(d, a.valid());
                a.options().forEach(x -> writeOption(d, x));
            }
            case Dhcp6Option.OptionRequest r -> r.codes().forEach(c -> put16(d, c));
            case Dhcp6Option.Preference p -> d.write(p.value());
            case Dhcp6Option.ElapsedTime e -> put16(d, e.hundredths());
            case Dhcp6Option.StatusCode s -> {
                put16(d, s.status());
                d.writeBytes(s.message().getBytes(StandardCharsets.UTF_8));
            }
            case Dhcp6Option.RapidCommit r -> {
            }
            case Dhcp6Option.UserClass u -> u.classes().forEach(s -> putOpaque(d, s.getBytes(StandardCharsets.ISO_8859_1)));
            case Dhcp6Option.VendorClass v -> {
                put32(d, v.enterprise());
                v.data().forEach(s -> putOpaque(d, s.getBytes(StandardCharsets.ISO_8859_1)));
            }
            case Dhcp6Option.DnsServers s -> s.servers().forEach(a -> d.writeBytes(a.getAddress()));
            case Dhcp6Option.BootfileUrl u -> d.writeBytes(u.url().getBytes(StandardCharsets.UTF_8));
            case Dhcp6Option.BootfileParam p -> p.params().forEach(s -> putOpaque(d, s.getBytes(StandardCharsets.UTF_8)));
            case Dhcp6Option.ClientArch a -> a.types().forEach(t -> put16(d, t));
            case Dhcp6Option.NetworkInterfaceId n -> {
                d.write(n.type());
                d.write(n.major());
                d.write(n.minor());
            }
            case Dhcp6Option.RelayMessage m -> d.writeBytes(encode(m.packet()));
            case Dhcp6Option.InterfaceId i -> d.writeBytes(i.id().getBytes(StandardCharsets.ISO_8859_1));
            case Dhcp6Option.ClientLinkLayerAddress a -> {
                put16(d, a.linkType());
                d.writeBytes(a.address().getBytes(StandardCharsets.ISO_8859_1));
            }
            case Dhcp6Option.Unknown u -> d.writeBytes(u.data().getBytes(StandardCharsets.ISO_8859_1));
        }
        return d.toByteArray();
    }

    private static void putOpaque(ByteArrayOutputStream d, byte[] v) {
        put16(d, v.length);
        d.writeBytes(v);
    }

    private static void put16(ByteArrayOutputStream d, int v) {
        d.write(v >>> 8);
        d.write(v);
    }

    private static void put32(ByteArrayOutputStream d, long v) {
        d.write((int) (v >>> 24));
        d.write((int) (v >>> 16));
        d.write((int) (v >>> 8));
        d.write((int) v);
    }

    // ---------------------------------------------------------------- helpers

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    private static String latin1(byte[] b, int p, int n) {
        return new String(b, p, n, StandardCharsets.ISO_8859_1);
    }

    private static Inet6Address inet6(byte[] b, int p) {
        byte[] a = new byte[16];
        System.arraycopy(b, p, a, 0, 16);
        try {
            // Not InetAddress.getByAddress: it turns an IPv4-mapped address into an Inet4Address.
            return Inet6Address.getByAddress(null, a, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

package org.astralboot.dhcp.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.astralboot.net.QuirkSink;

/**
 * Decodes and encodes DHCP messages (RFC 2131 §2, RFC 2132 §2-3 and §9.3, RFC 3396). No I/O, no
 * state: safe from any thread.
 *
 * <p>Decoding checks every length against the datagram: a header shorter than 236 bytes, a missing
 * magic cookie, an option whose length runs past its field, a bad overload value or a known option
 * with a wrong length raises {@link DhcpCodecException}. Tolerated client quirks, reported to the
 * {@link QuirkSink} given to {@code decode} (see {@link DhcpQuirk}): a missing END option (the field
 * simply ends, {@link DhcpQuirk#MISSING_END}) and bytes other than PAD after END
 * ({@link DhcpQuirk#DATA_AFTER_END}); both are reported once per message, and only when it decodes.
 */
public final class DhcpCodec {
    /** Fixed BOOTP header length before the options field. */
    public static final int HEADER_LENGTH = 236;
    /** RFC 2131 §3 magic cookie 99.130.83.99. */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** BOOTP's minimum message size; some PXE ROMs ignore shorter replies (RFC 1542 §3.1.1). */
    public static final int MIN_ENCODED_LENGTH = 300;
    private static final int SNAME_OFFSET = 44;
    private static final int SNAME_LENGTH = 64;
    private static final int FILE_OFFSET = 108;
    private static final int FILE_LENGTH = 128;
    /** {@link #parseOptions} result bits above the overload value (bits 0-1). */
    private static final int NO_END = 4;
    private static final int AFTER_END = 8;

    private DhcpCodec() {
    }

    /** Decodes the datagram between {@code buf}'s position and limit; the buffer is not modified. */
    public static DhcpPacket decode(ByteBuffer buf) throws DhcpCodecException {
        int len = buf.remaining();
        byte[] b = new byte[len];
        buf.duplicate().get(b);
        return decode(b, 0, len);
    }

    /** Decodes {@code len} bytes of {@code b} starting at {@code off}. */
    public static DhcpPacket decode(byte[] b, int off, int len) throws DhcpCodecException {
        return decode(b, off, len, QuirkSink.none());
    }

    /** Decodes {@code len} bytes of {@code b} starting at {@code off}, reporting tolerated quirks to {@code quirks}. */
    public static DhcpPacket decode(byte[] b, int off, int len, QuirkSink<DhcpQuirk> quirks)
            throws DhcpCodecException {
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new DhcpCodecException("bad buffer bounds");
        }
        if (len < HEADER_LENGTH + 4) {
            throw new DhcpCodecException("truncated: " + len + " bytes, a DHCP message has at least 240");
        }
        DhcpOp op = DhcpOp.of(b[off] & 0xFF);
        if (op == null) {
            throw new DhcpCodecException("bad op " + (b[off] & 0xFF));
        }
        int htype = b[off + 1] & 0xFF;
        int hlen = b[off + 2] & 0xFF;
        if (hlen > 16) {
            throw new DhcpCodecException("hlen " + hlen + " exceeds the 16-byte chaddr field");
        }
        int hops = b[off + 3] & 0xFF;
        int xid = int32(b, off + 4);
        int secs = u16(b, off + 8);
        int flags = u16(b, off + 10);
        int ciaddr = int32(b, off + 12);
        int yiaddr = int32(b, off + 16);
        int siaddr = int32(b, off + 20);
        int giaddr = int32(b, off + 24);
        byte[] chaddr = new byte[16];
        System.arraycopy(b, off + 28, chaddr, 0, 16);
        if (int32(b, off + HEADER_LENGTH) != MAGIC_COOKIE) {
            throw new DhcpCodecException("no DHCP magic cookie (plain BOOTP is not served)");
        }
        DhcpOptions.Builder ob = DhcpOptions.builder();
        int parsed = parseOptions(b, off + HEADER_LENGTH + 4, off + len, ob, true);
        int overload = parsed & 3;
        String sname;
        String file;
        // RFC 2131 §4.1: options field first, then 'file', then 'sname'.
        if ((overload & 1) != 0) {
            parsed |= parseOptions(b, off + FILE_OFFSET, off + FILE_OFFSET + FILE_LENGTH, ob, false);
            file = "";
        } else {
            file = cString(b, off + FILE_OFFSET, FILE_LENGTH);
        }
        if ((overload & 2) != 0) {
            parsed |= parseOptions(b, off + SNAME_OFFSET, off + SNAME_OFFSET + SNAME_LENGTH, ob, false);
            sname = "";
        } else {
            sname = cString(b, off + SNAME_OFFSET, SNAME_LENGTH);
        }
        DhcpOptions opts = ob.build();
        validate(opts);
        DhcpPacket p = new DhcpPacket(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr,
                sname, file, opts);
        if ((parsed & NO_END) != 0) {
            quirks.tolerated(DhcpQuirk.MISSING_END);
        }
        if ((parsed & AFTER_END) != 0) {
            quirks.tolerated(DhcpQuirk.DATA_AFTER_END);
        }
        return p;
    }

    /**
     * Parses TLVs in [from, to); returns the overload value (0 when absent or not allowed here) in
     * bits 0-1, plus {@link #NO_END} when the field has no END and {@link #AFTER_END} when bytes
     * other than PAD follow it.
     */
    private static int parseOptions(byte[] b, int from, int to, DhcpOptions.Builder ob, boolean mainField)
            throws DhcpCodecException {
        int overload = 0;
        int i = from;
        while (i < to) {
            int code = b[i] & 0xFF;
            if (code == 0) {
                i++;
                continue;
            }
            if (code == 255) {
                // Quirk: what follows END is ignored; only PAD belongs there.
                for (int k = i + 1; k < to; k++) {
                    if (b[k] != 0) {
                        return overload | AFTER_END;
                    }
                }
                return overload;
            }
            if (i + 1 >= to) {
                throw new DhcpCodecException("option " + code + " has no length byte");
            }
            int olen = b[i + 1] & 0xFF;
            if (i + 2 + olen > to) {
                throw new DhcpCodecException("option " + code + " length " + olen + " overruns its field by "
                        + (i + 2 + olen - to) + " bytes");
            }
            if (code == DhcpOption.OVERLOAD.code) {
                if (!mainField) {
                    throw new DhcpCodecException("option 52 inside an overloaded field");
                }
                if (olen != 1 || (b[i + 2] & 0xFF) < 1 || (b[i + 2] & 0xFF) > 3) {
                    throw new DhcpCodecException("bad option 52 (overload)");
                }
                overload = b[i + 2] & 0xFF;
            } else {
                ob.append(code, b, i + 2, olen);
            }
            i += 2 + olen;
        }
        // No END: tolerated (seen from embedded clients); the field ended cleanly on a boundary.
        return overload | NO_END;
    }

    private static void validate(DhcpOptions opts) throws DhcpCodecException {
        for (int code : opts.rawOrder()) {
            DhcpOption o = DhcpOption.of(code);
            if (o == null) {
                continue;
            }
            int l = opts.raw(code).length;
            if (o.fixedLength >= 0 && l != o.fixedLength) {
                throw new DhcpCodecException("option " + code + " (" + o + ") has length " + l + ", expected "
                        + o.fixedLength);
            }
            if (l < o.minLength || l % o.multipleOf != 0) {
                throw new DhcpCodecException("option " + code + " (" + o + ") has invalid length " + l);
            }
        }
    }

    private static String cString(byte[] b, int off, int max) {
        int n = 0;
        while (n < max && b[off + n] != 0) {
            n++;
        }
        return new String(b, off, n, StandardCharsets.ISO_8859_1);
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static int int32(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    /** Upper bound of {@link #encode} output for {@code p}. */
    public static int maxEncodedLength(DhcpPacket p) {
        int n = HEADER_LENGTH + 4 + 1;
        for (int c : p.options().rawOrder()) {
            int l = p.options().raw(c).length;
            n += l + 2 * Math.max(1, (l + 254) / 255);
        }
        return Math.max(n, MIN_ENCODED_LENGTH);
    }

    /** Encodes {@code p}; options longer than 255 bytes are split (RFC 3396), the result is padded to 300 bytes. */
    public static byte[] encode(DhcpPacket p) {
        ByteBuffer out = ByteBuffer.allocate(maxEncodedLength(p));
        encode(p, out);
        out.flip();
        byte[] r = new byte[out.remaining()];
        out.get(r);
        return r;
    }

    /** Encodes {@code p} into {@code out} at its position (needs {@link #maxEncodedLength} bytes). */
    public static void encode(DhcpPacket p, ByteBuffer out) {
        int start = out.position();
        out.put((byte) p.op().code).put((byte) p.htype()).put((byte) p.hlen()).put((byte) p.hops());
        out.putInt(p.xid()).putShort((short) p.secs()).putShort((short) p.flags());
        out.putInt(p.ciaddr()).putInt(p.yiaddr()).putInt(p.siaddr()).putInt(p.giaddr());
        out.put(p.chaddrRaw());
        putField(out, p.sname(), SNAME_LENGTH);
        putField(out, p.file(), FILE_LENGTH);
        out.putInt(MAGIC_COOKIE);
        DhcpOptions o = p.options();
        for (int c : o.rawOrder()) {
            byte[] v = o.raw(c);
            int pos = 0;
            do {
                int chunk = Math.min(255, v.length - pos);
                out.put((byte) c).put((byte) chunk).put(v, pos, chunk);
                pos += chunk;
            } while (pos < v.length);
        }
        out.put((byte) 255);
        while (out.position() - start < MIN_ENCODED_LENGTH) {
            out.put((byte) 0);
        }
    }

    private static void putField(ByteBuffer out, String s, int len) {
        byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
        int n = Math.min(v.length, len); // a full field needs no NUL (RFC 2131 §2: 'null terminated string' is best effort)
        out.put(v, 0, n);
        for (int i = n; i < len; i++) {
            out.put((byte) 0);
        }
    }
}

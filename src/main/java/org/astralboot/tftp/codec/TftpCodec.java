package org.astralboot.tftp.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.net.QuirkSink;
import org.astralboot.store.InvalidPathException;
import org.astralboot.store.TreePath;

/**
 * Bytes to {@link TftpPacket} and back, with no I/O. Every length, terminator and number is
 * checked; a malformed datagram raises {@link TftpCodecException} and nothing else.
 *
 * <p>Wire format (RFC 1350 §5, RFC 2347 §2): a 16-bit big-endian opcode, then per packet type
 * NUL-terminated strings or 16-bit numbers. File names are decoded as UTF-8 (what Linux clients
 * send for non-ASCII names); modes and options are ASCII.
 *
 * <p>Tolerated quirks, each reported to the {@link QuirkSink} given to {@code decode} when it
 * is seen (see {@link TftpQuirk}):
 * <ul>
 *   <li>{@link TftpQuirk#REQUEST_PADDING}: NUL padding after the last option of a request or OACK
 *       (some PXE ROMs pad requests);</li>
 *   <li>{@link TftpQuirk#UNTERMINATED_ERROR}: an ERROR message without its terminating NUL (its
 *       meaning, "abort", is unambiguous);</li>
 *   <li>{@link TftpQuirk#ACK_TRAILER}: bytes after the block number of an ACK.</li>
 * </ul>
 */
public final class TftpCodec {
    /** Longest request a client may send: RFC 1350 keeps requests in one 512-byte packet, RFC 2347 §2 too. */
    public static final int MAX_REQUEST = 512;
    /** Largest datagram the codec accepts at all (DATA with the maximum blksize plus header). */
    public static final int MAX_PACKET = 4 + TftpPacket.MAX_BLKSIZE;
    /** Upper bound on options in one request, well above the five this server knows. */
    public static final int MAX_OPTIONS = 32;

    private TftpCodec() {
    }

    /** Decodes the bytes between {@code buf}'s position and limit; the buffer is not modified. */
    public static TftpPacket decode(ByteBuffer buf) throws TftpCodecException {
        return decode(buf, QuirkSink.none());
    }

    /** Decodes the bytes between {@code buf}'s position and limit, reporting tolerated quirks to {@code quirks}. */
    public static TftpPacket decode(ByteBuffer buf, QuirkSink<TftpQuirk> quirks) throws TftpCodecException {
        if (buf.hasArray()) {
            return decode(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining(), quirks);
        }
        byte[] b = new byte[buf.remaining()];
        buf.duplicate().get(b);
        return decode(b, 0, b.length, quirks);
    }

    public static TftpPacket decode(byte[] b) throws TftpCodecException {
        return decode(b, 0, b.length);
    }

    /** Decodes {@code len} bytes of {@code b} from {@code off}. */
    public static TftpPacket decode(byte[] b, int off, int len) throws TftpCodecException {
        return decode(b, off, len, QuirkSink.none());
    }

    /**
     * Decodes {@code len} bytes of {@code b} from {@code off}; each tolerated quirk is reported to
     * {@code quirks} once, and only when the packet decodes.
     */
    public static TftpPacket decode(byte[] b, int off, int len, QuirkSink<TftpQuirk> quirks)
            throws TftpCodecException {
        if (len < 2) {
            throw new TftpCodecException("packet of " + len + " bytes is shorter than an opcode");
        }
        if (len > MAX_PACKET) {
            throw new TftpCodecException("packet of " + len + " bytes is longer than " + MAX_PACKET);
        }
        int op = u16(b, off);
        TftpOpcode opcode = TftpOpcode.of(op);
        if (opcode == null) {
            throw new TftpCodecException("unknown opcode " + op);
        }
        Reader r = new Reader(b, off + 2, off + len);
        return switch (opcode) {
            case RRQ, WRQ -> request(opcode, r, len, quirks);
            case DATA -> {
                if (len < 4) {
                    throw new TftpCodecException("DATA of " + len + " bytes has no block number");
                }
                byte[] payload = new byte[len - 4];
                System.arraycopy(b, off + 4, payload, 0, payload.length);
                yield new TftpPacket.Data(u16(b, off + 2), payload);
            }
            case ACK -> {
                // Quirk: bytes after the block number are ignored, not refused.
                if (len < 4) {
                    throw new TftpCodecException("ACK of " + len + " bytes, expected 4");
                }
                if (len > 4) {
                    quirks.tolerated(TftpQuirk.ACK_TRAILER);
                }
                yield new TftpPacket.Ack(u16(b, off + 2));
            }
            case ERROR -> {
                if (len < 4) {
                    throw new TftpCodecException("ERROR of " + len + " bytes has no error code");
                }
                r.pos = off + 4;
                // Quirk: a missing terminator is accepted; the message ends at the packet's end.
                boolean terminated = r.hasNul();
                String msg = r.remaining() == 0 ? "" : r.stringOrRest();
                TftpPacket.Error error = new TftpPacket.Error(u16(b, off + 2), msg);
                if (!terminated) {
                    quirks.tolerated(TftpQuirk.UNTERMINATED_ERROR);
                }
                yield error;
            }
            case OACK -> oack(r, quirks);
        };
    }

    private static TftpPacket request(TftpOpcode opcode, Reader r, int len, QuirkSink<TftpQuirk> quirks)
            throws TftpCodecException {
        if (len > MAX_REQUEST) {
            throw new TftpCodecException(opcode + " of " + len + " bytes is longer than " + MAX_REQUEST);
        }
        byte[] nameBytes = r.field("file name");
        if (nameBytes.length == 0) {
            throw new TftpCodecException("empty file name");
        }
        String filename = utf8(nameBytes);
        String modeText = ascii(r.field("mode"), "mode");
        TftpMode mode = TftpMode.parse(modeText);
        if (mode == null) {
            throw new TftpCodecException("unknown transfer mode '" + printable(modeText) + "'");
        }
        boolean[] padded = {false};
        List<TftpOption> options = options(r, opcode.name(), padded);
        TftpPacket p = opcode == TftpOpcode.RRQ
                ? new TftpPacket.Rrq(filename, mode, options)
                : new TftpPacket.Wrq(filename, mode, options);
        if (padded[0]) {
            quirks.tolerated(TftpQuirk.REQUEST_PADDING);
        }
        return p;
    }

    private static TftpPacket.Oack oack(Reader r, QuirkSink<TftpQuirk> quirks) throws TftpCodecException {
        boolean[] padded = {false};
        TftpPacket.Oack o = new TftpPacket.Oack(options(r, "OACK", padded));
        if (padded[0]) {
            quirks.tolerated(TftpQuirk.REQUEST_PADDING);
        }
        return o;
    }

    /** The options up to the packet's end; {@code padded[0]} is set when NUL padding followed them. */
    private static List<TftpOption> options(Reader r, String what, boolean[] padded) throws TftpCodecException {
        List<TftpOption> out = new ArrayList<>();
        while (r.remaining() > 0) {
            if (r.allZero()) {
                padded[0] = true;
                break; // quirk: NUL padding after the last option
            }
            byte[] nb = r.field("option name");
            if (nb.length == 0) {
                throw new TftpCodecException("empty option name in " + what);
            }
            String name = ascii(nb, "option name");
            if (r.remaining() == 0) {
                throw new TftpCodecException("option " + printable(name) + " has no value");
            }
            String value = ascii(r.field("option " + printable(name)), "option value");
            for (TftpOption o : out) {
                if (o.is(name)) {
                    throw new TftpCodecException("duplicate option " + printable(name));
                }
            }
            if (out.size() == MAX_OPTIONS) {
                throw new TftpCodecException("more than " + MAX_OPTIONS + " options");
            }
            out.add(new TftpOption(name, value));
        }
        return out;
    }

    /** The encoded form of {@code p}. */
    public static byte[] encode(TftpPacket p) {
        ByteBuffer buf = ByteBuffer.allocate(encodedLength(p));
        encode(p, buf);
        return buf.array();
    }

    /** Writes {@code p} at {@code buf}'s position, advancing it. */
    public static void encode(TftpPacket p, ByteBuffer buf) {
        buf.putShort((short) p.opcode().code());
        switch (p) {
            case TftpPacket.Rrq q -> request(buf, q.filename(), q.mode(), q.options());
            case TftpPacket.Wrq q -> request(buf, q.filename(), q.mode(), q.options());
            case TftpPacket.Data d -> {
                buf.putShort((short) d.block());
                buf.put(d.data());
            }
            case TftpPacket.Ack a -> buf.putShort((short) a.block());
            case TftpPacket.Error e -> {
                buf.putShort((short) e.code());
                putString(buf, asciiSafe(e.message()));
            }
            case TftpPacket.Oack o -> putOptions(buf, o.options());
        }
    }

    /** Encoded size of {@code p} in bytes. */
    public static int encodedLength(TftpPacket p) {
        return switch (p) {
            case TftpPacket.Rrq q -> 2 + utf8Bytes(q.filename()) + 1 + q.mode().wireName().length() + 1
                    + optionsLength(q.options());
            case TftpPacket.Wrq q -> 2 + utf8Bytes(q.filename()) + 1 + q.mode().wireName().length() + 1
                    + optionsLength(q.options());
            case TftpPacket.Data d -> 4 + d.length();
            case TftpPacket.Ack a -> 4;
            case TftpPacket.Error e -> 4 + asciiSafe(e.message()).length() + 1;
            case TftpPacket.Oack o -> 2 + optionsLength(o.options());
        };
    }

    /** Writes the 4-byte DATA header for wire block number {@code block} at {@code b[0..3]} (hot path, no allocation). */
    public static void putDataHeader(byte[] b, int block) {
        b[0] = 0;
        b[1] = (byte) TftpOpcode.DATA.code();
        b[2] = (byte) (block >>> 8);
        b[3] = (byte) block;
    }

    /**
     * The block number of an ACK between {@code p}'s position and limit, or -1 when it is not an
     * ACK of at least 4 bytes (then {@link #decode} says what it is). The transfer's hot path: no
     * allocation, the buffer is not modified. Bytes after the block number are ignored, as in
     * {@link #decode}, and reported as {@link TftpQuirk#ACK_TRAILER}.
     */
    public static int ackBlock(ByteBuffer p, QuirkSink<TftpQuirk> quirks) {
        int at = p.position();
        int len = p.remaining();
        if (len < 4 || p.getShort(at) != TftpOpcode.ACK.code()) {
            return -1;
        }
        if (len > 4) {
            quirks.tolerated(TftpQuirk.ACK_TRAILER);
        }
        return p.getShort(at + 2) & 0xFFFF;
    }

    /** The opcode of a raw datagram, or -1 when it is shorter than two bytes (hot path, no allocation). */
    public static int peekOpcode(byte[] b, int len) {
        return len < 2 ? -1 : u16(b, 0);
    }

    private static void request(ByteBuffer buf, String filename, TftpMode mode, List<TftpOption> options) {
        buf.put(filename.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
        putString(buf, mode.wireName());
        putOptions(buf, options);
    }

    private static void putOptions(ByteBuffer buf, List<TftpOption> options) {
        for (TftpOption o : options) {
            putString(buf, o.name());
            putString(buf, o.value());
        }
    }

    private static int optionsLength(List<TftpOption> options) {
        int n = 0;
        for (TftpOption o : options) {
            n += o.name().getBytes(StandardCharsets.ISO_8859_1).length + 1
                    + o.value().getBytes(StandardCharsets.ISO_8859_1).length + 1;
        }
        return n;
    }

    private static void putString(ByteBuffer buf, String s) {
        buf.put(s.getBytes(StandardCharsets.ISO_8859_1)).put((byte) 0);
    }

    private static int utf8Bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Error messages go out as printable ASCII so any client can show them. */
    static String asciiSafe(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && sb.length() < 200; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return sb.toString();
    }

    /** For messages about client-supplied text: printable, bounded. */
    public static String printable(String s) {
        return asciiSafe(s.length() > 64 ? s.substring(0, 64) + "..." : s);
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    /**
     * The file name, decoded like HTTP request paths ({@link TreePath#utf8}). A name that is not
     * UTF-8 can name no file of the tree: ERROR 1 (file not found), as for any other absent name.
     */
    private static String utf8(byte[] b) throws TftpCodecException {
        try {
            return TreePath.utf8(b);
        } catch (InvalidPathException e) {
            throw new TftpCodecException(TftpErrorCode.FILE_NOT_FOUND, "file not found: " + e.getMessage());
        }
    }

    private static String ascii(byte[] b, String what) throws TftpCodecException {
        for (byte x : b) {
            if (x < 0x20 || x == 0x7F) { // negative bytes (>= 0x80) included
                throw new TftpCodecException(what + " contains a non-ASCII or control byte");
            }
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** A bounded cursor over the packet: no scan ever passes {@link #end}. */
    private static final class Reader {
        final byte[] b;
        int pos;
        final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        int remaining() {
            return end - pos;
        }

        /** Whether a NUL ends the text from {@link #pos} inside the packet. */
        boolean hasNul() {
            for (int i = pos; i < end; i++) {
                if (b[i] == 0) {
                    return true;
                }
            }
            return false;
        }

        boolean allZero() {
            for (int i = pos; i < end; i++) {
                if (b[i] != 0) {
                    return false;
                }
            }
            return true;
        }

        /** The bytes up to the next NUL, consuming it; the NUL must be inside the packet. */
        byte[] field(String what) throws TftpCodecException {
            int i = pos;
            while (i < end && b[i] != 0) {
                i++;
            }
            if (i == end) {
                throw new TftpCodecException(pos == end ? "missing " + what : what + " is not NUL-terminated");
            }
            byte[] out = new byte[i - pos];
            System.arraycopy(b, pos, out, 0, out.length);
            pos = i + 1;
            return out;
        }

        /** Text up to a NUL or the end of the packet; control bytes become '?'. */
        String stringOrRest() {
            int i = pos;
            while (i < end && b[i] != 0) {
                i++;
            }
            String s = new String(b, pos, i - pos, StandardCharsets.ISO_8859_1);
            pos = Math.min(end, i + 1);
            return asciiSafe(s);
        }
    }
}

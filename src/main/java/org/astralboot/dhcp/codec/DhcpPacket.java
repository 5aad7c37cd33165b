package org.astralboot.dhcp.codec;

import java.net.Inet4Address;
import java.util.Arrays;
import java.util.Objects;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;

/**
 * One DHCP message (RFC 2131 §2, figure 1): the fixed BOOTP header plus options. Immutable: the
 * hardware address is copied in and out. IPv4 addresses are unsigned 32-bit values held in an
 * {@code int} (0 = 0.0.0.0), so the hot path allocates no {@link Inet4Address}.
 *
 * @param op      request or reply
 * @param htype   hardware type (1 = Ethernet)
 * @param hlen    hardware address length, 0..16
 * @param hops    relay hop count
 * @param xid     transaction id chosen by the client
 * @param secs    seconds since the client began (unsigned 16 bit)
 * @param flags   flags (unsigned 16 bit); bit 15 is BROADCAST
 * @param ciaddr  client address, only set in BOUND, RENEWING and REBINDING
 * @param yiaddr  "your" address given by the server
 * @param siaddr  next server (TFTP) address
 * @param giaddr  relay agent address
 * @param chaddr  client hardware address, 16 bytes (the first {@code hlen} are meaningful)
 * @param sname   server host name (empty when absent or used for options)
 * @param file    boot file name (empty when absent or used for options)
 * @param options the options, without pad/end/overload
 */
public record DhcpPacket(
        DhcpOp op,
        int htype,
        int hlen,
        int hops,
        int xid,
        int secs,
        int flags,
        int ciaddr,
        int yiaddr,
        int siaddr,
        int giaddr,
        byte[] chaddr,
        String sname,
        String file,
        DhcpOptions options) {

    /** The BROADCAST bit of {@link #flags} (RFC 2131 §2, figure 2). */
    public static final int FLAG_BROADCAST = 0x8000;

    public DhcpPacket {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(sname, "sname");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        if (chaddr == null || chaddr.length != 16) {
            throw new IllegalArgumentException("chaddr must be 16 bytes");
        }
        if (hlen < 0 || hlen > 16 || htype < 0 || htype > 255 || hops < 0 || hops > 255) {
            throw new IllegalArgumentException("htype/hlen/hops out of range");
        }
        if (secs < 0 || secs > 0xFFFF || flags < 0 || flags > 0xFFFF) {
            throw new IllegalArgumentException("secs/flags out of range");
        }
        if (sname.length() > 64 || file.length() > 128) {
            throw new IllegalArgumentException("sname/file too long for the header");
        }
        chaddr = chaddr.clone();
    }

    @Override
    public byte[] chaddr() {
        return chaddr.clone();
    }

    /** Internal access without a copy, for the encoder. */
    byte[] chaddrRaw() {
        return chaddr;
    }

    /** The client MAC, when the hardware is Ethernet-like (hlen 6); otherwise {@code null}. */
    public MacAddress mac() {
        return hlen == 6 ? MacAddress.of(chaddr, 0) : null;
    }

    /** Option 53, or {@code null} when absent or unknown (a BOOTP or unsupported message). */
    public DhcpMessageType messageType() {
        return options.has(DhcpOption.MESSAGE_TYPE)
                ? DhcpMessageType.of(options.byteAt(DhcpOption.MESSAGE_TYPE.code, 0)) : null;
    }

    public boolean broadcastFlag() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    /** A 16-byte chaddr field holding {@code mac}. */
    public static byte[] chaddrOf(MacAddress mac) {
        return Arrays.copyOf(mac.toBytes(), 16);
    }

    public static Inet4Address addr(int v) {
        return Ipv4.fromInt(v);
    }

    /** A copy with other options, yiaddr etc. unchanged: handy in tests. */
    public DhcpPacket withOptions(DhcpOptions o) {
        return new DhcpPacket(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr,
                sname, file, o);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpPacket p && op == p.op && htype == p.htype && hlen == p.hlen && hops == p.hops
                && xid == p.xid && secs == p.secs && flags == p.flags && ciaddr == p.ciaddr && yiaddr == p.yiaddr
                && siaddr == p.siaddr && giaddr == p.giaddr && Arrays.equals(chaddr, p.chaddr)
                && sname.equals(p.sname) && file.equals(p.file) && options.equals(p.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, xid, Arrays.hashCode(chaddr), options);
    }

    @Override
    public String toString() {
        return "DhcpPacket[" + op + " " + messageType() + " xid=" + Integer.toHexString(xid) + " chaddr="
                + java.util.HexFormat.of().formatHex(chaddr, 0, hlen) + " ciaddr=" + Ipv4.fromInt(ciaddr).getHostAddress()
                + " yiaddr=" + Ipv4.fromInt(yiaddr).getHostAddress() + " giaddr=" + Ipv4.fromInt(giaddr).getHostAddress()
                + " file=" + file + " " + options + "]";
    }
}

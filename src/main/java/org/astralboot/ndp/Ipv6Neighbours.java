package org.astralboot.ndp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.astralboot.net.MacAddress;

/**
 * The kernel's IPv6 neighbour table (RFC 4861 §5.1 neighbour cache): which MAC an on-link IPv6
 * address resolved to, as {@code ip -6 neigh} shows it. Linux has no file for it (IPv4 has
 * {@code /proc/net/arp}), so it is read by a netlink dump ({@code rtnetlink(7)},
 * {@code RTM_GETNEIGH}, family {@code AF_INET6}). A TCP connection from an on-link host makes the
 * kernel resolve the host's address for its replies (neighbour solicitation, RFC 4861 §7.2), so the
 * entry of a request's source address names the NIC that sent it, as the ARP entry does for IPv4.
 * Entries being resolved or that failed ({@code NUD_INCOMPLETE}, {@code NUD_FAILED}) name nobody.
 */
public final class Ipv6Neighbours {
    // <linux/netlink.h>, <linux/rtnetlink.h>, <linux/neighbour.h>.
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int NETLINK_ROUTE = 0;
    static final int RTM_NEWNEIGH = 28;
    static final int RTM_GETNEIGH = 30;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_DUMP = 0x300;
    static final int NDA_DST = 1;
    static final int NDA_LLADDR = 2;
    /** NUD_REACHABLE, STALE, DELAY, PROBE, PERMANENT: a resolved hardware address. */
    static final int NUD_RESOLVED = 0x02 | 0x04 | 0x08 | 0x10 | 0x80;
    private static final int NLMSGHDR = 16;
    private static final int NDMSG = 12;
    private static final int WAIT_MILLIS = 1000;

    private static final MethodHandle SEND = RawIcmp6Socket.call("send",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = RawIcmp6Socket.call("recv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private Ipv6Neighbours() {
    }

    /**
     * The MACs the table holds for {@code address} now (several when interfaces disagree); empty
     * when none.
     *
     * @throws IOException when the table cannot be read (no netlink, not Linux)
     */
    public static Set<MacAddress> macsOf(Inet6Address address) throws IOException {
        InetAddress plain = withoutScope(address);
        return dump().getOrDefault(plain, Set.of());
    }

    /** The whole table: every resolved IPv6 neighbour of every interface. */
    static Map<InetAddress, Set<MacAddress>> dump() throws IOException {
        if (!RawIcmp6Socket.supported()) {
            throw new IOException("the IPv6 neighbour table is read on 64-bit little-endian Linux only");
        }
        int fd = RawIcmp6Socket.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "socket(AF_NETLINK, NETLINK_ROUTE)");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment req = a.allocate(NLMSGHDR + NDMSG, 4);
            req.set(ValueLayout.JAVA_INT, 0, NLMSGHDR + NDMSG);
            req.set(ValueLayout.JAVA_SHORT, 4, (short) RTM_GETNEIGH);
            req.set(ValueLayout.JAVA_SHORT, 6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
            req.set(ValueLayout.JAVA_INT, 8, 1); // sequence number
            req.set(ValueLayout.JAVA_BYTE, NLMSGHDR, (byte) RawIcmp6Socket.AF_INET6); // ndm_family
            MemorySegment st = a.allocate(RawIcmp6Socket.CAPTURE);
            long sent = (long) SEND.invokeExact(st, fd, req, req.byteSize(), 0);
            if (sent < 0) {
                throw RawIcmp6Socket.failure("send RTM_GETNEIGH", RawIcmp6Socket.errno(st));
            }
            Map<InetAddress, Set<MacAddress>> out = new HashMap<>();
            MemorySegment buf = a.allocate(32_768);
            while (true) {
                if (!RawIcmp6Socket.readable(a, fd, WAIT_MILLIS)) {
                    throw new IOException("no complete neighbour dump within " + WAIT_MILLIS + " ms");
                }
                long got = (long) RECV.invokeExact(st, fd, buf, buf.byteSize(), 0);
                if (got < 0) {
                    throw RawIcmp6Socket.failure("recv RTM_NEWNEIGH", RawIcmp6Socket.errno(st));
                }
                if (parse(buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE), out)) {
                    return out;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("neighbour dump: " + t, t);
        } finally {
            RawIcmp6Socket.close(fd);
        }
    }

    /**
     * Adds the resolved IPv6 neighbours in one datagram of an {@code RTM_GETNEIGH} dump to
     * {@code out}; true at the dump's end ({@code NLMSG_DONE}). Messages of other types and
     * families, truncated messages and addresses that are not Ethernet-like are skipped.
     *
     * @throws IOException for an {@code NLMSG_ERROR} (the kernel refused the dump)
     */
    static boolean parse(byte[] datagram, Map<InetAddress, Set<MacAddress>> out) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        int off = 0;
        while (off + NLMSGHDR <= datagram.length) {
            int len = b.getInt(off);
            int type = b.getShort(off + 4) & 0xffff;
            if (len < NLMSGHDR || off + len > datagram.length) {
                return false;
            }
            if (type == NLMSG_DONE) {
                return true;
            }
            if (type == NLMSG_ERROR) {
                int errno = len >= NLMSGHDR + 4 ? -b.getInt(off + NLMSGHDR) : 0;
                throw RawIcmp6Socket.failure("RTM_GETNEIGH", errno);
            }
            if (type == RTM_NEWNEIGH && len >= NLMSGHDR + NDMSG
                    && (datagram[off + NLMSGHDR] & 0xff) == RawIcmp6Socket.AF_INET6
                    && (b.getShort(off + NLMSGHDR + 8) & NUD_RESOLVED) != 0) {
                byte[] dst = null;
                byte[] lladdr = null;
                int at = off + NLMSGHDR + NDMSG;
                while (at + 4 <= off + len) {
                    int rlen = b.getShort(at) & 0xffff;
                    int rtype = b.getShort(at + 2) & 0x3fff; // without NLA_F_NESTED / NET_BYTEORDER
                    if (rlen < 4 || at + rlen > off + len) {
                        break;
                    }
                    byte[] v = java.util.Arrays.copyOfRange(datagram, at + 4, at + rlen);
                    if (rtype == NDA_DST) {
                        dst = v;
                    } else if (rtype == NDA_LLADDR) {
                        lladdr = v;
                    }
                    at += (rlen + 3) & ~3;
                }
                if (dst != null && dst.length == 16 && lladdr != null && lladdr.length == 6) {
                    MacAddress mac = MacAddress.of(lladdr, 0);
                    if (mac.value() != 0) {
                        out.computeIfAbsent(InetAddress.getByAddress(dst), k -> new HashSet<>()).add(mac);
                    }
                }
            }
            off += (len + 3) & ~3;
        }
        return false;
    }

    private static InetAddress withoutScope(Inet6Address a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }
}

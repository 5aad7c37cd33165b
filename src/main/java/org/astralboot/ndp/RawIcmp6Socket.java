package org.astralboot.ndp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An ICMPv6 raw socket on one interface (Linux, 64-bit), through the FFM API: Java has no raw
 * sockets. It receives router solicitations and advertisements only (an {@code ICMP6_FILTER},
 * RFC 3542 §3.2), including those sent to all-routers ({@code ff02::2}, joined here: a host that
 * does not forward never joins it), with each packet's hop limit and destination (RFC 3542 §6), and
 * sends with hop limit 255 (RFC 4861 §6.1). The kernel checks and fills in the ICMPv6 checksum.
 *
 * <p>Every call is a plain Linux system call through {@link Linker#nativeLinker()}; a failure is an
 * {@link IOException} naming the call and errno. Receiving is from one thread; sending may happen
 * on another (each call uses its own memory).
 */
final class RawIcmp6Socket implements AutoCloseable {
    // Linux <bits/socket.h>, <netinet/in.h>, <linux/in6.h>, <linux/icmpv6.h>, <poll.h>.
    static final int AF_INET6 = 10;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int IPPROTO_IPV6 = 41;
    static final int IPPROTO_ICMPV6 = 58;
    static final int SOL_SOCKET = 1;
    static final int SO_BINDTODEVICE = 25;
    static final int ICMP6_FILTER = 1;
    static final int IPV6_UNICAST_HOPS = 16;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_ADD_MEMBERSHIP = 20;
    static final int IPV6_RECVPKTINFO = 49;
    static final int IPV6_PKTINFO = 50;
    static final int IPV6_RECVHOPLIMIT = 51;
    static final int IPV6_HOPLIMIT = 52;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    static final int SOCKADDR_IN6 = 28;
    private static final int MSGHDR = 56;
    private static final int IOVEC = 16;
    private static final int CONTROL = 256;

    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle SETSOCKOPT = call("setsockopt",
            FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle RECVMSG = call("recvmsg", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle SENDTO = call("sendto",
            FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, LONG, INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle POLL = call("poll", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, LONG, INT));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(INT, INT));

    private final int fd;
    private final int ifindex;
    private volatile boolean closed;

    /** One received packet: the ICMPv6 bytes, the IPv6 source, destination and hop limit. */
    record Received(byte[] icmp, Inet6Address source, Inet6Address destination, int hopLimit, int ifindex) {
    }

    private RawIcmp6Socket(int fd, int ifindex) {
        this.fd = fd;
        this.ifindex = ifindex;
    }

    /** socket(2) with {@code SOCK_CLOEXEC}; {@code what} names the call in the failure. */
    static int socket(int domain, int type, int protocol, String what) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int fd = (int) SOCKET.invokeExact(st, domain, type | SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw failure(what, errno(st));
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("socket: " + t, t);
        }
    }

    /** A libc function that records errno (shared with {@link RawDhcp4Socket}). */
    static MethodHandle call(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("libc has no " + name)), fd, Linker.Option.captureCallState("errno"));
    }

    /** Whether this platform is one the socket is written for (64-bit Linux). */
    static boolean supported() {
        return System.getProperty("os.name", "").equals("Linux") && ValueLayout.ADDRESS.byteSize() == 8
                && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    }

    /**
     * Opens the socket on {@code iface} (index {@code ifindex}): bound to the device, filtered to
     * router solicitations and advertisements, member of all-routers, hop limits 255.
     *
     * @throws IOException naming the call that failed and its errno (EPERM without CAP_NET_RAW)
     */
    static RawIcmp6Socket open(String iface, int ifindex) throws IOException {
        if (!supported()) {
            throw new IOException("ICMPv6 raw sockets are implemented for 64-bit little-endian Linux only");
        }
        int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, "socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)");
        RawIcmp6Socket s = new RawIcmp6Socket(fd, ifindex);
        try (Arena a = Arena.ofConfined()) {
            byte[] name = iface.getBytes(StandardCharsets.US_ASCII);
            MemorySegment dev = a.allocate(name.length + 1);
            MemorySegment.copy(name, 0, dev, ValueLayout.JAVA_BYTE, 0, name.length);
            s.setsockopt(a, SOL_SOCKET, SO_BINDTODEVICE, dev, "SO_BINDTODEVICE " + iface);
            // RFC 3542 §3.2 as Linux implements it: a set bit blocks that type.
            MemorySegment filter = a.allocate(32);
            filter.fill((byte) 0xFF);
            for (int type : new int[] {133, 134}) {
                long at = (type >> 5) * 4L;
                filter.set(INT, at, filter.get(INT, at) & ~(1 << (type & 31)));
            }
            s.setsockopt(a, IPPROTO_ICMPV6, ICMP6_FILTER, filter, "ICMP6_FILTER");
            s.setInt(a, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS");
            s.setInt(a, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS");
            s.setInt(a, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
            s.setInt(a, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
            s.setInt(a, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
            MemorySegment mreq = a.allocate(20);
            MemorySegment.copy(InetAddress.getByName("ff02::2").getAddress(), 0, mreq, ValueLayout.JAVA_BYTE, 0, 16);
            mreq.set(INT, 16, ifindex);
            s.setsockopt(a, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, mreq, "IPV6_ADD_MEMBERSHIP ff02::2");
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void setInt(Arena a, int level, int opt, int value, String what) throws IOException {
        MemorySegment v = a.allocate(INT);
        v.set(INT, 0, value);
        setsockopt(a, level, opt, v, what);
    }

    private void setsockopt(Arena a, int level, int opt, MemorySegment value, String what) throws IOException {
        setsockopt(a, fd, level, opt, value, what);
    }

    /** setsockopt(2) on {@code fd}; {@code what} names the option in the failure. */
    static void setsockopt(Arena a, int fd, int level, int opt, MemorySegment value, String what) throws IOException {
        MemorySegment st = a.allocate(CAPTURE);
        int rc;
        try {
            rc = (int) SETSOCKOPT.invokeExact(st, fd, level, opt, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw new IOException("setsockopt " + what + ": " + t, t);
        }
        if (rc != 0) {
            throw failure("setsockopt " + what, errno(st));
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for {@code fd} to be readable: false when it is not (or a
     * signal interrupted the wait).
     */
    static boolean readable(Arena a, int fd, int timeoutMillis) throws Throwable {
        MemorySegment st = a.allocate(CAPTURE);
        MemorySegment pfd = a.allocate(8);
        pfd.set(INT, 0, fd);
        pfd.set(SHORT, 4, POLLIN);
        int n = (int) POLL.invokeExact(st, pfd, 1L, timeoutMillis);
        if (n < 0) {
            int e = errno(st);
            if (e == EINTR) {
                return false;
            }
            throw failure("poll", e);
        }
        return n > 0 && (pfd.get(SHORT, 6) & POLLIN) != 0;
    }

    /** close(2), errors ignored: nothing more can be released. */
    static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) CLOSE.invokeExact(a.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            // nothing more to release
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for a packet and returns it, or null when none came (or the
     * wait was interrupted by a signal).
     */
    Received receive(int timeoutMillis) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            if (!readable(a, fd, timeoutMillis)) {
                return null;
            }
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment buf = a.allocate(1500);
            MemorySegment name = a.allocate(SOCKADDR_IN6);
            MemorySegment control = a.allocate(CONTROL, 8);
            MemorySegment iov = a.allocate(IOVEC, 8);
            iov.set(ValueLayout.ADDRESS, 0, buf);
            iov.set(LONG, 8, buf.byteSize());
            MemorySegment msg = a.allocate(MSGHDR, 8);
            msg.set(ValueLayout.ADDRESS, 0, name);
            msg.set(INT, 8, SOCKADDR_IN6);
            msg.set(ValueLayout.ADDRESS, 16, iov);
            msg.set(LONG, 24, 1L);
            msg.set(ValueLayout.ADDRESS, 32, control);
            msg.set(LONG, 40, (long) CONTROL);
            long got = (long) RECVMSG.invokeExact(st, fd, msg, MSG_DONTWAIT);
            if (got < 0) {
                int e = errno(st);
                if (e == EINTR || e == EAGAIN) {
                    return null;
                }
                throw failure("recvmsg", e);
            }
            byte[] icmp = buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
            Inet6Address source = address(name.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE));
            int hopLimit = -1;
            int inIf = -1;
            Inet6Address destination = null;
            long controlLen = msg.get(LONG, 40);
            for (long at = 0; at + 16 <= controlLen; ) {
                long len = control.get(LONG, at);
                int level = control.get(INT, at + 8);
                int type = control.get(INT, at + 12);
                if (len < 16 || at + len > controlLen) {
                    break;
                }
                if (level == IPPROTO_IPV6 && type == IPV6_HOPLIMIT && len >= 20) {
                    hopLimit = control.get(INT, at + 16);
                } else if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO && len >= 36) {
                    destination = address(control.asSlice(at + 16, 16).toArray(ValueLayout.JAVA_BYTE));
                    inIf = control.get(INT, at + 32);
                }
                at += (len + 7) & ~7L;
            }
            return new Received(icmp, source, destination, hopLimit, inIf);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("receive: " + t, t);
        }
    }

    /** Sends {@code icmp} to link-local {@code to} on this socket's interface. */
    void send(byte[] icmp, Inet6Address to) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment buf = a.allocate(icmp.length);
            MemorySegment.copy(icmp, 0, buf, ValueLayout.JAVA_BYTE, 0, icmp.length);
            MemorySegment sa = a.allocate(SOCKADDR_IN6, 8);
            sa.set(SHORT, 0, (short) AF_INET6);
            MemorySegment.copy(to.getAddress(), 0, sa, ValueLayout.JAVA_BYTE, 8, 16);
            sa.set(INT, 24, ifindex);
            long sent = (long) SENDTO.invokeExact(st, fd, buf, (long) icmp.length, 0, sa, SOCKADDR_IN6);
            if (sent < 0) {
                throw failure("sendto " + to.getHostAddress(), errno(st));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("send: " + t, t);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        close(fd);
    }

    private static Inet6Address address(byte[] sixteen) {
        try {
            return (Inet6Address) InetAddress.getByAddress(sixteen);
        } catch (UnknownHostException | ClassCastException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static IOException failure(String call, int errno) {
        return new IOException(call + " failed: " + Errno.name(errno));
    }

    /** A few errno names for messages (Linux asm-generic/errno-base.h). */
    static final class Errno {
        private Errno() {
        }

        static String name(int e) {
            String n = switch (e) {
                case 1 -> "EPERM (operation not permitted: needs root or CAP_NET_RAW)";
                case 13 -> "EACCES (permission denied)";
                case 19 -> "ENODEV (no such device)";
                case 22 -> "EINVAL (invalid argument)";
                case 97 -> "EAFNOSUPPORT (IPv6 is not available in this kernel)";
                case 99 -> "EADDRNOTAVAIL (no usable source address)";
                case 101 -> "ENETUNREACH (network unreachable)";
                case 105 -> "ENOBUFS (no buffer space)";
                case 93 -> "EPROTONOSUPPORT (protocol not supported)";
                default -> null;
            };
            return n != null ? n : "errno " + e;
        }
    }
}

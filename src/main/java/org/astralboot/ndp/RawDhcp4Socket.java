package org.astralboot.ndp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A Linux packet socket ({@code AF_PACKET}, {@code SOCK_DGRAM}: each packet from its IPv4 header on)
 * that receives copies of the DHCPv4 requests on one interface, and never sends. It does not bind
 * UDP port 67: another DHCP server on this host keeps the port, and every packet still reaches it.
 * A classic BPF filter ({@link #FILTER}) lets only unfragmented UDP to port 67 through, in the kernel,
 * so the rest of the interface's IPv4 traffic (boot downloads) is never copied here.
 *
 * <p>The socket is made with protocol 0 (it receives nothing), gets its filter, and only then is
 * bound to IPv4 on the interface ({@code packet(7)}), so no unfiltered packet is queued. Needs root
 * or {@code CAP_NET_RAW}; a failure is an {@link IOException} naming the call and errno.
 */
final class RawDhcp4Socket implements AutoCloseable {
    // Linux <linux/if_ether.h>, <linux/if_packet.h>, <asm-generic/socket.h>, <linux/filter.h>.
    static final int AF_PACKET = 17;
    static final int SOCK_DGRAM = 2;
    static final int ETH_P_IP = 0x0800;
    static final int SO_ATTACH_FILTER = 26;
    static final int MSG_DONTWAIT = 0x40;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    private static final int SOCKADDR_LL = 20;

    /**
     * The filter, one {@code {code, jt, jf, k}} per instruction (classic BPF, {@code linux/filter.h});
     * offsets count from the IPv4 header, as a {@code SOCK_DGRAM} packet socket sees it.
     */
    static final int[][] FILTER = {
        {0x30, 0, 0, 9},         // 0: ldb [9]             IPv4 protocol
        {0x15, 0, 6, 17},        // 1: jeq #17, 2, 8       UDP?
        {0x28, 0, 0, 6},         // 2: ldh [6]             flags and fragment offset
        {0x45, 4, 0, 0x3fff},    // 3: jset #0x3fff, 8, 4  a fragment (MF or offset): drop
        {0xb1, 0, 0, 0},         // 4: ldxb 4*([0]&0xf)    X = IPv4 header length
        {0x48, 0, 0, 2},         // 5: ldh [x+2]           UDP destination port
        {0x15, 0, 1, 67},        // 6: jeq #67, 7, 8
        {0x06, 0, 0, 0xffff},    // 7: ret #65535          accept the whole packet
        {0x06, 0, 0, 0},         // 8: ret #0              drop
    };

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    private static final MethodHandle BIND = RawIcmp6Socket.call("bind",
            FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT));
    private static final MethodHandle RECV = RawIcmp6Socket.call("recv",
            FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, LONG, INT));

    private final int fd;
    private volatile boolean closed;

    private RawDhcp4Socket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens the socket on the interface with index {@code ifindex}.
     *
     * @throws IOException naming the call that failed and its errno (EPERM without CAP_NET_RAW)
     */
    static RawDhcp4Socket open(int ifindex) throws IOException {
        if (!RawIcmp6Socket.supported()) {
            throw new IOException("packet sockets are implemented for 64-bit little-endian Linux only");
        }
        RawDhcp4Socket s = new RawDhcp4Socket(RawIcmp6Socket.socket(AF_PACKET, SOCK_DGRAM, 0,
                "socket(AF_PACKET, SOCK_DGRAM)"));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(8L * FILTER.length, 8);
            for (int i = 0; i < FILTER.length; i++) {
                prog.set(SHORT, 8L * i, (short) FILTER[i][0]);
                prog.set(ValueLayout.JAVA_BYTE, 8L * i + 2, (byte) FILTER[i][1]);
                prog.set(ValueLayout.JAVA_BYTE, 8L * i + 3, (byte) FILTER[i][2]);
                prog.set(INT, 8L * i + 4, FILTER[i][3]);
            }
            MemorySegment fprog = a.allocate(16, 8); // struct sock_fprog: unsigned short len; filter pointer at 8
            fprog.set(SHORT, 0, (short) FILTER.length);
            fprog.set(ValueLayout.ADDRESS, 8, prog);
            RawIcmp6Socket.setsockopt(a, s.fd, RawIcmp6Socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog, "SO_ATTACH_FILTER");
            MemorySegment sll = a.allocate(SOCKADDR_LL, 4);
            sll.set(SHORT, 0, (short) AF_PACKET);
            sll.set(SHORT, 2, Short.reverseBytes((short) ETH_P_IP)); // network byte order
            sll.set(INT, 4, ifindex);
            MemorySegment st = a.allocate(RawIcmp6Socket.CAPTURE);
            int rc = (int) BIND.invokeExact(st, s.fd, sll, SOCKADDR_LL);
            if (rc != 0) {
                throw RawIcmp6Socket.failure("bind(AF_PACKET, ifindex " + ifindex + ")", RawIcmp6Socket.errno(st));
            }
        } catch (IOException | RuntimeException | Error e) {
            s.close();
            throw e;
        } catch (Throwable t) {
            s.close();
            throw new IOException("packet socket: " + t, t);
        }
        return s;
    }

    /**
     * Waits up to {@code timeoutMillis} for a packet and returns it from its IPv4 header on, or null
     * when none came (or a signal interrupted the wait).
     */
    byte[] receive(int timeoutMillis) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            if (!RawIcmp6Socket.readable(a, fd, timeoutMillis)) {
                return null;
            }
            MemorySegment st = a.allocate(RawIcmp6Socket.CAPTURE);
            MemorySegment buf = a.allocate(65_536);
            long got = (long) RECV.invokeExact(st, fd, buf, buf.byteSize(), MSG_DONTWAIT);
            if (got < 0) {
                int e = RawIcmp6Socket.errno(st);
                if (e == EINTR || e == EAGAIN) {
                    return null;
                }
                throw RawIcmp6Socket.failure("recv", e);
            }
            return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("receive: " + t, t);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            RawIcmp6Socket.close(fd);
        }
    }
}

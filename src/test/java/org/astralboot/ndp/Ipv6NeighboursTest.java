package org.astralboot.ndp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

class Ipv6NeighboursTest {
    static final byte[] VM = {0x52, 0x54, 0, (byte) 0xe2, 6, 0x11};

    /** One RTM_NEWNEIGH message as the kernel builds it (neigh_fill_info): ndmsg, NDA_DST, NDA_LLADDR. */
    static ByteBuffer neigh(ByteBuffer b, int family, int state, String dst, byte[] lladdr) throws Exception {
        byte[] d = InetAddress.getByName(dst).getAddress();
        int len = 16 + 12 + (4 + d.length) + (lladdr == null ? 0 : 4 + ((lladdr.length + 3) & ~3));
        b.putInt(len).putShort((short) Ipv6Neighbours.RTM_NEWNEIGH).putShort((short) 2).putInt(1).putInt(0);
        b.put((byte) family).put((byte) 0).putShort((short) 0).putInt(3).putShort((short) state).put((byte) 0).put((byte) 1);
        b.putShort((short) (4 + d.length)).putShort((short) Ipv6Neighbours.NDA_DST).put(d);
        if (lladdr != null) {
            b.putShort((short) (4 + lladdr.length)).putShort((short) Ipv6Neighbours.NDA_LLADDR).put(lladdr);
            for (int i = lladdr.length; i % 4 != 0; i++) {
                b.put((byte) 0);
            }
        }
        return b;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    static ByteBuffer buffer() {
        return ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    }

    @Test
    void resolvedIpv6EntriesOnly() throws Exception {
        ByteBuffer b = buffer();
        neigh(b, 10, 0x02, "2001:db8:e2::5054:ff:fee2:611", VM);              // reachable
        neigh(b, 10, 0x04, "fe80::5054:ff:fee2:611", VM);                     // stale: still resolved
        neigh(b, 10, 0x01, "2001:db8:e2::99", new byte[6]);                   // incomplete
        neigh(b, 10, 0x20, "2001:db8:e2::98", VM);                            // failed
        neigh(b, 10, 0x02, "2001:db8:e2::97", null);                          // no link-layer address
        neigh(b, 10, 0x02, "2001:db8:e2::96", new byte[20]);                  // not Ethernet
        neigh(b, 2, 0x02, "::ffff:192.0.2.10", VM);                           // another family
        Map<InetAddress, Set<MacAddress>> out = new HashMap<>();
        assertFalse(Ipv6Neighbours.parse(bytes(b), out), "no NLMSG_DONE yet");
        MacAddress vm = MacAddress.of(VM, 0);
        assertEquals(Map.of(InetAddress.getByName("2001:db8:e2::5054:ff:fee2:611"), Set.of(vm),
                InetAddress.getByName("fe80::5054:ff:fee2:611"), Set.of(vm)), out);
    }

    @Test
    void theDumpEndsAtDoneAndAnErrorIsReported() throws Exception {
        ByteBuffer b = buffer();
        neigh(b, 10, 0x02, "2001:db8:e2::1:1", VM);
        b.putInt(20).putShort((short) Ipv6Neighbours.NLMSG_DONE).putShort((short) 2).putInt(1).putInt(0).putInt(0);
        Map<InetAddress, Set<MacAddress>> out = new HashMap<>();
        assertTrue(Ipv6Neighbours.parse(bytes(b), out));
        assertEquals(1, out.size());

        ByteBuffer e = buffer();
        e.putInt(36).putShort((short) Ipv6Neighbours.NLMSG_ERROR).putShort((short) 0).putInt(1).putInt(0).putInt(-1);
        e.put(new byte[16]);
        IOException x = assertThrows(IOException.class, () -> Ipv6Neighbours.parse(bytes(e), new HashMap<>()));
        assertTrue(x.getMessage().contains("EPERM"), x.getMessage());
    }

    @Test
    void truncatedMessagesAreSkipped() throws Exception {
        byte[] whole = bytes(neigh(buffer(), 10, 0x02, "2001:db8:e2::1:1", VM));
        Map<InetAddress, Set<MacAddress>> out = new HashMap<>();
        assertFalse(Ipv6Neighbours.parse(java.util.Arrays.copyOf(whole, whole.length - 4), out));
        assertEquals(Map.of(), out);
    }

    @Test
    void readsThisHostsTable() throws Exception {
        // Only reads (an RTM_GETNEIGH dump changes nothing): the system calls and the dump's end work.
        assertNotNull(Ipv6Neighbours.dump());
    }
}

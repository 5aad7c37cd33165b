package org.astralboot.dhcp.engine;

import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOp;
import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpOptions;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;

/** Builds client requests for engine tests. */
final class Requests {
    private Requests() {
    }

    static int ip(String s) {
        return Ipv4.toInt(Ipv4.parse(s));
    }

    static DhcpPacket req(MacAddress mac, DhcpMessageType t, int ciaddr, int giaddr, DhcpOptions.Builder extra) {
        DhcpOptions.Builder o = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, t.code);
        DhcpOptions e = extra.build();
        for (int c : e.codes()) {
            o.put(c, e.get(c));
        }
        return new DhcpPacket(DhcpOp.BOOTREQUEST, 1, 6, 0, 0x1234, 0, 0, ciaddr, 0, 0, giaddr,
                DhcpPacket.chaddrOf(mac), "", "", o.build());
    }

    static DhcpOptions.Builder opts() {
        return DhcpOptions.builder();
    }
}

package org.astralboot.dhcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpCodecException;
import org.astralboot.dhcp.codec.DhcpPacket;

/** Reads DHCP payloads of UDP/IPv4 Ethernet frames from a classic libpcap file written by tcpdump. */
final class Pcap {
    private Pcap() {
    }

    static List<DhcpPacket> dhcp(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        List<DhcpPacket> r = new ArrayList<>();
        if (all.length < 24) {
            return r;
        }
        ByteBuffer b = ByteBuffer.wrap(all);
        int magic = b.getInt(0);
        b.order(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int off = 24;
        while (off + 16 <= all.length) {
            int incl = b.getInt(off + 8);
            int start = off + 16;
            off = start + incl;
            if (off > all.length || incl < 14 + 20 + 8) {
                break;
            }
            if ((all[start + 12] & 0xFF) != 0x08 || all[start + 13] != 0) {
                continue;
            }
            int ip = start + 14;
            int ihl = (all[ip] & 0x0F) * 4;
            if (all[ip + 9] != 17) {
                continue;
            }
            int udp = ip + ihl;
            int payload = udp + 8;
            try {
                r.add(DhcpCodec.decode(all, payload, start + incl - payload));
            } catch (DhcpCodecException e) {
                // not DHCP
            }
        }
        return r;
    }
}

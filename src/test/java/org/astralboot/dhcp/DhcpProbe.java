package org.astralboot.dhcp;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.HexFormat;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOp;
import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpOptions;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;

/**
 * A crafted DHCP client for ITs, run inside a client namespace with {@code ip netns exec}: sends one
 * message and prints every reply it receives within the wait time, one line each:
 * {@code REPLY <type> from=<ip> yiaddr= siaddr= file= vc= o43= sid= port=}. Prints {@code NONE} when
 * nothing came.
 *
 * <p>Arguments, {@code key=value}: mac, type (discover|request|inform), arch, vendor, userclass,
 * dest (default 255.255.255.255), port (67), sport (68), ciaddr, requested, server, wait (ms),
 * timed (any value: each REPLY line ends with {@code ms=<milliseconds from the send to the reply> at=<epoch milliseconds of the reply>}).
 */
public final class DhcpProbe {
    private DhcpProbe() {
    }

    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> a = new java.util.HashMap<>();
        for (String s : args) {
            int i = s.indexOf('=');
            a.put(s.substring(0, i), s.substring(i + 1));
        }
        MacAddress mac = MacAddress.parse(a.getOrDefault("mac", "52:54:00:99:00:01"));
        DhcpMessageType type = DhcpMessageType.valueOf(a.getOrDefault("type", "discover").toUpperCase());
        DhcpOptions.Builder o = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, type.code);
        if (a.containsKey("requested")) {
            o.put(DhcpOption.REQUESTED_ADDRESS, Ipv4.parse(a.get("requested")).getAddress());
        }
        if (a.containsKey("server")) {
            o.put(DhcpOption.SERVER_ID, Ipv4.parse(a.get("server")).getAddress());
        }
        o.put(DhcpOption.PARAMETER_LIST, new byte[] {1, 3, 6, 12, 15, 43, 60, 66, 67, 97});
        if (a.containsKey("vendor")) {
            o.putText(DhcpOption.VENDOR_CLASS, a.get("vendor"));
        }
        if (a.containsKey("arch")) {
            int arch = Integer.parseInt(a.get("arch"));
            o.put(DhcpOption.CLIENT_ARCH, new byte[] {(byte) (arch >> 8), (byte) arch});
            o.put(DhcpOption.CLIENT_UUID, HexFormat.of().parseHex("00112233445566778899aabbccddeeff00"));
        }
        if (a.containsKey("userclass")) {
            o.putText(DhcpOption.USER_CLASS, a.get("userclass"));
        }
        int ciaddr = a.containsKey("ciaddr") ? Ipv4.toInt(Ipv4.parse(a.get("ciaddr"))) : 0;
        DhcpPacket p = new DhcpPacket(DhcpOp.BOOTREQUEST, 1, 6, 0, (int) System.nanoTime(), 0,
                ciaddr == 0 ? DhcpPacket.FLAG_BROADCAST : 0, ciaddr, 0, 0, 0, DhcpPacket.chaddrOf(mac), "", "",
                o.build());
        byte[] out = DhcpCodec.encode(p);
        int sport = Integer.parseInt(a.getOrDefault("sport", "68"));
        long wait = Long.parseLong(a.getOrDefault("wait", "3000"));
        int replies = 0;
        try (DatagramSocket s = new DatagramSocket(null)) {
            s.setReuseAddress(true);
            s.setBroadcast(true);
            s.bind(new InetSocketAddress("0.0.0.0", sport));
            InetAddress dest = InetAddress.getByName(a.getOrDefault("dest", "255.255.255.255"));
            long sent = System.nanoTime();
            s.send(new DatagramPacket(out, out.length, dest, Integer.parseInt(a.getOrDefault("port", "67"))));
            long end = System.currentTimeMillis() + wait;
            byte[] buf = new byte[1500];
            while (true) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                s.setSoTimeout((int) left);
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(in);
                } catch (SocketTimeoutException e) {
                    break;
                }
                DhcpPacket r;
                try {
                    r = DhcpCodec.decode(in.getData(), in.getOffset(), in.getLength());
                } catch (Exception e) {
                    continue;
                }
                if (r.op() != DhcpOp.BOOTREPLY || r.xid() != p.xid()) {
                    continue;
                }
                replies++;
                byte[] o43 = r.options().get(DhcpOption.VENDOR_SPECIFIC);
                System.out.println("REPLY " + r.messageType() + " from=" + in.getAddress().getHostAddress()
                        + " port=" + in.getPort()
                        + " yiaddr=" + Ipv4.fromInt(r.yiaddr()).getHostAddress()
                        + " siaddr=" + Ipv4.fromInt(r.siaddr()).getHostAddress()
                        + " file=" + r.file()
                        + " vc=" + r.options().text(DhcpOption.VENDOR_CLASS).orElse("")
                        + " o43=" + (o43 == null ? "" : HexFormat.of().formatHex(o43))
                        + " sid=" + Ipv4.fromInt(r.options().intValue(DhcpOption.SERVER_ID, 0)).getHostAddress()
                        + " host=" + r.options().text(DhcpOption.HOST_NAME).orElse("")
                        + (a.containsKey("timed") ? " ms=" + (System.nanoTime() - sent) / 1_000_000
                                + " at=" + System.currentTimeMillis() : ""));
            }
        }
        if (replies == 0) {
            System.out.println("NONE");
        }
    }
}

package org.astralboot.dhcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpCodecException;
import org.astralboot.dhcp.codec.DhcpPacket;

/** Reads DHCP payloads of UDP/IPv4 Ethernet frames from a classic libpcap file written by tcpdump. */
final class Pcap {
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private Pcap() {
    }

    /** A DHCP message and when it was captured (microseconds since the epoch, the host's clock). */
    record Timed(long micros, DhcpPacket packet) {
    }

    static List<DhcpPacket> dhcp(Path file) throws IOException {
        List<Timed> timed = new ArrayList<>();
        dhcpFrom(file, 0, timed);
        return timed.stream().map(Timed::packet).toList();
    }

    /**
     * Reads the DHCP messages of every complete record from byte {@code from} of the file (0: its
     * start) into {@code out}, and returns the offset after the last complete record: where the next
     * call goes on, while a capture ({@code tcpdump -U}) is still writing the file.
     */
    static long dhcpFrom(Path file, long from, List<Timed> out) throws IOException {
        byte[] head = new byte[FILE_HEADER];
        byte[] all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long start = Math.max(from, FILE_HEADER);
            if (ch.size() < start) {
                return from;
            }
            ch.read(ByteBuffer.wrap(head), 0);
            all = new byte[(int) (ch.size() - start)];
            ByteBuffer into = ByteBuffer.wrap(all);
            while (into.hasRemaining() && ch.read(into, start + into.position()) > 0) {
                // until the end seen by size()
            }
            from = start;
        }
        int magic = ByteBuffer.wrap(head).getInt();
        ByteBuffer b = ByteBuffer.wrap(all);
        b.order(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        boolean nanos = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
        int off = 0;
        while (off + RECORD_HEADER <= all.length) {
            long sec = b.getInt(off) & 0xFFFFFFFFL;
            long frac = b.getInt(off + 4) & 0xFFFFFFFFL;
            int incl = b.getInt(off + 8);
            int start = off + RECORD_HEADER;
            if (incl < 0 || start + incl > all.length) {
                break; // the capture is still writing this record
            }
            off = start + incl;
            if (incl < 14 + 20 + 8 || (all[start + 12] & 0xFF) != 0x08 || all[start + 13] != 0) {
                continue;
            }
            int ip = start + 14;
            int ihl = (all[ip] & 0x0F) * 4;
            if (all[ip + 9] != 17) {
                continue;
            }
            int payload = ip + ihl + 8;
            try {
                out.add(new Timed(sec * 1_000_000 + (nanos ? frac / 1000 : frac),
                        DhcpCodec.decode(all, payload, start + incl - payload)));
            } catch (DhcpCodecException e) {
                // not DHCP
            }
        }
        return from + off;
    }
}

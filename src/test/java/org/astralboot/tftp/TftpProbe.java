package org.astralboot.tftp;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.astralboot.tftp.codec.TftpCodec;
import org.astralboot.tftp.codec.TftpCodecException;
import org.astralboot.tftp.codec.TftpErrorCode;
import org.astralboot.tftp.codec.TftpPacket;

/**
 * A raw-datagram TFTP client for wire checks, run inside the client namespace by the ITs:
 * {@code TftpProbe <server> <port> <scenario>...}. Each scenario prints one line
 * {@code <scenario>: <what came back>}, in the order given (order matters: {@code hold} leaves
 * transfers running until the server times them out); the IT asserts on those lines.
 */
public final class TftpProbe {
    private final InetAddress server;
    private final int port;

    private TftpProbe(InetAddress server, int port) {
        this.server = server;
        this.port = port;
    }

    public static void main(String[] args) throws Exception {
        TftpProbe p = new TftpProbe(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        for (int i = 2; i < args.length; i++) {
            String s = args[i];
            String result;
            try {
                result = p.run(s);
            } catch (Exception e) {
                result = "EXCEPTION " + e;
            }
            System.out.println(s + ": " + result);
            System.out.flush();
        }
    }

    private String run(String scenario) throws Exception {
        int colon = scenario.indexOf('=');
        String name = colon < 0 ? scenario : scenario.substring(0, colon);
        String arg = colon < 0 ? "" : scenario.substring(colon + 1);
        return switch (name) {
            // Sends a request for file <arg> (octet, no options) and reports the first answer.
            case "rrq" -> first(request(1, arg, "octet"));
            case "wrq" -> first(request(2, arg, "octet"));
            case "mode" -> first(request(1, "undionly.kpxe", arg));
            // Raw hex datagram to the listener.
            case "raw" -> first(HexFormat.of().parseHex(arg));
            // RRQ with options "k v,k v" and reports the OACK.
            case "options" -> first(requestWithOptions(arg));
            case "reject-oack" -> rejectOack(arg);
            case "wrong-tid" -> wrongTid(arg);
            case "duplicate-ack" -> duplicateAck(arg);
            case "garbage-on-transfer" -> garbageOnTransfer(arg);
            case "hold" -> hold(arg);
            case "flood" -> flood(arg);
            case "sleep" -> {
                Thread.sleep(Long.parseLong(arg));
                yield "slept";
            }
            default -> "unknown scenario";
        };
    }

    private static byte[] request(int opcode, String file, String mode) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0);
        b.write(opcode);
        b.writeBytes(file.getBytes(StandardCharsets.UTF_8));
        b.write(0);
        b.writeBytes(mode.getBytes(StandardCharsets.US_ASCII));
        b.write(0);
        return b.toByteArray();
    }

    /** {@code file|k v|k v}. */
    private static byte[] requestWithOptions(String spec) {
        String[] parts = spec.split("\\|");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(request(1, parts[0], "octet"));
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split(" ", 2);
            b.writeBytes(kv[0].getBytes(StandardCharsets.US_ASCII));
            b.write(0);
            b.writeBytes(kv[1].getBytes(StandardCharsets.US_ASCII));
            b.write(0);
        }
        return b.toByteArray();
    }

    private String first(byte[] datagram) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(3000);
            s.send(new DatagramPacket(datagram, datagram.length, server, port));
            DatagramPacket r = receive(s);
            if (r == null) {
                return "NOTHING";
            }
            String d = describe(r);
            // Do not leave a transfer waiting for us: refuse whatever started.
            if (d.startsWith("DATA") || d.startsWith("OACK")) {
                send(s, r, new TftpPacket.Error(0, "probe done"));
            }
            return d;
        }
    }

    private String rejectOack(String file) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(3000);
            byte[] q = requestWithOptions(file + "|blksize 1024");
            s.send(new DatagramPacket(q, q.length, server, port));
            DatagramPacket r = receive(s);
            if (r == null || !describe(r).startsWith("OACK")) {
                return "expected OACK, got " + (r == null ? "NOTHING" : describe(r));
            }
            send(s, r, new TftpPacket.Error(TftpErrorCode.OPTION_REFUSED, "blksize not wanted"));
            s.setSoTimeout(2500);
            DatagramPacket after = receive(s);
            return "OACK then " + (after == null ? "SILENCE" : describe(after));
        }
    }

    /** A second socket ACKs the first transfer's block: it gets ERROR 5, the transfer completes. */
    private String wrongTid(String file) throws Exception {
        try (DatagramSocket a = new DatagramSocket(); DatagramSocket b = new DatagramSocket()) {
            a.setSoTimeout(3000);
            b.setSoTimeout(3000);
            byte[] q = request(1, file, "octet");
            a.send(new DatagramPacket(q, q.length, server, port));
            DatagramPacket first = receive(a);
            if (first == null) {
                return "NOTHING";
            }
            InetSocketAddress tid = (InetSocketAddress) first.getSocketAddress();
            byte[] ack1 = TftpCodec.encode(new TftpPacket.Ack(1));
            b.send(new DatagramPacket(ack1, ack1.length, tid));
            DatagramPacket err = receive(b);
            String intruder = err == null ? "NOTHING" : describe(err);
            // The real client now fetches the whole file, lock-step.
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            DatagramPacket cur = first;
            long bytes = 0;
            while (true) {
                TftpPacket p = TftpCodec.decode(cur.getData(), 0, cur.getLength());
                if (!(p instanceof TftpPacket.Data d)) {
                    return "intruder " + intruder + "; transfer broke with " + p;
                }
                sha.update(d.data());
                bytes += d.length();
                send(a, cur, new TftpPacket.Ack(d.block()));
                if (d.length() < 512) {
                    break;
                }
                do {
                    cur = receive(a);
                    if (cur == null) {
                        return "intruder " + intruder + "; transfer stalled";
                    }
                } while (TftpCodec.decode(cur.getData(), 0, cur.getLength()) instanceof TftpPacket.Data d2
                        && d2.block() == d.block()); // a retransmission of what we already have
            }
            return "intruder " + intruder + "; transfer " + bytes + " bytes sha256 "
                    + HexFormat.of().formatHex(sha.digest());
        }
    }

    /**
     * A lock-step download that sends every ACK twice. A server with the Sorcerer's Apprentice
     * bug answers each duplicate with the next block again and so sends about twice as many DATA
     * packets as there are blocks; a correct one sends each block once (plus any timer resends).
     */
    private String duplicateAck(String file) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(3000);
            byte[] q = request(1, file, "octet");
            s.send(new DatagramPacket(q, q.length, server, port));
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            int expect = 1;
            int blocks = 0;
            int dataPackets = 0;
            while (true) {
                DatagramPacket r = receive(s);
                if (r == null) {
                    return "stalled after " + blocks + " blocks";
                }
                if (!(TftpCodec.decode(r.getData(), 0, r.getLength()) instanceof TftpPacket.Data d)) {
                    return "unexpected " + describe(r);
                }
                dataPackets++;
                if (d.block() != expect) {
                    continue; // a resend of a block we have
                }
                sha.update(d.data());
                blocks++;
                expect = (expect + 1) & 0xFFFF;
                send(s, r, new TftpPacket.Ack(d.block()));
                send(s, r, new TftpPacket.Ack(d.block()));
                if (d.length() < 512) {
                    break;
                }
            }
            // Collect whatever else the duplicates provoke.
            s.setSoTimeout(300);
            while (receive(s) != null) {
                dataPackets++;
            }
            return blocks + " blocks, " + dataPackets + " DATA packets, sha256 " + HexFormat.of().formatHex(sha.digest());
        }
    }

    private String garbageOnTransfer(String file) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(3000);
            byte[] q = request(1, file, "octet");
            s.send(new DatagramPacket(q, q.length, server, port));
            DatagramPacket d1 = receive(s);
            if (d1 == null) {
                return "NOTHING";
            }
            byte[] junk = HexFormat.of().parseHex("000400"); // a truncated ACK
            s.send(new DatagramPacket(junk, junk.length, d1.getSocketAddress()));
            DatagramPacket r;
            while ((r = receive(s)) != null) {
                String d = describe(r);
                if (!d.startsWith("DATA 1 ")) {
                    return d;
                }
            }
            return "NOTHING";
        }
    }

    /** Opens {@code n} transfers of {@code file} without acknowledging, then sends one more request. */
    /** Sockets of {@code flood}, left open (and silent) until the probe exits. */
    private final List<DatagramSocket> flooding = new java.util.ArrayList<>();

    /**
     * {@code n|source|file}: {@code n} requests for {@code file} with {@code timeout 255}, each from
     * its own port on {@code source}, sent back to back; then silence (no ACK ever). Reports how many
     * were answered with DATA or OACK and how many refused with an ERROR, as seen within 3 s.
     */
    private String flood(String spec) throws Exception {
        String[] p = spec.split("\\|");
        int n = Integer.parseInt(p[0]);
        InetAddress source = InetAddress.getByName(p[1]);
        byte[] q = requestWithOptions(p[2] + "|timeout 255");
        List<DatagramSocket> now = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, 0));
            flooding.add(s);
            now.add(s);
            s.send(new DatagramPacket(q, q.length, server, port));
        }
        int answered = 0;
        java.util.Map<String, Integer> refused = new java.util.TreeMap<>();
        long end = System.nanoTime() + 3_000_000_000L;
        for (DatagramSocket s : now) {
            s.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
            DatagramPacket r = receive(s);
            if (r == null) {
                continue;
            }
            int op = ((r.getData()[0] & 0xFF) << 8) | (r.getData()[1] & 0xFF);
            if (op == 5) {
                refused.merge(describe(r), 1, Integer::sum);
            } else {
                answered++;
            }
        }
        return n + " sent, " + answered + " answered, refused " + refused;
    }

    private String hold(String spec) throws Exception {
        String[] p = spec.split("\\|");
        int n = Integer.parseInt(p[0]);
        List<DatagramSocket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                DatagramSocket s = new DatagramSocket();
                s.setSoTimeout(3000);
                held.add(s);
                byte[] q = request(1, p[1], "octet");
                s.send(new DatagramPacket(q, q.length, server, port));
                if (receive(s) == null) {
                    return "transfer " + i + " did not start";
                }
            }
            return "after " + n + ": " + first(request(1, p[1], "octet"));
        } finally {
            for (DatagramSocket s : held) {
                s.close();
            }
        }
    }

    private static void send(DatagramSocket s, DatagramPacket to, TftpPacket p) throws Exception {
        byte[] b = TftpCodec.encode(p);
        s.send(new DatagramPacket(b, b.length, to.getSocketAddress()));
    }

    private static DatagramPacket receive(DatagramSocket s) throws Exception {
        DatagramPacket r = new DatagramPacket(new byte[70000], 70000);
        try {
            s.receive(r);
            return r;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private String describe(DatagramPacket r) {
        String from = r.getPort() == port ? "from listener" : "from transfer port";
        try {
            TftpPacket p = TftpCodec.decode(r.getData(), 0, r.getLength());
            return switch (p) {
                case TftpPacket.Error e -> "ERROR " + e.code() + " " + e.message() + " (" + from + ")";
                case TftpPacket.Data d -> "DATA " + d.block() + " " + d.length() + " bytes (" + from + ")";
                case TftpPacket.Oack o -> "OACK " + o.options().stream().map(x -> x.name() + "=" + x.value()).toList()
                        + " (" + from + ")";
                default -> p.toString();
            };
        } catch (TftpCodecException e) {
            return "UNDECODABLE " + e.getMessage();
        }
    }
}

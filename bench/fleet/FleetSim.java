import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet of simulated PXE machines booting at once: what BIOS PXE firmware and then iPXE do, one
 * virtual thread per machine (no platform thread per machine). Run inside the client namespace:
 *
 * <pre>java bench/fleet/FleetSim.java --n 1000 --server 198.19.16.1 --os fleet [--spread 2] [--mac-prefix 02:f1:ee:02]</pre>
 *
 * <ol>
 *   <li>Firmware DHCP (PXE spec 2.1 §2.2.1): DISCOVER with option 60 "PXEClient:Arch:00000:UNDI:002001",
 *       93 (arch 0), 94 (UNDI 2.1), 97 (UUID), broadcast flag set; retransmitted after 4, 8, 16, 32 s,
 *       then the machine gives up (PXE-E51); the REQUEST likewise.</li>
 *   <li>Firmware TFTP of the boot file named in the ACK (file field / option 67) from next-server (siaddr /
 *       option 66), blksize 1432 and tsize, lock-step; the RRQ and then the last ACK retransmitted after 1 s,
 *       doubling, 5 tries; a TFTP ERROR fails the boot.</li>
 *   <li>iPXE's DHCP: user class (77) "iPXE", option 175 (iPXE feature flags), new xid; iPXE's timers
 *       (1 s doubling to at most 10 s: 1, 2, 4, 8 s, then failure).</li>
 *   <li>HTTP as iPXE: the boot file URL, then each script's {@code chain} (a menu: the item of {@code --os},
 *       as a user choosing it), until a script with {@code kernel}/{@code initrd}; then the kernel and each
 *       initrd, in order. One keep-alive connection from the machine's leased address (re-opened when the
 *       server closes it). An HTTP error or a dropped connection: the step is retried after Retry-After or
 *       10 s (what the Astralboot scripts' failure paths do), at most 5 times; 120 s without a byte is
 *       iPXE's watchdog failure.</li>
 * </ol>
 * Each machine binds its TFTP and HTTP sockets to the address it leased: the client namespace must hold
 * every pool address on its interface (one link-layer MAC for all machines; the DHCP chaddr is each
 * machine's own). Prints one result line per machine with {@code --verbose}, then a summary.
 */
public final class FleetSim {
    static final int[] PXE_DHCP_TIMEOUTS = {4, 8, 16, 32};
    static final int[] IPXE_DHCP_TIMEOUTS = {1, 2, 4, 8};
    static final int[] TFTP_TIMEOUTS = {1, 2, 4, 8, 16};
    static final int HTTP_TRIES = 5;
    static final int HTTP_IDLE_MS = 120_000;

    // ---- options
    static int n = 10;
    static String server = "198.19.16.1";
    static String os = "fleet";
    static double spread = 2.0;
    static byte[] macPrefix = {0x02, (byte) 0xf1, (byte) 0xee, 0x02};
    static boolean verbose;
    static int blksize = 1432;

    static DatagramChannel dhcp;
    static final Map<Integer, BlockingQueue<byte[]>> waiting = new ConcurrentHashMap<>();
    static final AtomicLong dhcpRetx = new AtomicLong(), tftpRetx = new AtomicLong(), tftpDupData = new AtomicLong(),
            httpRetries = new AtomicLong(), dhcpNaks = new AtomicLong(), bytes = new AtomicLong();

    /** One machine's record. */
    static final class M {
        final int index;
        final byte[] mac;
        long powerOn, dhcp1, tftp, dhcp2, scripts, kernel, initrd; // ms since run start
        String failure;
        String ip;
        int retries;

        M(int index) {
            this.index = index;
            mac = Arrays.copyOf(macPrefix, 6);
            mac[4] = (byte) (index >> 8);
            mac[5] = (byte) index;
        }

        String macColons() {
            StringBuilder s = new StringBuilder();
            for (byte b : mac) {
                s.append(s.isEmpty() ? "" : ":").append(String.format("%02x", b & 0xff));
            }
            return s.toString();
        }
    }

    static long t0;

    static long now() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--n" -> n = Integer.parseInt(args[++i]);
                case "--server" -> server = args[++i];
                case "--os" -> os = args[++i];
                case "--spread" -> spread = Double.parseDouble(args[++i]);
                case "--blksize" -> blksize = Integer.parseInt(args[++i]);
                case "--mac-prefix" -> {
                    String[] p = args[++i].split(":");
                    for (int k = 0; k < 4; k++) {
                        macPrefix[k] = (byte) Integer.parseInt(p[k], 16);
                    }
                }
                case "--verbose" -> verbose = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (n > 65536) {
            throw new IllegalArgumentException("at most 65536 machines");
        }
        dhcp = DatagramChannel.open(StandardProtocolFamily.INET);
        dhcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        dhcp.setOption(StandardSocketOptions.SO_BROADCAST, true);
        dhcp.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        dhcp.bind(new InetSocketAddress("0.0.0.0", 68));
        Thread rx = Thread.ofPlatform().daemon().name("dhcp-rx").start(FleetSim::receiveDhcp);
        Random rnd = new Random(42);
        List<M> ms = new ArrayList<>();
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            ms.add(new M(i));
            offsets[i] = (long) (rnd.nextDouble() * spread * 1000);
        }
        CountDownLatch done = new CountDownLatch(n);
        long cpu0 = cpu();
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            M m = ms.get(i);
            long off = offsets[i];
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(off);
                    m.powerOn = now();
                    boot(m);
                } catch (Throwable e) {
                    if (m.failure == null) {
                        m.failure = "crash: " + e;
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        long wall = now();
        long cpu = cpu() - cpu0;
        rx.interrupt();
        report(ms, wall, cpu);
    }

    static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static void report(List<M> ms, long wall, long cpuNanos) {
        int ok = 0;
        long last = 0;
        Map<String, Integer> fails = new TreeMap<>();
        for (M m : ms) {
            if (verbose) {
                System.out.printf(Locale.ROOT, "machine %s ip %s on %d dhcp %d tftp %d ipxe-dhcp %d scripts %d kernel %d initrd %d %s%n",
                        m.macColons(), m.ip, m.powerOn, m.dhcp1, m.tftp, m.dhcp2, m.scripts, m.kernel, m.initrd,
                        m.failure == null ? "ok" : "FAILED " + m.failure);
            }
            if (m.failure == null) {
                ok++;
                last = Math.max(last, m.initrd);
            } else {
                fails.merge(m.failure.replaceAll("[0-9.]+", "#"), 1, Integer::sum);
            }
        }
        System.out.printf(Locale.ROOT, "machines %d%n", ms.size());
        System.out.printf(Locale.ROOT, "completed %d%n", ok);
        System.out.printf(Locale.ROOT, "failed %d%n", ms.size() - ok);
        fails.forEach((k, v) -> System.out.printf(Locale.ROOT, "failure %d x %s%n", v, k));
        System.out.printf(Locale.ROOT, "all_initrd_s %.2f%n", last / 1000.0);
        System.out.printf(Locale.ROOT, "wall_s %.2f%n", wall / 1000.0);
        for (String phase : List.of("dhcp", "tftp", "ipxe-dhcp", "scripts", "kernel", "initrd")) {
            long[] v = ms.stream().filter(m -> m.failure == null).mapToLong(m -> switch (phase) {
                case "dhcp" -> m.dhcp1 - m.powerOn;
                case "tftp" -> m.tftp - m.dhcp1;
                case "ipxe-dhcp" -> m.dhcp2 - m.tftp;
                case "scripts" -> m.scripts - m.dhcp2;
                case "kernel" -> m.kernel - m.scripts;
                default -> m.initrd - m.kernel;
            }).sorted().toArray();
            if (v.length > 0) {
                System.out.printf(Locale.ROOT, "phase %-9s ms: median %d p95 %d max %d%n", phase, v[v.length / 2],
                        v[Math.min(v.length - 1, (int) (v.length * 0.95))], v[v.length - 1]);
            }
        }
        long[] boot = ms.stream().filter(m -> m.failure == null).mapToLong(m -> m.initrd - m.powerOn).sorted().toArray();
        if (boot.length > 0) {
            System.out.printf(Locale.ROOT, "per_machine_boot_s median %.2f p95 %.2f max %.2f%n", boot[boot.length / 2] / 1000.0,
                    boot[Math.min(boot.length - 1, (int) (boot.length * 0.95))] / 1000.0, boot[boot.length - 1] / 1000.0);
        }
        System.out.printf(Locale.ROOT, "dhcp_retransmissions %d%n", dhcpRetx.get());
        System.out.printf(Locale.ROOT, "dhcp_naks %d%n", dhcpNaks.get());
        System.out.printf(Locale.ROOT, "tftp_retransmissions %d%n", tftpRetx.get());
        System.out.printf(Locale.ROOT, "tftp_duplicate_data %d%n", tftpDupData.get());
        System.out.printf(Locale.ROOT, "http_retries %d%n", httpRetries.get());
        System.out.printf(Locale.ROOT, "bytes %d%n", bytes.get());
        System.out.printf(Locale.ROOT, "client_cpu_s %.2f%n", cpuNanos / 1e9);
    }

    // ------------------------------------------------------------------------------------ boot

    static void boot(M m) throws Exception {
        Random r = new Random(m.index * 7919L + 1);
        // 1. firmware DHCP
        byte[] ack = dora(m, r, false);
        if (ack == null) {
            return;
        }
        m.dhcp1 = now();
        Dhcp a = Dhcp.parse(ack);
        m.ip = a.yiaddr;
        String next = a.opts.containsKey(66) ? str(a.opts.get(66)) : a.siaddr;
        if ("0.0.0.0".equals(next)) {
            next = a.opts.containsKey(54) ? ip(a.opts.get(54), 0) : server;
        }
        String file = a.opts.containsKey(67) ? str(a.opts.get(67)) : a.file;
        if (file.isEmpty()) {
            m.failure = "firmware DHCP: no boot file";
            return;
        }
        // 2. TFTP of the first stage
        if (!tftp(m, next, file)) {
            return;
        }
        m.tftp = now();
        // 3. iPXE's DHCP
        byte[] ack2 = dora(m, r, true);
        if (ack2 == null) {
            return;
        }
        m.dhcp2 = now();
        Dhcp b = Dhcp.parse(ack2);
        if (!b.yiaddr.equals(m.ip)) {
            m.ip = b.yiaddr; // a different address: iPXE uses it
        }
        String url = b.opts.containsKey(67) ? str(b.opts.get(67)) : b.file;
        if (!url.startsWith("http://")) {
            m.failure = "iPXE DHCP: boot file is not an HTTP URL: " + url;
            return;
        }
        // 4. HTTP: scripts, then kernel and initrds
        try (Http h = new Http(m)) {
            List<String> images = null;
            String cur = url;
            for (int depth = 0; depth < 8 && images == null; depth++) {
                String script = h.get(cur, false);
                if (script == null) {
                    return;
                }
                if (!script.startsWith("#!ipxe")) {
                    m.failure = "not an iPXE script: " + cur;
                    return;
                }
                Script s = Script.parse(script, m, URI.create(cur));
                if (!s.images.isEmpty()) {
                    images = s.images;
                } else if (s.chain != null) {
                    cur = s.chain;
                } else {
                    m.failure = "script with nothing to follow: " + cur;
                    return;
                }
            }
            if (images == null) {
                m.failure = "chain too deep";
                return;
            }
            m.scripts = now();
            for (int i = 0; i < images.size(); i++) {
                if (h.get(images.get(i), true) == null) {
                    return;
                }
                if (i == 0) {
                    m.kernel = now();
                }
            }
            m.initrd = now();
        }
    }

    // ------------------------------------------------------------------------------------ DHCP

    static void receiveDhcp() {
        ByteBuffer buf = ByteBuffer.allocate(1600);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                buf.clear();
                dhcp.receive(buf);
                buf.flip();
                if (buf.remaining() < 240 || buf.get(0) != 2) {
                    continue;
                }
                int xid = buf.getInt(4);
                BlockingQueue<byte[]> q = waiting.get(xid);
                if (q != null) {
                    byte[] p = new byte[buf.remaining()];
                    buf.get(p);
                    q.offer(p);
                }
            } catch (IOException e) {
                if (!dhcp.isOpen()) {
                    return;
                }
            }
        }
    }

    /** DISCOVER → OFFER → REQUEST → ACK with the firmware's (or iPXE's) timers; the ACK, or null (failure set). */
    static byte[] dora(M m, Random r, boolean ipxe) throws Exception {
        int[] timeouts = ipxe ? IPXE_DHCP_TIMEOUTS : PXE_DHCP_TIMEOUTS;
        String who = ipxe ? "iPXE DHCP" : "firmware DHCP";
        int xid = r.nextInt();
        BlockingQueue<byte[]> q = new LinkedBlockingQueue<>();
        waiting.put(xid, q);
        long start = System.nanoTime();
        try {
            for (int restart = 0; ; restart++) {
                byte[] offer = null;
                Dhcp o = null;
                for (int t = 0; t < timeouts.length && offer == null; t++) {
                    if (t > 0) {
                        dhcpRetx.incrementAndGet();
                    }
                    send(discover(m, xid, ipxe, secs(start), null, null));
                    long until = System.nanoTime() + timeouts[t] * 1_000_000_000L;
                    while (offer == null) {
                        long left = until - System.nanoTime();
                        byte[] p = left > 0 ? q.poll(left, TimeUnit.NANOSECONDS) : null;
                        if (p == null) {
                            break;
                        }
                        Dhcp d = Dhcp.parse(p);
                        if (d.type == 2 && Arrays.equals(d.chaddr, m.mac)) {
                            offer = p;
                            o = d;
                        }
                    }
                }
                if (offer == null) {
                    m.failure = who + ": no OFFER";
                    return null;
                }
                byte[] serverId = o.opts.get(54);
                byte[] yi = InetAddress.getByName(o.yiaddr).getAddress();
                boolean nak = false;
                for (int t = 0; t < timeouts.length; t++) {
                    if (t > 0) {
                        dhcpRetx.incrementAndGet();
                    }
                    send(discover(m, xid, ipxe, secs(start), yi, serverId));
                    long until = System.nanoTime() + timeouts[t] * 1_000_000_000L;
                    while (true) {
                        long left = until - System.nanoTime();
                        byte[] p = left > 0 ? q.poll(left, TimeUnit.NANOSECONDS) : null;
                        if (p == null) {
                            break;
                        }
                        Dhcp d = Dhcp.parse(p);
                        if (!Arrays.equals(d.chaddr, m.mac)) {
                            continue;
                        }
                        if (d.type == 5) {
                            return p;
                        }
                        if (d.type == 6) {
                            nak = true;
                            break;
                        }
                    }
                    if (nak) {
                        break;
                    }
                }
                if (!nak) {
                    m.failure = who + ": no ACK";
                    return null;
                }
                // RFC 2131 §4.4.1: on a NAK the client restarts with a DISCOVER (a server that does not
                // hold its offers, as dnsmasq, may have offered the address to another client too)
                dhcpNaks.incrementAndGet();
                if (restart >= 8) {
                    m.failure = who + ": NAK " + (restart + 1) + " times";
                    return null;
                }
            }
        } finally {
            waiting.remove(xid);
        }
    }

    static int secs(long start) {
        return (int) Math.min(65535, (System.nanoTime() - start) / 1_000_000_000L);
    }

    static final InetSocketAddress BROADCAST = new InetSocketAddress("255.255.255.255", 67);

    static void send(byte[] p) throws IOException {
        dhcp.send(ByteBuffer.wrap(p), BROADCAST);
    }

    /** A DISCOVER (requested == null) or a REQUEST (SELECTING state: options 50 and 54). */
    static byte[] discover(M m, int xid, boolean ipxe, int secs, byte[] requested, byte[] serverId) {
        ByteBuffer b = ByteBuffer.allocate(548);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) secs).putShort((short) 0x8000);
        b.position(28);
        b.put(m.mac);
        b.position(236);
        b.put(new byte[] {99, (byte) 130, 83, 99});
        opt(b, 53, requested == null ? 1 : 3);
        if (requested != null) {
            opt(b, 50, requested);
            opt(b, 54, serverId);
        }
        opt(b, 57, new byte[] {(byte) (ipxe ? 0x05 : 0x04), (byte) (ipxe ? 0xc0 : 0xec)}); // 1472 / 1260
        opt(b, 93, new byte[] {0, 0});
        opt(b, 94, new byte[] {1, 2, 1});
        byte[] uuid = new byte[17];
        System.arraycopy(m.mac, 0, uuid, 11, 6);
        uuid[1] = (byte) 0xf1;
        opt(b, 97, uuid);
        opt(b, 60, "PXEClient:Arch:00000:UNDI:002001".getBytes(StandardCharsets.US_ASCII));
        if (ipxe) {
            opt(b, 61, new byte[] {1, m.mac[0], m.mac[1], m.mac[2], m.mac[3], m.mac[4], m.mac[5]});
            opt(b, 77, "iPXE".getBytes(StandardCharsets.US_ASCII));
            // iPXE feature indicators (encapsulated, RFC 3679 option 175): PXE ext, HTTP, DNS, bzImage, TFTP
            opt(b, 175, new byte[] {(byte) 0xb1, 5, 1, 1, 1, 0x10, 1, 2, 0x13, 1, 1, 0x17, 1, 1, 0x18, 1, 1, 0x15, 1, 1});
            opt(b, 55, new byte[] {1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, (byte) 128, (byte) 129, (byte) 130,
                    (byte) 131, (byte) 132, (byte) 133, (byte) 134, (byte) 135, (byte) 175, (byte) 203});
        } else {
            opt(b, 55, new byte[] {1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 43, 54, 60, 67, (byte) 128, (byte) 129,
                    (byte) 130, (byte) 131, (byte) 132, (byte) 133, (byte) 134, (byte) 135});
        }
        b.put((byte) 255);
        return Arrays.copyOf(b.array(), Math.max(300, b.position()));
    }

    static void opt(ByteBuffer b, int code, int v) {
        opt(b, code, new byte[] {(byte) v});
    }

    static void opt(ByteBuffer b, int code, byte[] v) {
        b.put((byte) code).put((byte) v.length).put(v);
    }

    static String str(byte[] v) {
        int e = v.length;
        while (e > 0 && v[e - 1] == 0) {
            e--;
        }
        return new String(v, 0, e, StandardCharsets.US_ASCII);
    }

    static String ip(byte[] p, int off) {
        return (p[off] & 0xff) + "." + (p[off + 1] & 0xff) + "." + (p[off + 2] & 0xff) + "." + (p[off + 3] & 0xff);
    }

    record Dhcp(int type, byte[] chaddr, String yiaddr, String siaddr, String file, Map<Integer, byte[]> opts) {
        static Dhcp parse(byte[] p) {
            Map<Integer, byte[]> o = new HashMap<>();
            int i = 240;
            while (i < p.length) {
                int c = p[i] & 0xff;
                if (c == 255) {
                    break;
                }
                if (c == 0) {
                    i++;
                    continue;
                }
                if (i + 1 >= p.length) {
                    break;
                }
                int l = p[i + 1] & 0xff;
                if (i + 2 + l > p.length) {
                    break;
                }
                o.put(c, Arrays.copyOfRange(p, i + 2, i + 2 + l));
                i += 2 + l;
            }
            int type = o.containsKey(53) ? o.get(53)[0] : 0;
            return new Dhcp(type, Arrays.copyOfRange(p, 28, 34), ip(p, 16), ip(p, 20),
                    str(Arrays.copyOfRange(p, 108, 236)), o);
        }
    }

    // ------------------------------------------------------------------------------------ TFTP

    static boolean tftp(M m, String srv, String file) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(m.ip, 0))) {
            s.setReceiveBufferSize(256 << 10);
            InetAddress sa = InetAddress.getByName(srv);
            byte[] rrq = (("\0\1" + file + "\0octet\0blksize\0" + blksize + "\0tsize\0" + "0\0")).getBytes(StandardCharsets.ISO_8859_1);
            DatagramPacket last = new DatagramPacket(rrq, rrq.length, sa, 69);
            InetSocketAddress tid = null;
            int expect = 1;
            int bs = 512;
            long got = 0;
            byte[] buf = new byte[65536];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            int tries = 0;
            s.send(last);
            while (true) {
                s.setSoTimeout(TFTP_TIMEOUTS[tries] * 1000);
                try {
                    in.setLength(buf.length);
                    s.receive(in);
                } catch (SocketTimeoutException e) {
                    tries++;
                    if (tries >= TFTP_TIMEOUTS.length) {
                        m.failure = "TFTP: timeout";
                        return false;
                    }
                    tftpRetx.incrementAndGet();
                    s.send(last);
                    continue;
                }
                InetSocketAddress from = (InetSocketAddress) in.getSocketAddress();
                if (tid == null) {
                    if (!from.getAddress().equals(sa)) {
                        continue;
                    }
                    tid = from;
                } else if (!tid.equals(from)) {
                    continue; // RFC 1350 §4: another TID; a real client answers ERROR 5
                }
                int len = in.getLength();
                int op = ((buf[0] & 0xff) << 8) | (buf[1] & 0xff);
                if (op == 5) {
                    m.failure = "TFTP: ERROR " + str(Arrays.copyOfRange(buf, 4, len));
                    return false;
                }
                if (op == 6 && expect == 1 && got == 0) { // OACK
                    String[] kv = new String(buf, 2, len - 2, StandardCharsets.ISO_8859_1).split("\0");
                    for (int k = 0; k + 1 < kv.length; k += 2) {
                        if (kv[k].equalsIgnoreCase("blksize")) {
                            bs = Integer.parseInt(kv[k + 1]);
                        }
                    }
                    last = ack(0, tid);
                    s.send(last);
                    tries = 0;
                    continue;
                }
                if (op != 3 || len < 4) {
                    continue;
                }
                int block = ((buf[2] & 0xff) << 8) | (buf[3] & 0xff);
                if (block != (expect & 0xffff)) {
                    tftpDupData.incrementAndGet();
                    continue; // a duplicate: the timer (not the duplicate) makes us re-ACK, no Sorcerer's Apprentice
                }
                got += len - 4;
                last = ack(block, tid);
                s.send(last);
                tries = 0;
                expect++;
                if (len - 4 < bs) {
                    bytes.addAndGet(got);
                    return true;
                }
            }
        }
    }

    static DatagramPacket ack(int block, InetSocketAddress to) {
        byte[] a = {0, 4, (byte) (block >> 8), (byte) block};
        return new DatagramPacket(a, 4, to);
    }

    // ------------------------------------------------------------------------------------ scripts

    record Script(String chain, List<String> images) {
        static Script parse(String text, M m, URI base) {
            String mac = m.macColons();
            String t = text.replace("${mac:hexhyp}", mac.replace(':', '-')).replace("${net0/mac:hexhyp}", mac.replace(':', '-'))
                    .replace("${mac}", mac).replace("${net0/mac}", mac).replace("${ip}", m.ip).replace("${net0/ip}", m.ip)
                    .replace("${platform}", "pcbios").replace("${buildarch}", "i386");
            List<String> lines = t.lines().map(String::strip).toList();
            List<String> images = new ArrayList<>();
            String chain = null;
            boolean menu = lines.stream().anyMatch(l -> l.startsWith("choose"));
            int from = 0;
            if (menu) { // the user picks the item naming --os; its label's commands follow
                String label = null;
                for (String l : lines) {
                    String[] w = l.split("\\s+");
                    if (w[0].equals("item") && w.length > 1 && !w[1].startsWith("--")
                            && (w[1].equals(os) || w[1].equals("os-" + os))) {
                        label = w[1];
                    }
                }
                if (label == null) {
                    return new Script(null, images);
                }
                from = lines.indexOf(":" + label);
                if (from < 0) {
                    return new Script(null, images);
                }
            }
            for (int i = from; i < lines.size(); i++) {
                String[] w = lines.get(i).split("\\s+");
                List<String> args = new ArrayList<>();
                for (int k = 1; k < w.length && !w[k].equals("||"); k++) {
                    if (!w[k].startsWith("--")) {
                        args.add(w[k]);
                    } else if (w[k].equals("--name") || w[k].equals("-n")) {
                        k++;
                    }
                }
                switch (w[0]) {
                    case "chain", "chainload" -> {
                        if (chain == null && images.isEmpty() && !args.isEmpty()) {
                            chain = base.resolve(args.get(0)).toString();
                        }
                    }
                    case "kernel", "initrd", "imgfetch", "module" -> {
                        if (!args.isEmpty()) {
                            images.add(base.resolve(args.get(0)).toString());
                        }
                    }
                    case "exit", "boot" -> i = lines.size();
                    default -> { }
                }
                if (chain != null) {
                    break;
                }
            }
            return new Script(chain, images);
        }
    }

    // ------------------------------------------------------------------------------------ HTTP

    /** iPXE's HTTP: one keep-alive connection from the machine's address. */
    static final class Http implements AutoCloseable {
        final M m;
        Socket sock;
        InputStream in;
        OutputStream out;
        final byte[] buf = new byte[64 << 10];

        Http(M m) {
            this.m = m;
        }

        /** The body (as text, or null for {@code discard}... "" ) after retries; null on failure (m.failure set). */
        String get(String url, boolean discard) throws InterruptedException {
            URI u = URI.create(url);
            String pathQ = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            int port = u.getPort() < 0 ? 80 : u.getPort();
            String why = "";
            for (int attempt = 0; attempt < HTTP_TRIES; attempt++) {
                long wait = 10;
                try {
                    if (sock == null) {
                        sock = new Socket();
                        sock.bind(new InetSocketAddress(m.ip, 0));
                        sock.connect(new InetSocketAddress(u.getHost(), port), 30_000);
                        sock.setSoTimeout(HTTP_IDLE_MS);
                        in = new BufferedInputStream(sock.getInputStream(), 64 << 10);
                        out = sock.getOutputStream();
                    }
                    out.write(("GET " + pathQ + " HTTP/1.1\r\nConnection: keep-alive\r\nHost: " + u.getHost()
                            + "\r\nUser-Agent: iPXE/1.21.1+ (fleet)\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    String status = line();
                    if (status == null) {
                        throw new IOException("connection closed");
                    }
                    int code = Integer.parseInt(status.split(" ")[1]);
                    long length = -1;
                    boolean chunked = false, close = status.startsWith("HTTP/1.0");
                    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
                        String k = h.substring(0, Math.max(0, h.indexOf(':'))).trim().toLowerCase(Locale.ROOT);
                        String v = h.substring(h.indexOf(':') + 1).trim();
                        switch (k) {
                            case "content-length" -> length = Long.parseLong(v);
                            case "transfer-encoding" -> chunked = v.toLowerCase(Locale.ROOT).contains("chunked");
                            case "connection" -> close |= v.equalsIgnoreCase("close");
                            case "retry-after" -> {
                                try {
                                    wait = Math.max(1, Long.parseLong(v));
                                } catch (NumberFormatException e) {
                                    // a date: keep 10 s
                                }
                            }
                            default -> { }
                        }
                    }
                    java.io.ByteArrayOutputStream text = discard && code == 200 ? null : new java.io.ByteArrayOutputStream();
                    long n = chunked ? chunked(text) : body(length, text);
                    if (close || (length < 0 && !chunked)) {
                        dropConnection();
                    }
                    if (code == 200) {
                        bytes.addAndGet(n);
                        return text == null ? "" : text.toString(StandardCharsets.UTF_8);
                    }
                    why = "HTTP " + code;
                } catch (SocketTimeoutException e) {
                    m.failure = "HTTP: idle " + HTTP_IDLE_MS / 1000 + " s (iPXE watchdog) on " + pathQ;
                    dropConnection();
                    return null;
                } catch (IOException | RuntimeException e) {
                    why = e.getClass().getSimpleName() + " " + e.getMessage();
                    dropConnection();
                }
                httpRetries.incrementAndGet();
                m.retries++;
                Thread.sleep(wait * 1000);
            }
            m.failure = "HTTP: " + why + " after " + HTTP_TRIES + " tries on " + pathQ;
            return null;
        }

        long body(long length, java.io.ByteArrayOutputStream text) throws IOException {
            long n = 0;
            while (length < 0 || n < length) {
                int want = (int) (length < 0 ? buf.length : Math.min(buf.length, length - n));
                int r = in.read(buf, 0, want);
                if (r < 0) {
                    if (length < 0) {
                        break;
                    }
                    throw new IOException("closed after " + n + " of " + length + " bytes");
                }
                if (text != null) {
                    text.write(buf, 0, r);
                }
                n += r;
            }
            return n;
        }

        long chunked(java.io.ByteArrayOutputStream text) throws IOException {
            long n = 0;
            while (true) {
                String l = line();
                if (l == null) {
                    throw new IOException("closed in chunked body");
                }
                int semi = l.indexOf(';');
                long size = Long.parseLong((semi < 0 ? l : l.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    for (String t = line(); t != null && !t.isEmpty(); t = line()) {
                        // trailers
                    }
                    return n;
                }
                n += body(size, text);
                line();
            }
        }

        String line() throws IOException {
            StringBuilder s = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int l = s.length();
                    return l > 0 && s.charAt(l - 1) == '\r' ? s.substring(0, l - 1) : s.toString();
                }
                s.append((char) c);
            }
            return s.isEmpty() ? null : s.toString();
        }

        void dropConnection() {
            if (sock != null) {
                try {
                    sock.close();
                } catch (IOException e) {
                    // closing
                }
            }
            sock = null;
        }

        @Override
        public void close() {
            dropConnection();
        }
    }
}

package org.astralboot.ndp;

import java.io.IOException;
import java.net.NetworkInterface;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.astralboot.dhcp.DhcpService;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpCodecException;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.net.MacAddress;
import org.astralboot.net.RecentBoots;
import org.astralboot.server.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code [dhcp] mode = "off"}: notes the machines that network-boot on the interface, from
 * copies of their DHCPv4 requests, for the router-advertisement answer, and answers nothing. Without
 * it nothing tells Astralboot that an iPXE (QEMU's option ROM, a BIOS machine) is booting: iPXE
 * sends a DHCPv4 DISCOVER and a router solicitation side by side ({@code ifconf}, every configurator
 * at once) and runs DHCPv6 only when a router advertisement sets M or O (iPXE {@code src/net/ndp.c},
 * {@code ipv6conf_rx_router_advertisement}); the answer goes only to machines known to be booting
 * (RFC 4861 §6.2.6 lets a router answer as it likes; Astralboot answers no others), so iPXE never
 * got one, never asked DHCPv6, and booted nothing over IPv6 alone ({@code IpxeIpv6BootIT}).
 * UEFI firmware was not affected: EDK2 sends its DHCPv6 Solicit unasked, which notes it.
 *
 * <p>A packet socket ({@link RawDhcp4Socket}), not a UDP socket on port 67: with DHCP off another
 * server may run on this host, and it keeps the port and every packet. The same test as the DHCP
 * service's ({@link DhcpService#bootingRequest}): a DISCOVER, REQUEST or INFORM with PXE or iPXE
 * identification. When the socket cannot be opened, the log says what that costs and the other
 * services run on.
 */
public final class Dhcp4Watch implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(Dhcp4Watch.class);

    private final String iface;
    private final RecentBoots booting;
    private final Clock clock;
    private final AtomicLong noted = new AtomicLong();
    private volatile RawDhcp4Socket socket;
    private volatile Thread thread;
    private volatile boolean closed;

    /**
     * @param iface   the interface machines boot on
     * @param booting where a booting machine's MAC is noted (the router-advertisement answer reads it)
     */
    public Dhcp4Watch(String iface, RecentBoots booting, Clock clock) {
        this.iface = iface;
        this.booting = booting;
        this.clock = clock;
    }

    /**
     * Whether {@code serve} runs the watch: DHCP off (otherwise the DHCP service notes booting
     * machines itself) and the router-advertisement answer on (the only reader).
     */
    public static boolean wanted(org.astralboot.config.Config.DhcpMode dhcp, boolean answering) {
        return dhcp == org.astralboot.config.Config.DhcpMode.OFF && answering;
    }

    @Override
    public String name() {
        return "dhcp-watch";
    }

    /** Whether the socket is open. */
    public boolean running() {
        return socket != null && !closed;
    }

    /** Requests that noted a booting machine since start. */
    public long noted() {
        return noted.get();
    }

    @Override
    public void start() {
        try {
            NetworkInterface ni = NetworkInterface.getByName(iface);
            if (ni == null) {
                throw new IOException("no interface " + iface);
            }
            socket = RawDhcp4Socket.open(ni.getIndex());
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.error("ndp: cannot watch DHCPv4 requests on {}: {}. With [dhcp] mode = \"off\" an iPXE that solicits"
                    + " a router before any DHCPv6 (BIOS iPXE) gets no router advertisement, so no DHCPv6 either",
                    iface, e.getMessage() != null ? e.getMessage() : e.toString());
            return;
        }
        thread = Thread.ofPlatform().name("dhcp-watch").daemon().start(this::loop);
        LOG.info("ndp: watching DHCPv4 requests on {} for network-booting machines (answering none: [dhcp] mode ="
                + " \"off\")", iface);
    }

    private void loop() {
        RawDhcp4Socket s = socket;
        while (!closed) {
            try {
                byte[] p = s.receive(RouterAnswerService.POLL_MILLIS);
                MacAddress mac = p == null ? null : bootingMac(p, p.length);
                if (mac != null) {
                    booting.seen(mac, clock.millis());
                    noted.incrementAndGet();
                    LOG.debug("ndp: {} is network-booting (its DHCPv4 request)", mac);
                }
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                LOG.warn("ndp: DHCPv4 watch on {}: {}", iface, e.getMessage());
                RouterAnswerService.sleep(1000);
            } catch (RuntimeException e) {
                LOG.error("ndp: a DHCPv4 packet could not be looked at", e);
            }
        }
    }

    /**
     * The MAC of the machine whose request {@code ip} (an IPv4 packet, {@code len} bytes, from its
     * header on) is, when it is a booting machine's DHCP request ({@link DhcpService#bootingRequest});
     * else null, also for anything malformed, fragmented or not UDP to port 67 (RFC 2131 §4.1).
     */
    static MacAddress bootingMac(byte[] ip, int len) {
        if (len < 20 || (ip[0] & 0xf0) != 0x40 || (ip[9] & 0xff) != 17) {
            return null;
        }
        int ihl = (ip[0] & 0x0f) * 4;
        int total = Math.min(len, ((ip[2] & 0xff) << 8) | (ip[3] & 0xff));
        boolean fragment = (((ip[6] & 0x3f) << 8) | (ip[7] & 0xff)) != 0; // MF set or an offset
        if (ihl < 20 || fragment || total < ihl + 8) {
            return null;
        }
        int dport = ((ip[ihl + 2] & 0xff) << 8) | (ip[ihl + 3] & 0xff);
        int udpLen = ((ip[ihl + 4] & 0xff) << 8) | (ip[ihl + 5] & 0xff);
        int end = Math.min(total, ihl + udpLen);
        if (dport != 67 || udpLen < 8 || end <= ihl + 8) {
            return null;
        }
        try {
            DhcpPacket req = DhcpCodec.decode(ip, ihl + 8, end - ihl - 8);
            return DhcpService.bootingRequest(req) ? req.mac() : null;
        } catch (DhcpCodecException e) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(2 * RouterAnswerService.POLL_MILLIS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RawDhcp4Socket s = socket;
        if (s != null) {
            s.close();
        }
    }
}

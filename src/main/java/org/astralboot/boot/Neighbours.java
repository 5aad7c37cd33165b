package org.astralboot.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.astralboot.net.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's neighbour tables: IPv4's (ARP), {@code /proc/net/arp}, and IPv6's
 * ({@link org.astralboot.ndp.Ipv6Neighbours}): which MAC an on-link address
 * resolved to. A TCP connection from an on-link host makes the kernel resolve the host's address
 * for its replies (RFC 826; over IPv6 neighbour solicitation, RFC 4861 §7.2), so the entry of a request's source address names the NIC that sent
 * it. Entries that are not complete ({@code ATF_COM}, flag 0x2, unset: resolution pending or
 * failed) name nobody.
 */
public final class Neighbours {
    private static final Logger log = LoggerFactory.getLogger(Neighbours.class);
    /** {@code ATF_COM} of {@code <linux/if_arp.h>}: the entry holds a resolved hardware address. */
    static final int ATF_COM = 0x02;

    /** The IPv6 neighbour table: address → MACs; an {@link IOException} when it cannot be read. */
    @FunctionalInterface
    public interface Ipv6Table {
        Set<MacAddress> macsOf(java.net.Inet6Address address) throws IOException;
    }

    private final Path file;
    private final Ipv6Table ipv6;

    /** {@code file} as the IPv4 table, the kernel's IPv6 table ({@link org.astralboot.ndp.Ipv6Neighbours}). */
    public Neighbours(Path file) {
        this(file, org.astralboot.ndp.Ipv6Neighbours::macsOf);
    }

    public Neighbours(Path file, Ipv6Table ipv6) {
        this.file = file;
        this.ipv6 = ipv6;
    }

    /** This host's (or network namespace's) table. */
    public static Neighbours kernel() {
        return new Neighbours(Path.of("/proc/net/arp"));
    }

    /**
     * The MACs the table holds for {@code ip} (several when interfaces disagree); empty when none
     * or the table cannot be read (logged at debug: no table means no on-link proof). An IPv6
     * source (a machine booting over IPv6 with a SLAAC address, which no DHCPv6 binding names) is
     * looked up in the IPv6 neighbour table: the ARP table has none.
     */
    public Set<MacAddress> macsOf(String ip) {
        if (ip.indexOf(':') >= 0) {
            try {
                // A literal (it has a colon): parsed, never resolved by DNS.
                return java.net.InetAddress.getByName(ip) instanceof java.net.Inet6Address a ? ipv6.macsOf(a) : Set.of();
            } catch (IOException e) {
                log.debug("IPv6 neighbour table unreadable for {}: {}", ip, e.toString());
                return Set.of();
            }
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            log.debug("neighbour table {} unreadable: {}", file, e.toString());
            return Set.of();
        }
        return parse(text).getOrDefault(ip, Set.of());
    }

    /**
     * Parses the text of {@code /proc/net/arp}: a header line, then {@code IP address, HW type,
     * Flags, HW address, Mask, Device} separated by blanks. Lines that do not parse, incomplete
     * entries and the all-zero address are skipped.
     */
    static Map<String, Set<MacAddress>> parse(String text) {
        Map<String, Set<MacAddress>> out = new HashMap<>();
        boolean header = true;
        for (String line : text.split("\n")) {
            if (header) {
                header = false;
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            try {
                String flags = f[2].startsWith("0x") ? f[2].substring(2) : f[2];
                if ((Integer.parseInt(flags, 16) & ATF_COM) == 0) {
                    continue;
                }
                MacAddress mac = MacAddress.parse(f[3]);
                if (mac.value() == 0) {
                    continue;
                }
                out.computeIfAbsent(f[0], k -> new HashSet<>()).add(mac);
            } catch (IllegalArgumentException e) {
                // not an Ethernet entry (e.g. a 20-byte InfiniBand address) or a damaged line
            }
        }
        return out;
    }
}

package org.astralboot.ndp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The IPv6 addresses of an interface with their state, from Linux's {@code /proc/net/if_inet6}
 * (one line per address: address in hex, interface index, prefix length, scope, flags, name), which
 * unlike {@link java.net.NetworkInterface} tells a tentative address (duplicate address detection
 * still running, RFC 4862 §5.4) from a usable one. An advertisement must come from a usable
 * link-local address (RFC 4861 §4.2): until the interface has one, nothing is sent.
 */
final class InterfaceAddresses {
    static final Path PROC = Path.of("/proc/net/if_inet6");
    /** {@code IFA_F_DADFAILED}. */
    static final int DAD_FAILED = 0x08;
    /** {@code IFA_F_TENTATIVE}. */
    static final int TENTATIVE = 0x40;
    /** {@code IPV6_ADDR_LINKLOCAL} scope as the file writes it. */
    static final int SCOPE_LINK = 0x20;

    private InterfaceAddresses() {
    }

    /** One line of the file. */
    record Entry(Inet6Address address, int ifindex, int scope, int flags, String iface) {
        boolean usableLinkLocal() {
            return scope == SCOPE_LINK && (flags & (TENTATIVE | DAD_FAILED)) == 0;
        }
    }

    /** The usable link-local addresses of {@code iface} now (none when the file cannot be read). */
    static List<Inet6Address> usableLinkLocal(String iface) {
        try {
            return usableLinkLocal(Files.readString(PROC), iface);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** As above, from the file's {@code text}. */
    static List<Inet6Address> usableLinkLocal(String text, String iface) {
        List<Inet6Address> out = new ArrayList<>();
        for (Entry e : parse(text)) {
            if (e.iface().equals(iface) && e.usableLinkLocal()) {
                out.add(e.address());
            }
        }
        return out;
    }

    /** Every well-formed line of {@code text}; others are skipped. */
    static List<Entry> parse(String text) {
        List<Entry> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 6 || f[0].length() != 32) {
                continue;
            }
            try {
                byte[] a = HexFormat.of().parseHex(f[0]);
                out.add(new Entry((Inet6Address) InetAddress.getByAddress(a), Integer.parseInt(f[1], 16),
                        Integer.parseInt(f[3], 16), Integer.parseInt(f[4], 16), f[5]));
            } catch (IllegalArgumentException | UnknownHostException | ClassCastException e) {
                // not a line of this format
            }
        }
        return out;
    }
}

package org.astralboot.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv6 prefix (RFC 4291 §2.3): {@code 2001:db8:31::/64}. Immutable; the network address has no
 * bits set past the length.
 *
 * @param network the prefix's first address
 * @param length  prefix length, 1 to 128
 */
public record Ipv6Prefix(Inet6Address network, int length) {
    public Ipv6Prefix {
        if (length < 1 || length > 128) {
            throw new IllegalArgumentException("prefix length " + length + ", 1 to 128");
        }
        Inet6Address masked = Ipv6.masked(network, length);
        if (!Arrays.equals(masked.getAddress(), network.getAddress())) {
            throw new IllegalArgumentException("'" + Ipv6.text(network) + "/" + length + "' has bits set past the"
                    + " prefix length; the prefix is " + Ipv6.text(masked) + "/" + length);
        }
    }

    /** The prefix of {@code length} bits that holds {@code a} (the /64 of an address: {@code containing(a, 64)}). */
    public static Ipv6Prefix containing(Inet6Address a, int length) {
        if (length < 1 || length > 128) {
            throw new IllegalArgumentException("prefix length " + length + ", 1 to 128");
        }
        return new Ipv6Prefix(Ipv6.masked(a, length), length);
    }

    /** {@code text} as {@code address/length}; throws {@link IllegalArgumentException} naming the fault. */
    public static Ipv6Prefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no /length");
        }
        String a = text.substring(0, slash).trim();
        int length;
        try {
            length = Integer.parseInt(text.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the prefix length is not a number");
        }
        if (!a.contains(":") || !a.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("'" + a + "' is not an IPv6 address");
        }
        try {
            if (!(InetAddress.getByName(a) instanceof Inet6Address a6)) {
                throw new IllegalArgumentException("'" + a + "' is an IPv4-mapped address, not an IPv6 one");
            }
            return new Ipv6Prefix(a6, length);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + a + "' is not an IPv6 address");
        }
    }

    /** Whether {@code a} is inside this prefix. */
    public boolean contains(Inet6Address a) {
        return Arrays.equals(Ipv6.masked(a, length).getAddress(), network.getAddress());
    }

    /** Whether the two prefixes share an address (one holds the other). */
    public boolean overlaps(Ipv6Prefix o) {
        return contains(o.network) || o.contains(network);
    }

    @Override
    public String toString() {
        return Ipv6.text(network) + "/" + length;
    }
}

package org.astralboot.net;

import java.net.Inet4Address;

/** An IPv4 network given by its network address and prefix length (RFC 4632 notation). */
public record Ipv4Subnet(Inet4Address network, int prefixLength) {

    public Ipv4Subnet {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
        }
        int masked = Ipv4.toInt(network) & maskInt(prefixLength);
        network = Ipv4.fromInt(masked);
    }

    /** The subnet of {@code address}/{@code prefixLength}. */
    public static Ipv4Subnet of(Inet4Address address, int prefixLength) {
        return new Ipv4Subnet(address, prefixLength);
    }

    /** Parses {@code 192.0.2.0/24}. */
    public static Ipv4Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR subnet: '" + cidr + "'");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR subnet: '" + cidr + "'");
        }
        return new Ipv4Subnet(Ipv4.parse(cidr.substring(0, slash)), prefix);
    }

    static int maskInt(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public int maskInt() {
        return maskInt(prefixLength);
    }

    public Inet4Address mask() {
        return Ipv4.fromInt(maskInt());
    }

    public Inet4Address broadcast() {
        return Ipv4.fromInt(Ipv4.toInt(network) | ~maskInt());
    }

    public boolean contains(Inet4Address a) {
        return (Ipv4.toInt(a) & maskInt()) == Ipv4.toInt(network);
    }

    /** First usable host address (network + 1), or the network itself for /31 and /32. */
    public Inet4Address firstHost() {
        return prefixLength >= 31 ? network : Ipv4.fromInt(Ipv4.toInt(network) + 1);
    }

    /** Last usable host address (broadcast - 1), or the broadcast itself for /31 and /32. */
    public Inet4Address lastHost() {
        return prefixLength >= 31 ? broadcast() : Ipv4.fromInt(Ipv4.toInt(broadcast()) - 1);
    }

    @Override
    public String toString() {
        return Ipv4.text(network) + "/" + prefixLength;
    }
}

package org.astralboot.dns.engine;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import org.astralboot.net.Ipv4Subnet;
import org.xbill.DNS.Name;

/**
 * What the DNS engine needs to know, built from the config by the service wiring.
 *
 * @param zone     the boot domain, absolute ({@code lab.example.}), this server is authoritative for
 * @param server   this server's address: {@code astralboot.<zone>} and {@code ns.<zone>}
 * @param subnet   the interface's subnet: its reverse zone (in-addr.arpa) is answered here too
 * @param upstream servers other names are forwarded to, in order; empty: REFUSED
 * @param ttl      seconds answers may be cached; also the SOA minimum (negative caching, RFC 2308 §5)
 * @param serial   the SOA serial (the zone is never transferred; it changes per start)
 */
public record DnsSettings(Name zone, Inet4Address server, Ipv4Subnet subnet, List<InetSocketAddress> upstream,
        long ttl, long serial) {
    /** Lease records change as machines come and go: answers are cached briefly. */
    public static final long DEFAULT_TTL = 60;

    public DnsSettings {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(subnet, "subnet");
        if (!zone.isAbsolute()) {
            throw new IllegalArgumentException("zone must be absolute: " + zone);
        }
        upstream = List.copyOf(upstream);
    }
}

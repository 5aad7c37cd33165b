package org.astralboot.net;

import java.net.Inet4Address;
import java.util.Optional;

/**
 * Read-only view of the machines the DHCP server knows. HTTP uses it to fill per-machine template
 * data (host name, address). With DHCP off or in proxy mode it knows nobody, and HTTP falls back to
 * the connection's source address and a host name derived from the MAC.
 */
public interface HostLookup {

    /** Knows nobody. */
    HostLookup NONE = new HostLookup() {
        @Override
        public Optional<HostInfo> byMac(MacAddress mac) {
            return Optional.empty();
        }

        @Override
        public Optional<HostInfo> byAddress(Inet4Address address) {
            return Optional.empty();
        }
    };

    Optional<HostInfo> byMac(MacAddress mac);

    Optional<HostInfo> byAddress(Inet4Address address);

    /**
     * The lease table as text ({@code astralboot leases} format), or empty when this process hands
     * out no leases (DHCP off or proxy).
     *
     * @param all also list pool addresses never handed out
     */
    default Optional<String> leaseReport(boolean all) {
        return Optional.empty();
    }

    /**
     * The address of the machine that holds host name {@code hostname} right now (a reservation, or
     * an unexpired binding), compared ASCII case-insensitively: what DNS answers for it.
     */
    default Optional<Inet4Address> addressNamed(String hostname) {
        return Optional.empty();
    }

    /**
     * The MAC of the machine whose DHCPv6 binding holds {@code address} now (from its DUID, or the
     * EUI-64 link-local address it asked from), or empty: proof for a request that came over IPv6.
     */
    default Optional<MacAddress> macAtIpv6(java.net.Inet6Address address) {
        return Optional.empty();
    }

    /** The host name of the machine that holds {@code address} right now (the DNS PTR answer). */
    default Optional<String> nameAt(Inet4Address address) {
        return Optional.empty();
    }
}

package org.astralboot.dhcp6.engine;

import java.net.Inet6Address;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.astralboot.dhcp.engine.DhcpSettings;
import org.astralboot.dhcp6.codec.Duid;
import org.astralboot.net.Ipv6Prefix;

/**
 * What the {@link Dhcp6Engine} needs: the {@code [ipv6]} keys, the server's IPv6 address and DUID
 * and the boot files, validated and with defaults applied by the wiring.
 *
 * @param address    this server's IPv6 address: the host of every boot URL
 * @param serverId   this server's DUID (SERVERID, RFC 8415 §11)
 * @param mode       full (addresses from the pool) or stateless (Information-request only)
 * @param rangeStart first pool address (full mode)
 * @param rangeEnd   last pool address (full mode)
 * @param leaseTime  valid lifetime; the preferred lifetime is the same, T1 = 0.5 and T2 = 0.8 of it
 * @param dns        recursive DNS servers (RFC 3646), may be empty
 * @param httpPort   TCP port of the HTTP boot service (80 is left out of URLs)
 * @param bootFiles  the iPXE binaries by firmware (the {@code [dhcp]} keys); its {@code httpBase} is ignored
 * @param relays     the links behind relay agents ({@code [[ipv6.relay]]}), in configuration order:
 *                   pool {@code k+1} of the binding table is {@code relays[k]}'s
 */
public record Dhcp6Settings(Inet6Address address, Duid serverId, Mode mode, Inet6Address rangeStart,
        Inet6Address rangeEnd, Duration leaseTime, List<Inet6Address> dns, int httpPort,
        DhcpSettings.BootFiles bootFiles, List<Link> relays) {

    /**
     * A link behind relay agents: a relayed message whose link-address (RFC 8415 §9.1, §13.1) is in
     * {@code prefix} gets an address of {@code rangeStart}-{@code rangeEnd}.
     */
    public record Link(Ipv6Prefix prefix, Inet6Address rangeStart, Inet6Address rangeEnd) {
        public Link {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(rangeStart, "rangeStart");
            Objects.requireNonNull(rangeEnd, "rangeEnd");
        }
    }

    /** Without relayed links. */
    public Dhcp6Settings(Inet6Address address, Duid serverId, Mode mode, Inet6Address rangeStart,
            Inet6Address rangeEnd, Duration leaseTime, List<Inet6Address> dns, int httpPort,
            DhcpSettings.BootFiles bootFiles) {
        this(address, serverId, mode, rangeStart, rangeEnd, leaseTime, dns, httpPort, bootFiles, List.of());
    }

    public Dhcp6Settings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(leaseTime, "leaseTime");
        Objects.requireNonNull(bootFiles, "bootFiles");
        dns = List.copyOf(dns);
        relays = List.copyOf(relays);
        if (mode == Mode.FULL && (rangeStart == null || rangeEnd == null)) {
            throw new IllegalArgumentException("full mode needs range_start and range_end");
        }
    }

    /** How DHCPv6 is served ({@code [ipv6] dhcp}; "off" never reaches an engine). */
    public enum Mode {
        /** Addresses (IA_NA) from the pool and boot options: RFC 8415 §18.3. */
        FULL,
        /** Boot and DNS options only, answering Information-request (RFC 8415 §6.1). */
        STATELESS
    }

    /** The server's address as URLs write it: {@code [2001:db8::1]} (RFC 3986 §3.2.2). */
    public String bracketed() {
        return org.astralboot.net.Ipv6.bracketed(address);
    }

    /** {@code http://[addr]} or {@code http://[addr]:port}. */
    public String httpBase() {
        return "http://" + bracketed() + (httpPort == 80 ? "" : ":" + httpPort);
    }

    /** {@code tftp://[addr]}. */
    public String tftpBase() {
        return "tftp://" + bracketed();
    }
}

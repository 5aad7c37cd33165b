package org.astralboot.dhcp.lease;

import java.net.Inet4Address;
import java.util.List;
import java.util.Objects;
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;
import org.astralboot.net.MacAddress;

/**
 * The address pools, reservations and host-name pattern a {@link LeaseTable} is built from: the
 * {@code [dhcp]} pool keys, already validated, built from the configuration by the wiring
 * ({@code DhcpService}) so this package does not depend on the config package.
 *
 * @param server          this server's address, never handed out
 * @param subnet          the interface's subnet, scope 0
 * @param rangeStart      first address of the main pool
 * @param rangeEnd        last address of the main pool
 * @param gateway         the main subnet's router, never handed out, or {@code null}
 * @param hostnamePattern host names: {@code {n}} host number, {@code {mac}} MAC in hex
 * @param reservations    fixed addresses by MAC
 * @param relays          relayed subnets in configuration order: scope {@code k+1} is {@code relays[k]}
 */
public record LeasePool(Inet4Address server, Ipv4Subnet subnet, Inet4Address rangeStart, Inet4Address rangeEnd,
        Inet4Address gateway, String hostnamePattern, List<LeaseTable.Fixed> reservations, List<Relay> relays) {

    public LeasePool {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(subnet, "subnet");
        reservations = List.copyOf(reservations);
        relays = List.copyOf(relays);
    }

    /**
     * The pool of a subnet behind a relay agent (RFC 2131 §4.1).
     *
     * @param gateway its router, never handed out, or {@code null} (the relay's address, which the range must leave out)
     */
    public record Relay(Ipv4Subnet subnet, Inet4Address rangeStart, Inet4Address rangeEnd, Inet4Address gateway) {
    }

    /**
     * {@code range_start..range_end} without the subnet's network and broadcast addresses, the server's
     * own address and the gateway.
     */
    public int[] addresses() {
        int[] main = range(rangeStart, rangeEnd, subnet, server, gateway);
        int[] all = main;
        for (Relay relay : relays) {
            // The relay's own address (giaddr) is not known here: the range must leave the router out.
            int[] r = range(relay.rangeStart(), relay.rangeEnd(), relay.subnet(), server, relay.gateway());
            int[] both = java.util.Arrays.copyOf(all, all.length + r.length);
            System.arraycopy(r, 0, both, all.length, r.length);
            all = both;
        }
        return all;
    }

    /** The relayed subnets in configuration order: scope {@code k+1} of the {@link LeaseTable}. */
    public List<Ipv4Subnet> relaySubnets() {
        return relays.stream().map(Relay::subnet).toList();
    }

    private static int[] range(Inet4Address first, Inet4Address last, Ipv4Subnet subnet, Inet4Address server,
            Inet4Address gateway) {
        long start = Ipv4.toInt(first) & 0xFFFFFFFFL;
        long end = Ipv4.toInt(last) & 0xFFFFFFFFL;
        if (end < start) {
            throw new IllegalArgumentException("dhcp range_end " + Ipv4.text(last) + " is before range_start "
                    + Ipv4.text(first));
        }
        int net = Ipv4.toInt(subnet.network());
        int bcast = Ipv4.toInt(subnet.broadcast());
        int self = Ipv4.toInt(server);
        int gw = gateway == null ? 0 : Ipv4.toInt(gateway);
        int[] r = new int[(int) (end - start + 1)];
        int n = 0;
        for (long a = start; a <= end; a++) {
            int v = (int) a;
            if ((subnet.prefixLength() < 31 && (v == net || v == bcast)) || v == self || (gw != 0 && v == gw)) {
                continue;
            }
            r[n++] = v;
        }
        return java.util.Arrays.copyOf(r, n);
    }

    /** The mask of the subnet holding {@code address}: a relayed one, else the interface's. */
    private static int maskOf(int address, int mainMask, int[] nets, int[] masks) {
        for (int k = 0; k < nets.length; k++) {
            if ((address & masks[k]) == nets[k]) {
                return masks[k];
            }
        }
        return mainMask;
    }

    /**
     * Host names from {@code hostname_pattern}: {@code {n}} is the host number in the address's subnet
     * (the interface's or a relayed one; the last octet on a /24), {@code {mac}} the MAC in hex without separators.
     */
    public LeaseTable.Hostnames hostnames() {
        String pattern = hostnamePattern == null ? "" : hostnamePattern;
        int mainMask = subnet.maskInt();
        List<Ipv4Subnet> relaySubnets = relaySubnets();
        int[] nets = relaySubnets.stream().mapToInt(s -> Ipv4.toInt(s.network())).toArray();
        int[] masks = relaySubnets.stream().mapToInt(Ipv4Subnet::maskInt).toArray();
        return (int address, MacAddress mac) -> pattern
                .replace("{n}", Integer.toString(address & ~maskOf(address, mainMask, nets, masks)))
                .replace("{mac}", mac == null ? "" : mac.toHex());
    }
}

package org.astralboot.dhcp.lease;

import java.util.ArrayList;
import java.util.List;
import org.astralboot.config.Config;
import java.net.Inet4Address;
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;
import org.astralboot.net.MacAddress;

/** Builds the dynamic pool, the reservations and the host-name pattern from the configuration. */
public final class LeasePool {
    private LeasePool() {
    }

    /**
     * {@code range_start..range_end} without the subnet's network and broadcast addresses, the server's
     * own address and the gateway.
     */
    public static int[] addresses(Config cfg) {
        int[] main = range(cfg.dhcp().rangeStart(), cfg.dhcp().rangeEnd(), cfg.subnet(), cfg.address(),
                cfg.dhcp().gateway());
        int[] all = main;
        for (Config.Relay relay : cfg.dhcp().relays()) {
            // The relay's own address (giaddr) is not known here: the range must leave the router out.
            int[] r = range(relay.rangeStart(), relay.rangeEnd(), relay.subnet(), cfg.address(), relay.gateway());
            int[] both = java.util.Arrays.copyOf(all, all.length + r.length);
            System.arraycopy(r, 0, both, all.length, r.length);
            all = both;
        }
        return all;
    }

    /** The relayed subnets in configuration order: scope {@code k+1} of the {@link LeaseTable}. */
    public static List<Ipv4Subnet> relaySubnets(Config cfg) {
        return cfg.dhcp().relays().stream().map(Config.Relay::subnet).toList();
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

    public static List<LeaseTable.Fixed> reservations(Config cfg) {
        List<LeaseTable.Fixed> r = new ArrayList<>();
        for (Config.Reservation res : cfg.dhcp().reservations()) {
            r.add(new LeaseTable.Fixed(res.mac(), Ipv4.toInt(res.address()), res.hostname() == null ? "" : res.hostname()));
        }
        return r;
    }

    /**
     * Host names from {@code hostname_pattern}: {@code {n}} is the host number in the address's subnet
     * (the interface's or a relayed one; the last octet on a /24), {@code {mac}} the MAC in hex without separators.
     */
    /** The mask of the subnet holding {@code address}: a relayed one, else the interface's. */
    private static int maskOf(int address, int mainMask, int[] nets, int[] masks) {
        for (int k = 0; k < nets.length; k++) {
            if ((address & masks[k]) == nets[k]) {
                return masks[k];
            }
        }
        return mainMask;
    }

    public static LeaseTable.Hostnames hostnames(Config cfg) {
        String pattern = cfg.dhcp().hostnamePattern() == null ? "" : cfg.dhcp().hostnamePattern();
        int mainMask = cfg.subnet().maskInt();
        List<Ipv4Subnet> relays = relaySubnets(cfg);
        int[] nets = relays.stream().mapToInt(s -> Ipv4.toInt(s.network())).toArray();
        int[] masks = relays.stream().mapToInt(Ipv4Subnet::maskInt).toArray();
        return (int address, MacAddress mac) -> pattern
                .replace("{n}", Integer.toString(address & ~maskOf(address, mainMask, nets, masks)))
                .replace("{mac}", mac == null ? "" : mac.toHex());
    }
}

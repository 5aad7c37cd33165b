package org.astralboot.dhcp.lease;

import java.util.ArrayList;
import java.util.List;
import org.astralboot.config.Config;
import org.astralboot.net.Ipv4;
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
        long start = Ipv4.toInt(cfg.dhcp().rangeStart()) & 0xFFFFFFFFL;
        long end = Ipv4.toInt(cfg.dhcp().rangeEnd()) & 0xFFFFFFFFL;
        if (end < start) {
            throw new IllegalArgumentException("dhcp range_end is before range_start");
        }
        int net = Ipv4.toInt(cfg.subnet().network());
        int bcast = Ipv4.toInt(cfg.subnet().broadcast());
        int self = Ipv4.toInt(cfg.address());
        int gw = cfg.dhcp().gateway() == null ? 0 : Ipv4.toInt(cfg.dhcp().gateway());
        int[] r = new int[(int) (end - start + 1)];
        int n = 0;
        for (long a = start; a <= end; a++) {
            int v = (int) a;
            if ((cfg.subnet().prefixLength() < 31 && (v == net || v == bcast)) || v == self || (gw != 0 && v == gw)) {
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
     * Host names from {@code hostname_pattern}: {@code {n}} is the host number in the subnet (the last
     * octet on a /24), {@code {mac}} the MAC in hex without separators.
     */
    public static LeaseTable.Hostnames hostnames(Config cfg) {
        String pattern = cfg.dhcp().hostnamePattern() == null ? "" : cfg.dhcp().hostnamePattern();
        int mask = cfg.subnet().maskInt();
        return (int address, MacAddress mac) -> pattern
                .replace("{n}", Integer.toString(address & ~mask))
                .replace("{mac}", mac == null ? "" : mac.toHex());
    }
}

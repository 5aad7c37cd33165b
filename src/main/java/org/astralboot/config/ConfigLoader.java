package org.astralboot.config;

import java.net.Inet4Address;
import org.astralboot.net.Ipv4Subnet;

/** Reads {@code config.toml} into a {@link Config}. */
public final class ConfigLoader {
    /** Default cache size limit: 20 GiB. */
    public static final long DEFAULT_CACHE_MAX = 20L << 30;

    private ConfigLoader() {
    }

    /**
     * The default pool: every host address of the subnet. The DHCP pool additionally skips the
     * server's and the gateway's own addresses, so they need not be cut out of the range here.
     */
    static Inet4Address[] defaultRange(Ipv4Subnet subnet, Inet4Address server, Inet4Address gateway) {
        return new Inet4Address[] {subnet.firstHost(), subnet.lastHost()};
    }
}

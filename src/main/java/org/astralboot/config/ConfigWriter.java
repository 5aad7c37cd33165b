package org.astralboot.config;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.astralboot.net.Ipv4;

/**
 * Writes a {@link Config} as TOML in the layout of {@code config.toml.dist}: every key of
 * {@link Keys}, in its order, derived values included, so the "implied config" shows an operator
 * everything they could set, and the wizard's output is a complete, loadable file.
 */
public final class ConfigWriter {
    private ConfigWriter() {
    }

    public static String toToml(Config c) {
        StringBuilder b = new StringBuilder();
        String section = null;
        for (Key<?> k : Keys.ALL) {
            if (k.section().equals(section)) {
                continue;
            }
            section = k.section();
            switch (section) {
                case "dhcp.reservation" -> reservations(b, c.dhcp().reservations());
                case "dhcp.relay" -> relays(b, c.dhcp().relays());
                case "ipv6.relay" -> relays6(b, c.dhcp6().relays());
                default -> {
                    if (!section.isEmpty()) {
                        b.append("\n[").append(section).append("]\n");
                    }
                    for (Key<?> key : Keys.in(section)) {
                        line(b, key, c);
                    }
                }
            }
        }
        return b.toString();
    }

    /**
     * {@code leaf = value}. An absent optional value ({@code ipfs_gateway}) is left out, except
     * {@code dhcp.gateway}, whose absence ("none") is written as {@code ""}.
     */
    private static <T> void line(StringBuilder b, Key<T> key, Config c) {
        T v = key.of(c);
        if (v == null && key != Keys.DHCP_GATEWAY) {
            return;
        }
        b.append(key.leaf()).append(" = ").append(key.toml(v));
        if (key == Keys.ADDRESS) {
            b.append("   # subnet ").append(c.subnet());
        }
        b.append('\n');
    }

    /** {@code leaf = value} for {@code key} in its table (the caller writes the table's header). */
    static <T> void line(StringBuilder b, Key<T> key, T value) {
        b.append(key.leaf()).append(" = ").append(key.toml(value)).append('\n');
    }

    private static void reservations(StringBuilder b, List<Config.Reservation> reservations) {
        for (Config.Reservation r : reservations) {
            b.append("\n[[dhcp.reservation]]\n");
            line(b, Keys.RESERVATION_MAC, r.mac());
            line(b, Keys.RESERVATION_ADDRESS, r.address());
            if (r.hostname() != null) {
                line(b, Keys.RESERVATION_HOSTNAME, r.hostname());
            }
        }
    }

    private static void relays(StringBuilder b, List<Config.Relay> relays) {
        for (Config.Relay r : relays) {
            b.append("\n[[dhcp.relay]]\n");
            line(b, Keys.RELAY_SUBNET, r.subnet());
            line(b, Keys.RELAY_RANGE_START, r.rangeStart());
            line(b, Keys.RELAY_RANGE_END, r.rangeEnd());
            if (r.gateway() != null) {
                line(b, Keys.RELAY_GATEWAY, r.gateway());
            } else {
                b.append("# gateway: the relay agent's address (giaddr)\n");
            }
            if (r.dns() != null) {
                line(b, Keys.RELAY_DNS, r.dns());
            } else {
                b.append("# dns: as [dhcp] dns\n");
            }
        }
    }

    private static void relays6(StringBuilder b, List<Config.Relay6> relays) {
        for (Config.Relay6 r : relays) {
            b.append("\n[[ipv6.relay]]\n");
            line(b, Keys.IPV6_RELAY_LINK, r.link());
            line(b, Keys.IPV6_RELAY_RANGE_START, r.rangeStart());
            line(b, Keys.IPV6_RELAY_RANGE_END, r.rangeEnd());
        }
    }

    /** A TOML basic string. */
    public static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (ch < 0x20 || ch == 0x7F) {
                        b.append(String.format("\\u%04X", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static String ips(List<Inet4Address> l) {
        return l.stream().map(a -> q(Ipv4.text(a))).collect(Collectors.joining(", ", "[", "]"));
    }

    /** The shortest exact form: 12h, 90s, 500ms. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    static String size(long bytes) {
        String[] units = {"", "K", "M", "G", "T"};
        int u = 0;
        while (u < 4 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            u++;
        }
        return bytes + units[u];
    }
}

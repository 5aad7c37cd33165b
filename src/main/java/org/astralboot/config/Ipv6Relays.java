package org.astralboot.config;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astralboot.net.Ipv6;
import org.astralboot.net.Ipv6Prefix;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Reads {@code [[ipv6.relay]]}: one DHCPv6 pool per link behind relay agents, as {@code [[dhcp.relay]]}
 * for IPv4 ({@link DhcpSection}). Each link is a prefix without host bits, its range inside it, and a
 * relayed message's link-address must name exactly one pool: no two links overlap, no link overlaps
 * the server's own link (the /64 of {@code [ipv6] range_start}, whose relays use the main pool) and no
 * range overlaps the main range. Every error names the key and its line.
 */
final class Ipv6Relays {
    private Ipv6Relays() {
    }

    /**
     * @param ipv6T     the {@code [ipv6]} table, or null
     * @param mainStart the main pool's first address, or null when not known before start
     * @param mainEnd   its last address, or null
     */
    static List<Config.Relay6> read(TomlReader r, TomlTable ipv6T, Inet6Address mainStart, Inet6Address mainEnd,
            List<String> warnings) throws ConfigException {
        TomlArray arr = ipv6T == null ? null : r.array(ipv6T, "ipv6.relay");
        if (arr == null) {
            return List.of();
        }
        Ipv6Prefix mainLink = mainStart == null ? null : Ipv6Prefix.containing(mainStart, 64);
        List<Config.Relay6> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            if (!(arr.get(i) instanceof TomlTable t)) {
                throw r.invalid("ipv6.relay", "entries must be tables ([[ipv6.relay]])");
            }
            String key = "ipv6.relay[" + i + "]";
            ConfigLoader.unknown(t, Keys.known("ipv6.relay"), key + ".", warnings);
            Optional<String> text = r.optString(t, key + ".link");
            if (text.isEmpty()) {
                throw r.invalidIn(arr, i, t, null, key, "link is missing");
            }
            Ipv6Prefix link;
            try {
                link = Ipv6Prefix.parse(text.get());
            } catch (IllegalArgumentException e) {
                throw r.invalidIn(arr, i, t, "link", key + ".link", e.getMessage() + " (e.g. \"2001:db8:31::/64\")");
            }
            Inet6Address start = address(r, arr, i, t, key, "range_start", link);
            Inet6Address end = address(r, arr, i, t, key, "range_end", link);
            if (Ipv6.toBig(start).compareTo(Ipv6.toBig(end)) > 0) {
                throw r.invalidIn(arr, i, t, "range_start", key + ".range_start", "range_start " + Ipv6.text(start)
                        + " is after range_end " + Ipv6.text(end));
            }
            if (mainLink != null && link.overlaps(mainLink)) {
                throw r.invalidIn(arr, i, t, "link", key + ".link", link + " overlaps the server's own link "
                        + mainLink + " (messages relayed from there use the main pool)");
            }
            if (mainStart != null && mainEnd != null && Ipv6.toBig(start).compareTo(Ipv6.toBig(mainEnd)) <= 0
                    && Ipv6.toBig(mainStart).compareTo(Ipv6.toBig(end)) <= 0) {
                throw r.invalidIn(arr, i, t, "range_start", key + ".range_start", "the pool " + Ipv6.text(start)
                        + " - " + Ipv6.text(end) + " overlaps the main range " + Ipv6.text(mainStart) + " - "
                        + Ipv6.text(mainEnd));
            }
            for (int j = 0; j < out.size(); j++) {
                if (link.overlaps(out.get(j).link())) {
                    throw r.invalidIn(arr, i, t, "link", key + ".link", link + " overlaps ipv6.relay[" + j + "] "
                            + out.get(j).link());
                }
            }
            out.add(new Config.Relay6(link, start, end));
        }
        return out;
    }

    /** A required address key of the entry, inside {@code link}. */
    private static Inet6Address address(TomlReader r, TomlArray arr, int i, TomlTable t, String key, String leaf,
            Ipv6Prefix link) throws ConfigException {
        Optional<Inet6Address> o;
        try {
            o = r.optIp6(t, key + "." + leaf);
        } catch (ConfigException e) {
            throw r.invalidIn(arr, i, t, leaf, key + "." + leaf, "'" + t.get(leaf) + "' is not an IPv6 address");
        }
        if (o.isEmpty()) {
            throw r.invalidIn(arr, i, t, t.get(leaf) == null ? null : leaf, key, leaf + " is missing");
        }
        if (!link.contains(o.get())) {
            throw r.invalidIn(arr, i, t, leaf, key + "." + leaf, Ipv6.text(o.get()) + " is not inside " + link);
        }
        return o.get();
    }
}

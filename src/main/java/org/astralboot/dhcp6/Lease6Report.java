package org.astralboot.dhcp6;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.astralboot.dhcp6.lease.Lease6;
import org.astralboot.dhcp6.lease.Lease6Table;
import org.astralboot.net.Ipv6;

/**
 * The DHCPv6 bindings as operators read them: address, the client's MAC (when its DUID is a DUID-LL
 * or DUID-LLT of an Ethernet address), DUID, IAID, state, expiry (UTC), by address. {@code astralboot leases} prints it after the IPv4 table when there are bindings.
 */
public final class Lease6Report {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Lease6Report() {
    }

    /** @param now the time that decides {@code expired} (epoch ms) */
    public static String format(Collection<Lease6> leases, long now) {
        List<Lease6> sorted = new ArrayList<>(leases);
        sorted.sort((a, b) -> org.astralboot.net.Ipv6.toBig(a.address()).compareTo(org.astralboot.net.Ipv6.toBig(b.address())));
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-39s  %-17s  %-40s  %-8s  %-9s  %s%n", "IPV6 ADDRESS", "MAC", "DUID", "IAID", "STATE",
                "EXPIRES"));
        for (Lease6 l : sorted) {
            String state = l.state() == Lease6.State.BOUND && l.expires() <= now ? "expired"
                    : l.state().name().toLowerCase(java.util.Locale.ROOT);
            String exp = l.state() == Lease6.State.RELEASED ? "-" : TIME.format(Instant.ofEpochMilli(l.expires()));
            // The MAC an Ethernet DUID-LL/LLT names; the EUI-64 source address is not stored.
            org.astralboot.net.MacAddress mac = Dhcp6Service.macOf(l.duid(), null);
            b.append(String.format("%-39s  %-17s  %-40s  %08x  %-9s  %s%n", Ipv6.text(l.address()),
                    mac == null ? "-" : mac.toString(), l.duid().hex(), l.iaid(), state, exp));
        }
        b.append(String.format("%d DHCPv6 bindings%n", sorted.size()));
        return b.toString();
    }
}

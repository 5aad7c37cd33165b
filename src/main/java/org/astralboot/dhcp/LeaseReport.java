package org.astralboot.dhcp;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;

/**
 * The lease table as operators read it: one line per address (address, MAC, host name, state,
 * expiry in UTC), sorted by address, then a count. The same text whether {@code astralboot leases}
 * reads the database itself or asks the running server for it.
 */
public final class LeaseReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private LeaseReport() {
    }

    /**
     * @param all also list pool addresses that were never handed out (state {@code free})
     * @param now the time that decides {@code expired} (epoch ms)
     */
    public static String format(Collection<Lease> leases, boolean all, long now) {
        List<Lease> sorted = new ArrayList<>(leases);
        sorted.sort((a, b) -> Integer.compareUnsigned(a.address(), b.address()));
        StringBuilder b = new StringBuilder(64 * (all ? sorted.size() + 2 : 64));
        b.append(String.format("%-15s  %-17s  %-20s  %-9s  %s%n", "ADDRESS", "MAC", "HOSTNAME", "STATE", "EXPIRES"));
        int shown = 0;
        for (Lease l : sorted) {
            if (!all && l.state() == LeaseState.FREE) {
                continue;
            }
            String exp = l.expiresAt() > 0 && l.state() != LeaseState.RELEASED
                    ? TIME.format(Instant.ofEpochMilli(l.expiresAt())) : "-";
            b.append(String.format("%-15s  %-17s  %-20s  %-9s  %s%n", l.inet().getHostAddress(),
                    l.mac() == null ? "-" : l.mac().toString(), l.hostname().isEmpty() ? "-" : l.hostname(),
                    l.displayState(now), exp));
            shown++;
        }
        b.append(String.format("%d of %d addresses shown%n", shown, sorted.size()));
        return b.toString();
    }
}

package org.astralboot.boot;

import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.astralboot.net.HostInfo;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;

/**
 * Decides whether a request comes from the machine whose MAC its URL names. Only that machine may
 * change its record (choose an OS, which also makes it a member of that OS's cluster; report the
 * install done) or read its rendered templates (password hashes, SSH keys, cluster members); a
 * person changes records through the operator interface, not these routes. Proof, in this order:
 * <ol>
 *   <li>{@link Via#KEY}: the request carries the machine's {@link MachineKeys key}, which the
 *       server wrote only into scripts it served to that machine;
 *   <li>{@link Via#LEASE}: in full DHCP mode, the source address is the machine's current lease;
 *   <li>{@link Via#NEIGHBOUR}: the kernel's neighbour table maps the (on-link) source address to
 *       that MAC and no other, in any DHCP mode.
 * </ol>
 * Anything else is refused. A relayed machine has no neighbour entry: it is recognised by its lease
 * or its key. Request headers (X-Forwarded-For and the like) are never evidence.
 */
public final class MachineAccess {
    /** How a request was tied to its machine. */
    public enum Via {
        KEY, LEASE, NEIGHBOUR
    }

    /**
     * The outcome: {@code via} is set when allowed; {@code reason} says why not (for the log).
     */
    public record Decision(Optional<Via> via, String reason) {
        public boolean allowed() {
            return via.isPresent();
        }

        static Decision allow(Via v) {
            return new Decision(Optional.of(v), "");
        }

        static Decision deny(String reason) {
            return new Decision(Optional.empty(), reason);
        }
    }

    /**
     * What the server knows about a request for a MAC's route.
     *
     * @param fullDhcp   this server hands out the leases (full mode)
     * @param leaseIp    the address leased to the MAC, or "" when none
     * @param neighbours the MACs the neighbour table holds for the source address
     * @param keyValid   the request carries the MAC's key
     */
    public record Facts(boolean fullDhcp, String leaseIp, Set<MacAddress> neighbours, boolean keyValid) {
    }

    private final boolean fullDhcp;
    private final HostLookup hosts;
    private final Function<String, Set<MacAddress>> neighbours;
    private final MachineKeys keys;

    /**
     * @param fullDhcp   whether DHCP runs in full mode (a lease is proof only then)
     * @param neighbours the neighbour table lookup (source address → MACs), {@link Neighbours#macsOf}
     */
    public MachineAccess(boolean fullDhcp, HostLookup hosts, Function<String, Set<MacAddress>> neighbours,
            MachineKeys keys) {
        this.fullDhcp = fullDhcp;
        this.hosts = hosts;
        this.neighbours = neighbours;
        this.keys = keys;
    }

    public MachineKeys keys() {
        return keys;
    }

    /** The pure decision over {@code facts} for a request from {@code source} naming {@code mac}. */
    public static Decision decide(MacAddress mac, String source, Facts facts) {
        if (facts.keyValid()) {
            return Decision.allow(Via.KEY);
        }
        if (facts.fullDhcp() && !source.isEmpty() && source.equals(facts.leaseIp())) {
            return Decision.allow(Via.LEASE);
        }
        if (facts.neighbours().equals(Set.of(mac))) {
            return Decision.allow(Via.NEIGHBOUR);
        }
        StringBuilder why = new StringBuilder(source.isEmpty() ? "unknown source" : source);
        why.append(" is not ").append(mac).append(": ");
        if (!facts.fullDhcp()) {
            why.append("no lease check (DHCP not in full mode)");
        } else if (facts.leaseIp().isEmpty()) {
            why.append("no lease for ").append(mac);
        } else {
            why.append("its lease is ").append(facts.leaseIp());
        }
        if (facts.neighbours().isEmpty()) {
            why.append(", no neighbour entry");
        } else {
            why.append(", neighbour table says ").append(facts.neighbours());
        }
        return Decision.deny(why.append(", no valid key").toString());
    }

    /**
     * Gathers the facts for a request from {@code source} naming {@code mac} with {@code key} (null
     * or "" when none), cheapest first, and decides.
     */
    public Decision check(MacAddress mac, String source, String key) {
        boolean keyValid = keys.matches(mac, key);
        if (keyValid) {
            return decide(mac, source, new Facts(fullDhcp, "", Set.of(), true));
        }
        if (source.indexOf(':') >= 0) {
            // Over IPv6 (no ARP table to ask): the DHCPv6 binding of the source address names the MAC.
            try {
                if (java.net.InetAddress.getByName(source) instanceof java.net.Inet6Address a
                        && hosts.macAtIpv6(a).filter(mac::equals).isPresent()) {
                    return decide(mac, source, new Facts(true, source, Set.of(), false));
                }
            } catch (java.net.UnknownHostException e) {
                // not an address literal: no proof from it
            }
        }
        String lease = "";
        if (fullDhcp) {
            Optional<HostInfo> h = hosts.byMac(mac);
            if (h.isPresent() && h.get().address() != null) {
                lease = Ipv4.text(h.get().address());
            }
            if (!lease.isEmpty() && lease.equals(source)) {
                return decide(mac, source, new Facts(true, lease, Set.of(), false));
            }
        }
        Set<MacAddress> n = source.isEmpty() ? Set.of() : neighbours.apply(source);
        return decide(mac, source, new Facts(fullDhcp, lease, n, false));
    }
}

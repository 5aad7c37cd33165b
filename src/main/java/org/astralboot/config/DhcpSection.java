package org.astralboot.config;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;
import org.astralboot.net.MacAddress;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Reads the {@code [dhcp]} table with its {@code [[dhcp.reservation]]} and {@code [[dhcp.relay]]}
 * entries: the keys of {@link Keys} plus the checks across keys (the pool inside the subnet and not
 * too large, reservations and relayed subnets that fit together, host names within DNS limits).
 */
final class DhcpSection {
    /** RFC 1035 §2.3.4: a DNS label; a host name is one label. */
    static final int MAX_LABEL = 63;
    /** RFC 1035 §2.3.4: a whole domain name in text form (255 octets on the wire). */
    static final int MAX_NAME = 253;

    private DhcpSection() {
    }

    /**
     * Reads {@code [dhcp]} ({@code dhcpT}, null when absent).
     *
     * @param subnet          the interface's subnet
     * @param offlineFallback the interface is unknown (Network.OPTIONAL): {@code subnet} is only the address
     */
    static Config.Dhcp read(TomlReader r, TomlTable dhcpT, String iface, Inet4Address address, Ipv4Subnet subnet,
            boolean offlineFallback, String domain, List<String> warnings) throws ConfigException {
        ConfigLoader.unknown(dhcpT, Keys.known("dhcp"), "dhcp.", warnings);
        Config.DhcpMode mode = Keys.DHCP_MODE.read(r, dhcpT);
        Inet4Address[] range = ConfigLoader.defaultRange(subnet, address, address);
        Inet4Address start = orElse(Keys.DHCP_RANGE_START.read(r, dhcpT), range[0]);
        Inet4Address end = orElse(Keys.DHCP_RANGE_END.read(r, dhcpT), range[1]);
        if (mode == Config.DhcpMode.FULL) {
            // Without the interface (Network.OPTIONAL) the subnet is unknown: only the order is checked.
            boolean subnetKnown = !offlineFallback;
            if (subnetKnown && (!subnet.contains(start) || !subnet.contains(end))) {
                throw r.invalid("dhcp.range_start", "the pool " + Ipv4.text(start) + " - " + Ipv4.text(end)
                        + " is not inside " + iface + "'s subnet " + subnet);
            }
            if (Integer.compareUnsigned(Ipv4.toInt(start), Ipv4.toInt(end)) > 0) {
                throw r.invalid("dhcp.range_start", "range_start " + Ipv4.text(start) + " is after range_end "
                        + Ipv4.text(end));
            }
            long size = poolSize(start, end);
            if (size > ConfigLoader.MAX_POOL) {
                boolean explicit = dhcpT != null && (dhcpT.get("range_start") != null || dhcpT.get("range_end") != null);
                if (explicit) {
                    throw r.invalid(dhcpT.get("range_start") != null ? "dhcp.range_start" : "dhcp.range_end",
                            "the pool " + Ipv4.text(start) + " - " + Ipv4.text(end) + " has " + size
                                    + " addresses, more than " + ConfigLoader.MAX_POOL + ": narrow range_start .. range_end");
                }
                throw r.invalidAt("dhcp.range_start", dhcpT != null ? "dhcp" : "interface", "the default pool (every"
                        + " host of " + iface + "'s subnet " + subnet + ") would have " + size + " addresses, more than "
                        + ConfigLoader.MAX_POOL + ": set dhcp.range_start and dhcp.range_end to an explicit range inside " + subnet);
            }
        }
        List<Config.Relay> relays = relays(r, dhcpT, offlineFallback ? null : subnet, warnings);
        Inet4Address gateway;
        Optional<String> gw = r.optString(dhcpT, Keys.DHCP_GATEWAY.name());
        if (gw.isPresent() && gw.get().isEmpty()) {
            gateway = null; // explicitly none: an isolated boot network
        } else {
            gateway = orElse(Keys.DHCP_GATEWAY.read(r, dhcpT), address);
        }
        List<Inet4Address> dns = orElse(Keys.DHCP_DNS.read(r, dhcpT), List.of(address));
        String pattern = Keys.DHCP_HOSTNAME_PATTERN.read(r, dhcpT);
        String longest = longestName(pattern, subnet, relays);
        String tooLong = nameTooLong(longest, domain);
        if (tooLong != null) {
            throw r.invalid("dhcp.hostname_pattern", "'" + pattern + "' yields names such as '" + longest + "': "
                    + tooLong);
        }
        List<Config.Reservation> reservations = reservations(r, dhcpT, address, gateway,
                offlineFallback ? null : subnet, relays, domain, warnings);
        return new Config.Dhcp(mode,
                Keys.DHCP_PORT.read(r, dhcpT),
                Keys.DHCP_PROXY_PORT.read(r, dhcpT),
                start, end,
                Keys.DHCP_LEASE_TIME.read(r, dhcpT),
                gateway, dns, pattern,
                Keys.DHCP_BIOS_BINARY.read(r, dhcpT),
                Keys.DHCP_EFI_BINARY.read(r, dhcpT),
                Keys.DHCP_EFI_IA32_BINARY.read(r, dhcpT),
                Keys.DHCP_ARM64_BINARY.read(r, dhcpT),
                reservations,
                Keys.DHCP_DECLINE_PROBATION.read(r, dhcpT),
                relays,
                Keys.DHCP_SHED_BACKLOG.read(r, dhcpT));
    }

    private static <T> T orElse(T value, T def) {
        return value != null ? value : def;
    }

    /**
     * Reads {@code [[dhcp.reservation]]}: each a MAC and an address (inside the interface's or a
     * relayed subnet, {@code mainSubnet} null when the interface is unknown), an optional host name,
     * no address or MAC twice.
     */
    private static List<Config.Reservation> reservations(TomlReader r, TomlTable dhcpT, Inet4Address address,
            Inet4Address gateway, Ipv4Subnet mainSubnet, List<Config.Relay> relays, String domain,
            List<String> warnings) throws ConfigException {
        List<Config.Reservation> reservations = new ArrayList<>();
        TomlArray resArr = dhcpT == null ? null : r.array(dhcpT, "dhcp.reservation");
        if (resArr != null) {
            for (int i = 0; i < resArr.size(); i++) {
                if (!(resArr.get(i) instanceof TomlTable t)) {
                    throw r.invalid("dhcp.reservation", "entries must be tables ([[dhcp.reservation]])");
                }
                String key = "dhcp.reservation[" + i + "]";
                ConfigLoader.unknown(t, Keys.known("dhcp.reservation"), key + ".", warnings);
                String macText = r.optString(t, key + ".mac").orElseThrow(() -> r.invalid(key, "mac is missing"));
                MacAddress mac;
                try {
                    mac = MacAddress.parse(macText);
                } catch (IllegalArgumentException e) {
                    throw r.invalid(key + ".mac", e.getMessage());
                }
                Inet4Address ra = r.optIp(t, key + ".address").orElseThrow(() -> r.invalid(key, "address is missing"));
                String hn = r.optString(t, key + ".hostname").orElse(null);
                if (hn != null && !hn.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
                    throw r.invalidIn(resArr, i, t, "hostname", key + ".hostname", "'" + hn
                            + "' is not a valid host name (letters, digits and '-', at most 63)");
                }
                if (hn != null && nameTooLong(hn, domain) != null) {
                    throw r.invalidIn(resArr, i, t, "hostname", key + ".hostname", "'" + hn + "': "
                            + nameTooLong(hn, domain));
                }
                String problem = reservationProblem(ra, address, gateway, mainSubnet, relays);
                if (problem != null) {
                    throw r.invalidIn(resArr, i, t, "address", key + ".address", problem);
                }
                for (int j = 0; j < reservations.size(); j++) {
                    Config.Reservation other = reservations.get(j);
                    if (other.address().equals(ra)) {
                        throw r.invalidIn(resArr, i, t, "address", key + ".address", Ipv4.text(ra)
                                + " is already reserved by dhcp.reservation[" + j + "] (" + other.mac() + ")");
                    }
                    if (other.mac().equals(mac)) {
                        throw r.invalidIn(resArr, i, t, "mac", key + ".mac", mac + " already has a reservation,"
                                + " dhcp.reservation[" + j + "] (" + Ipv4.text(other.address()) + ")");
                    }
                }
                reservations.add(new Config.Reservation(mac, ra, hn));
            }
        }
        return reservations;
    }

    /**
     * Reads {@code [[dhcp.relay]]}: one pool per subnet behind a relay agent. Each subnet must be a
     * proper CIDR network, its range inside it (not its network or broadcast address), and no two
     * subnets, nor a relayed subnet and {@code mainSubnet} (null when the interface is unknown), may
     * overlap: the giaddr of a request must name exactly one pool.
     */
    private static List<Config.Relay> relays(TomlReader r, TomlTable dhcpT, Ipv4Subnet mainSubnet, List<String> warnings)
            throws ConfigException {
        TomlArray arr = dhcpT == null ? null : r.array(dhcpT, "dhcp.relay");
        if (arr == null) {
            return List.of();
        }
        List<Config.Relay> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            if (!(arr.get(i) instanceof TomlTable t)) {
                throw r.invalid("dhcp.relay", "entries must be tables ([[dhcp.relay]])");
            }
            String key = "dhcp.relay[" + i + "]";
            ConfigLoader.unknown(t, Keys.known("dhcp.relay"), key + ".", warnings);
            Optional<String> cidrText = r.optString(t, key + ".subnet");
            if (cidrText.isEmpty()) {
                throw r.invalidIn(arr, i, t, null, key, "subnet is missing");
            }
            String cidr = cidrText.get();
            Ipv4Subnet subnet;
            try {
                subnet = Ipv4Subnet.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw r.invalidIn(arr, i, t, "subnet", key + ".subnet", e.getMessage() + " (e.g. \"198.18.20.0/24\")");
            }
            if (subnet.prefixLength() < 8 || subnet.prefixLength() > 30) {
                throw r.invalidIn(arr, i, t, "subnet", key + ".subnet", "'" + cidr
                        + "': the prefix length must be 8..30 (a subnet with host addresses)");
            }
            if (!Ipv4.text(subnet.network()).equals(cidr.substring(0, cidr.indexOf('/')).trim())) {
                throw r.invalidIn(arr, i, t, "subnet", key + ".subnet", "'" + cidr
                        + "' has host bits set; the network is " + subnet);
            }
            Inet4Address start = relayIp(r, arr, i, t, key, "range_start", subnet, true);
            Inet4Address end = relayIp(r, arr, i, t, key, "range_end", subnet, true);
            if (Integer.compareUnsigned(Ipv4.toInt(start), Ipv4.toInt(end)) > 0) {
                throw r.invalidIn(arr, i, t, "range_start", key + ".range_start", "range_start " + Ipv4.text(start)
                        + " is after range_end " + Ipv4.text(end));
            }
            if (poolSize(start, end) > ConfigLoader.MAX_POOL) {
                throw r.invalidIn(arr, i, t, "range_start", key + ".range_start", "the pool " + Ipv4.text(start)
                        + " - " + Ipv4.text(end) + " has " + poolSize(start, end) + " addresses, more than "
                        + ConfigLoader.MAX_POOL + ": narrow range_start .. range_end");
            }
            Inet4Address gateway = t.get("gateway") == null ? null
                    : relayIp(r, arr, i, t, key, "gateway", subnet, false);
            List<Inet4Address> dns;
            try {
                dns = r.ipList(t, key + ".dns").orElse(null);
            } catch (ConfigException e) {
                throw r.invalidIn(arr, i, t, "dns", key + ".dns", "must be a list of IPv4 addresses");
            }
            if (mainSubnet != null && overlap(subnet, mainSubnet)) {
                throw r.invalidIn(arr, i, t, "subnet", key + ".subnet", subnet + " overlaps the interface's subnet "
                        + mainSubnet + " (requests relayed from there use the main pool)");
            }
            for (int j = 0; j < out.size(); j++) {
                if (overlap(subnet, out.get(j).subnet())) {
                    throw r.invalidIn(arr, i, t, "subnet", key + ".subnet", subnet + " overlaps dhcp.relay[" + j
                            + "] " + out.get(j).subnet());
                }
            }
            out.add(new Config.Relay(subnet, start, end, gateway, dns));
        }
        return out;
    }

    /** Addresses from {@code start} to {@code end}, both included (start <= end unsigned). */
    private static long poolSize(Inet4Address start, Inet4Address end) {
        return Integer.toUnsignedLong(Ipv4.toInt(end)) - Integer.toUnsignedLong(Ipv4.toInt(start)) + 1;
    }

    /**
     * The longest host name {@code pattern} can give: {@code {n}} is a host number in the main or a
     * relayed subnet (as many digits as the largest has), {@code {mac}} 12 hex digits.
     */
    static String longestName(String pattern, Ipv4Subnet main, List<Config.Relay> relays) {
        int hostBits = 32 - main.prefixLength();
        for (Config.Relay rl : relays) {
            hostBits = Math.max(hostBits, 32 - rl.subnet().prefixLength());
        }
        int digits = Long.toString((1L << hostBits) - 1).length();
        return pattern.replace("{n}", "9".repeat(digits)).replace("{mac}", "f".repeat(12));
    }

    /** Why {@code host} (with {@code domain} appended) is not a valid DNS name by length, or null. */
    static String nameTooLong(String host, String domain) {
        for (String label : host.split("\\.", -1)) {
            if (label.length() > MAX_LABEL) {
                return "a DNS label is at most " + MAX_LABEL + " characters, '" + label + "' has " + label.length();
            }
        }
        String fqdn = domain.isEmpty() ? host : host + "." + domain;
        if (fqdn.length() > MAX_NAME) {
            return "with the domain '" + fqdn + "' has " + fqdn.length() + " characters, more than " + MAX_NAME
                    + " (RFC 1035)";
        }
        return null;
    }

    /**
     * Why {@code a} cannot be reserved, or null: it must be a host address of the interface's subnet
     * (when known) or of a relayed one, and neither the server's nor a gateway's address.
     */
    private static String reservationProblem(Inet4Address a, Inet4Address server, Inet4Address gateway,
            Ipv4Subnet main, List<Config.Relay> relays) {
        if (a.equals(server)) {
            return Ipv4.text(a) + " is this server's own address";
        }
        if (a.equals(gateway)) {
            return Ipv4.text(a) + " is the gateway's address (dhcp.gateway)";
        }
        Ipv4Subnet in = main != null && main.contains(a) ? main : null;
        for (int k = 0; in == null && k < relays.size(); k++) {
            Config.Relay rl = relays.get(k);
            if (rl.subnet().contains(a)) {
                in = rl.subnet();
                if (a.equals(rl.gateway())) {
                    return Ipv4.text(a) + " is the gateway of dhcp.relay[" + k + "]";
                }
            }
        }
        if (in == null) {
            if (main == null) {
                return null; // the interface is unknown here: nothing to compare with
            }
            return Ipv4.text(a) + " is not inside the interface's subnet " + main
                    + (relays.isEmpty() ? "" : " nor a [[dhcp.relay]] subnet");
        }
        if (a.equals(in.network()) || a.equals(in.broadcast())) {
            return Ipv4.text(a) + " is the " + (a.equals(in.network()) ? "network" : "broadcast") + " address of "
                    + in;
        }
        return null;
    }

    private static boolean overlap(Ipv4Subnet a, Ipv4Subnet b) {
        return a.contains(b.network()) || b.contains(a.network());
    }

    /** A relay address key: required or not, inside {@code subnet} and not its network or broadcast address. */
    private static Inet4Address relayIp(TomlReader r, TomlArray arr, int i, TomlTable t, String key, String leaf,
            Ipv4Subnet subnet, boolean required) throws ConfigException {
        Optional<Inet4Address> o;
        try {
            o = r.optIp(t, key + "." + leaf);
        } catch (ConfigException e) {
            Object v = t.get(leaf);
            throw r.invalidIn(arr, i, t, leaf, key + "." + leaf, "'" + v + "' is not an IPv4 address");
        }
        if (o.isEmpty()) {
            if (required) {
                throw r.invalidIn(arr, i, t, t.get(leaf) == null ? null : leaf, key, leaf + " is missing");
            }
            return null;
        }
        Inet4Address a = o.get();
        if (!subnet.contains(a)) {
            throw r.invalidIn(arr, i, t, leaf, key + "." + leaf, Ipv4.text(a) + " is not inside " + subnet);
        }
        if (a.equals(subnet.network()) || a.equals(subnet.broadcast())) {
            throw r.invalidIn(arr, i, t, leaf, key + "." + leaf, Ipv4.text(a) + " is the "
                    + (a.equals(subnet.network()) ? "network" : "broadcast") + " address of " + subnet);
        }
        return a;
    }
}

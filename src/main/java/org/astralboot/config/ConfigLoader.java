package org.astralboot.config;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;
import org.astralboot.net.MacAddress;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Reads {@code config.toml} into a {@link Config}: applies defaults, derives the address and subnet
 * from the interface, and validates every value. It never writes the file.
 *
 * <p>Relative paths ({@code data}, {@code database}, {@code cache}, {@code refs}) are resolved
 * against the folder of the config file, so a service started from any working directory finds
 * the same files.
 */
public final class ConfigLoader {
    /** Default cache size limit: 20 GiB. */
    public static final long DEFAULT_CACHE_MAX = 20L << 30;
    /**
     * Largest DHCP pool (main or relayed): the lease table keeps a record per address in memory and
     * in the database, so a default pool on a /8 (16 million addresses) would exhaust the heap.
     */
    public static final int MAX_POOL = 65_536;
    /** RFC 1035 §2.3.4: a DNS label; a host name is one label. */
    static final int MAX_LABEL = 63;
    /** RFC 1035 §2.3.4: a whole domain name in text form (255 octets on the wire). */
    static final int MAX_NAME = 253;

    /** How strictly the network part is checked. */
    public enum Network {
        /** The interface must exist and carry an IPv4 address (serving). */
        REQUIRED,
        /**
         * The interface may be absent (commands that only use files: leases, precache, publish,
         * verify); the address then falls back to the configured one, or 127.0.0.1.
         */
        OPTIONAL
    }

    /** Looks up interfaces; replaced in tests. */
    public interface Interfaces {
        /** IPv4 addresses with prefix length of interface {@code name}; empty if it has none; null if absent. */
        List<Ipv4Address> ipv4(String name) throws SocketException;

        /** Names of all interfaces, for error messages. */
        List<String> names() throws SocketException;

        Interfaces SYSTEM = new Interfaces() {
            @Override
            public List<Ipv4Address> ipv4(String name) throws SocketException {
                NetworkInterface ni = NetworkInterface.getByName(name);
                if (ni == null) {
                    return null;
                }
                List<Ipv4Address> out = new ArrayList<>();
                for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                    if (ia.getAddress() instanceof Inet4Address a) {
                        out.add(new Ipv4Address(a, ia.getNetworkPrefixLength()));
                    }
                }
                return out;
            }

            @Override
            public List<String> names() throws SocketException {
                List<String> names = new ArrayList<>();
                for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    names.add(ni.getName());
                }
                Collections.sort(names);
                return names;
            }
        };
    }

    /** An interface address with its prefix length. */
    public record Ipv4Address(Inet4Address address, int prefixLength) {
    }

    /** The loaded configuration and the warnings (unknown keys) to show the operator. */
    public record Loaded(Config config, List<String> warnings) {
    }

    private static final Set<String> TOP = Set.of("interface", "address", "domain", "data", "database", "cache",
            "cache_max", "ipfs", "ipfs_api", "ipfs_gateway", "refs", "http", "tftp", "dhcp", "menu");
    private static final Set<String> HTTP = Set.of("port", "bind", "url", "file_threads", "script_threads",
            "min_send_rate", "send_rate_window", "max_connections_per_client");
    private static final Set<String> TFTP = Set.of("port", "max_blksize", "max_windowsize", "max_transfers",
            "timeout", "retries", "ack_spin_us", "max_client_timeout", "first_ack_timeout", "max_transfers_per_client");
    private static final Set<String> DHCP = Set.of("mode", "port", "proxy_port", "range_start", "range_end",
            "lease_time", "gateway", "dns", "hostname_pattern", "bios_binary", "efi_binary", "efi_ia32_binary",
            "arm64_binary", "decline_probation", "reservation", "relay", "shed_backlog");
    private static final Set<String> RELAY = Set.of("subnet", "range_start", "range_end", "gateway", "dns");
    private static final Set<String> RESERVATION = Set.of("mac", "address", "hostname");
    private static final Set<String> MENU = Set.of("default", "timeout");

    /** Marks an address that did not come from the interface (Network.OPTIONAL); never a real prefix. */
    private static final int OFFLINE_PREFIX_MARK = -1;

    private final Interfaces interfaces;

    public ConfigLoader(Interfaces interfaces) {
        this.interfaces = interfaces;
    }

    /** Loads with the system's interfaces. */
    public static Loaded load(Path file, Network network) throws ConfigException {
        return new ConfigLoader(Interfaces.SYSTEM).read(file, network);
    }

    /**
     * Reads and validates {@code file}.
     *
     * @throws ConfigException naming the file (and line and column for syntax errors) on any problem
     */
    public Loaded read(Path file, Network network) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file, network);
    }

    /** Parses config text; {@code file} names it in messages and anchors relative paths. */
    public Loaded parse(String text, Path file, Network network) throws ConfigException {
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            TomlParseError e = toml.errors().get(0);
            throw new ConfigException(file + ":" + e.position().line() + ":" + e.position().column() + ": "
                    + e.getMessage().replaceAll("\\s*\\(line \\d+, column \\d+\\)\\s*$", ""));
        }
        Reader r = new Reader(file, toml);
        List<String> warnings = new ArrayList<>();
        unknown(toml, TOP, "", warnings);
        Path base = file.toAbsolutePath().getParent();

        String iface = r.string(toml, "interface", "eth1");
        Optional<Inet4Address> explicitAddress = r.optIp(toml, "address");
        Ipv4Address ifAddr = resolveInterface(file, iface, explicitAddress, network);
        boolean offlineFallback = ifAddr.prefixLength() == OFFLINE_PREFIX_MARK;
        if (offlineFallback) {
            ifAddr = new Ipv4Address(ifAddr.address(), 32);
        }
        Inet4Address address = ifAddr.address();
        Ipv4Subnet subnet = Ipv4Subnet.of(address, ifAddr.prefixLength());

        String domain = r.string(toml, "domain", "local");
        if (!domain.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
            throw r.invalid("domain", "'" + domain + "' is not a DNS domain name");
        }
        Path data = base.resolve(r.string(toml, "data", "./data")).normalize();
        Path database = base.resolve(r.string(toml, "database", "./astralboot.db")).normalize();
        Path cache = base.resolve(r.string(toml, "cache", "./cache")).normalize();
        long cacheMax = r.size(toml, "cache_max", DEFAULT_CACHE_MAX);
        if (cacheMax < 0) {
            throw r.invalid("cache_max", cacheMax + " is negative (a size such as \"20G\", or 0 to keep nothing)");
        }
        boolean ipfs = r.bool(toml, "ipfs", true);
        URI ipfsApi = r.httpUri(toml, "ipfs_api", "http://127.0.0.1:5001");
        if ("https".equals(ipfsApi.getScheme())) {
            throw r.invalid("ipfs_api", "'" + ipfsApi + "': https is not supported, the IPFS client speaks plain"
                    + " HTTP; use http:// to a node on this host or a trusted network (or a local TLS-terminating"
                    + " proxy)");
        }
        URI ipfsGateway = r.optString(toml, "ipfs_gateway").isPresent() ? r.httpUri(toml, "ipfs_gateway", null) : null;
        if (ipfsGateway != null && ("https".equals(ipfsGateway.getScheme())
                || ipfsGateway.getRawQuery() != null || ipfsGateway.getRawFragment() != null)) {
            // The content client speaks plain HTTP/1.1 on a socket; TLS adds nothing to content
            // that is verified against its CID anyway.
            throw r.invalid("ipfs_gateway", "'" + ipfsGateway + "' must be a plain http:// URL without query or fragment");
        }
        Path refs = base.resolve(r.string(toml, "refs", "./refs.toml")).normalize();

        TomlTable httpT = r.table(toml, "http");
        unknown(httpT, HTTP, "http.", warnings);
        int httpPort = r.port(httpT, "http.port", 80);
        Inet4Address bind = r.optIp(httpT, "http.bind").orElse(address);
        URI url = r.optString(httpT, "http.url").isPresent()
                ? r.httpUri(httpT, "http.url", null)
                : URI.create("http://" + Ipv4.text(address) + (httpPort == 80 ? "" : ":" + httpPort));
        Config.Http http = new Config.Http(bind, httpPort, url,
                r.intIn(httpT, "http.file_threads", Config.Http.DEFAULT_FILE_THREADS, 1, 4096),
                r.intIn(httpT, "http.script_threads", Config.Http.DEFAULT_SCRIPT_THREADS, 1, 1024),
                r.sizeIn(httpT, "http.min_send_rate", Config.Http.DEFAULT_MIN_SEND_RATE, 0, 1L << 30),
                r.durationIn(httpT, "http.send_rate_window", Config.Http.DEFAULT_SEND_RATE_WINDOW,
                        Duration.ofSeconds(1), Duration.ofMinutes(10)),
                r.intIn(httpT, "http.max_connections_per_client", Config.Http.DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
                        1, 100_000));

        TomlTable tftpT = r.table(toml, "tftp");
        unknown(tftpT, TFTP, "tftp.", warnings);
        Config.Tftp tftp = new Config.Tftp(
                r.port(tftpT, "tftp.port", 69),
                r.intIn(tftpT, "tftp.max_blksize", 1468, 8, 65464),
                r.intIn(tftpT, "tftp.max_windowsize", 64, 1, 65535),
                r.intIn(tftpT, "tftp.max_transfers", 256, 1, 100_000),
                r.durationIn(tftpT, "tftp.timeout", Duration.ofSeconds(1), Duration.ofMillis(10),
                        Duration.ofSeconds(255)),
                r.intIn(tftpT, "tftp.retries", 5, 1, 100),
                r.intIn(tftpT, "tftp.ack_spin_us", Config.Tftp.DEFAULT_ACK_SPIN_MICROS, 0, 10_000),
                r.durationIn(tftpT, "tftp.max_client_timeout", Config.Tftp.DEFAULT_MAX_CLIENT_TIMEOUT,
                        Duration.ofSeconds(1), Duration.ofSeconds(255)),
                r.durationIn(tftpT, "tftp.first_ack_timeout", Config.Tftp.DEFAULT_FIRST_ACK_TIMEOUT,
                        Duration.ofMillis(100), Duration.ofSeconds(255)),
                r.intIn(tftpT, "tftp.max_transfers_per_client", Config.Tftp.DEFAULT_MAX_TRANSFERS_PER_CLIENT, 1,
                        100_000));

        TomlTable dhcpT = r.table(toml, "dhcp");
        unknown(dhcpT, DHCP, "dhcp.", warnings);
        Config.DhcpMode mode = r.mode(dhcpT, "dhcp.mode");
        Inet4Address[] range = defaultRange(subnet, address, address);
        Inet4Address start = r.optIp(dhcpT, "dhcp.range_start").orElse(range[0]);
        Inet4Address end = r.optIp(dhcpT, "dhcp.range_end").orElse(range[1]);
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
            if (size > MAX_POOL) {
                boolean explicit = dhcpT != null && (dhcpT.get("range_start") != null || dhcpT.get("range_end") != null);
                if (explicit) {
                    throw r.invalid(dhcpT.get("range_start") != null ? "dhcp.range_start" : "dhcp.range_end",
                            "the pool " + Ipv4.text(start) + " - " + Ipv4.text(end) + " has " + size
                                    + " addresses, more than " + MAX_POOL + ": narrow range_start .. range_end");
                }
                throw r.invalidAt("dhcp.range_start", dhcpT != null ? "dhcp" : "interface", "the default pool (every"
                        + " host of " + iface + "'s subnet " + subnet + ") would have " + size + " addresses, more than "
                        + MAX_POOL + ": set dhcp.range_start and dhcp.range_end to an explicit range inside " + subnet);
            }
        }
        List<Config.Relay> relays = relays(r, dhcpT, offlineFallback ? null : subnet, warnings);
        Inet4Address gateway;
        Optional<String> gw = r.optString(dhcpT, "dhcp.gateway");
        if (gw.isPresent() && gw.get().isEmpty()) {
            gateway = null; // explicitly none: an isolated boot network
        } else {
            gateway = r.optIp(dhcpT, "dhcp.gateway").orElse(address);
        }
        List<Inet4Address> dns = r.ipList(dhcpT, "dhcp.dns").orElse(List.of(address));
        String pattern = r.string(dhcpT, "dhcp.hostname_pattern", "node{n}");
        if (!pattern.contains("{n}") && !pattern.contains("{mac}")) {
            throw r.invalid("dhcp.hostname_pattern", "'" + pattern
                    + "' must contain {n} (last octet) or {mac} so host names are unique");
        }
        String longest = longestName(pattern, subnet, relays);
        String tooLong = nameTooLong(longest, domain);
        if (tooLong != null) {
            throw r.invalid("dhcp.hostname_pattern", "'" + pattern + "' yields names such as '" + longest + "': "
                    + tooLong);
        }
        List<Config.Reservation> reservations = new ArrayList<>();
        TomlArray resArr = dhcpT == null ? null : r.array(dhcpT, "dhcp.reservation");
        if (resArr != null) {
            for (int i = 0; i < resArr.size(); i++) {
                if (!(resArr.get(i) instanceof TomlTable t)) {
                    throw r.invalid("dhcp.reservation", "entries must be tables ([[dhcp.reservation]])");
                }
                String key = "dhcp.reservation[" + i + "]";
                unknown(t, RESERVATION, key + ".", warnings);
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
                String problem = reservationProblem(ra, address, gateway, offlineFallback ? null : subnet, relays);
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
        Config.Dhcp dhcp = new Config.Dhcp(mode,
                r.port(dhcpT, "dhcp.port", 67),
                r.port(dhcpT, "dhcp.proxy_port", 4011),
                start, end,
                r.durationIn(dhcpT, "dhcp.lease_time", Duration.ofHours(12), Duration.ofSeconds(60),
                        Duration.ofDays(365)),
                gateway, dns, pattern,
                r.fileName(dhcpT, "dhcp.bios_binary", "undionly.kpxe"),
                r.fileName(dhcpT, "dhcp.efi_binary", "ipxe.efi"),
                r.fileName(dhcpT, "dhcp.efi_ia32_binary", "ipxe-ia32.efi"),
                r.fileName(dhcpT, "dhcp.arm64_binary", "ipxe-arm64.efi"),
                reservations,
                r.durationIn(dhcpT, "dhcp.decline_probation", Duration.ofMinutes(10), Duration.ZERO,
                        Duration.ofDays(7)),
                relays,
                r.intIn(dhcpT, "dhcp.shed_backlog", Config.Dhcp.DEFAULT_SHED_BACKLOG, 16, 1_000_000));

        TomlTable menuT = r.table(toml, "menu");
        unknown(menuT, MENU, "menu.", warnings);
        String def = r.string(menuT, "menu.default", "");
        Config.Menu menu = new Config.Menu(def, r.intIn(menuT, "menu.timeout", 10, 0, 3600));

        Config c = new Config(file.toAbsolutePath(), iface, address, subnet, domain, data, database, cache, cacheMax,
                ipfs, ipfsApi, ipfsGateway, refs, http, tftp, dhcp, menu);
        return new Loaded(c, List.copyOf(warnings));
    }

    /**
     * Reads {@code [[dhcp.relay]]}: one pool per subnet behind a relay agent. Each subnet must be a
     * proper CIDR network, its range inside it (not its network or broadcast address), and no two
     * subnets, nor a relayed subnet and {@code mainSubnet} (null when the interface is unknown), may
     * overlap: the giaddr of a request must name exactly one pool.
     */
    private static List<Config.Relay> relays(Reader r, TomlTable dhcpT, Ipv4Subnet mainSubnet, List<String> warnings)
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
            unknown(t, RELAY, key + ".", warnings);
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
            if (poolSize(start, end) > MAX_POOL) {
                throw r.invalidIn(arr, i, t, "range_start", key + ".range_start", "the pool " + Ipv4.text(start)
                        + " - " + Ipv4.text(end) + " has " + poolSize(start, end) + " addresses, more than "
                        + MAX_POOL + ": narrow range_start .. range_end");
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
    private static Inet4Address relayIp(Reader r, TomlArray arr, int i, TomlTable t, String key, String leaf,
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

    private Ipv4Address resolveInterface(Path file, String iface, Optional<Inet4Address> explicit, Network network)
            throws ConfigException {
        List<Ipv4Address> addrs;
        try {
            addrs = interfaces.ipv4(iface);
        } catch (SocketException e) {
            throw new ConfigException(file + ": cannot list network interfaces: " + e.getMessage(), e);
        }
        if (addrs == null || addrs.isEmpty()) {
            if (network == Network.OPTIONAL) {
                return new Ipv4Address(explicit.orElse(Ipv4.parse("127.0.0.1")), OFFLINE_PREFIX_MARK);
            }
            if (addrs == null) {
                String known;
                try {
                    known = String.join(", ", interfaces.names());
                } catch (SocketException e) {
                    known = "?";
                }
                throw new ConfigException(file + ": interface = \"" + iface + "\": no such interface (this host has: "
                        + known + ")");
            }
            throw new ConfigException(file + ": interface = \"" + iface + "\" has no IPv4 address");
        }
        if (explicit.isEmpty()) {
            return addrs.get(0);
        }
        for (Ipv4Address a : addrs) {
            if (a.address().equals(explicit.get())) {
                return a;
            }
        }
        if (network == Network.OPTIONAL) {
            return new Ipv4Address(explicit.get(), OFFLINE_PREFIX_MARK);
        }
        throw new ConfigException(file + ": address = \"" + Ipv4.text(explicit.get()) + "\" is not an address of "
                + iface + " (it has " + addrs.stream().map(a -> Ipv4.text(a.address()) + "/" + a.prefixLength())
                        .toList() + ")");
    }

    private static void unknown(TomlTable t, Set<String> known, String prefix, List<String> warnings) {
        if (t == null) {
            return;
        }
        Set<String> extra = new TreeSet<>();
        for (String k : t.keySet()) {
            if (!known.contains(k)) {
                extra.add(prefix + k);
            }
        }
        if (!extra.isEmpty()) {
            warnings.add("unknown config key" + (extra.size() > 1 ? "s" : "") + " ignored: " + String.join(", ", extra));
        }
    }

    /**
     * The default pool: every host address of the subnet. The DHCP pool additionally skips the
     * server's and the gateway's own addresses, so they need not be cut out of the range here.
     */
    static Inet4Address[] defaultRange(Ipv4Subnet subnet, Inet4Address server, Inet4Address gateway) {
        return new Inet4Address[] {subnet.firstHost(), subnet.lastHost()};
    }

    /**
     * Parses {@code 90}, {@code "90s"}, {@code "15m"}, {@code "12h"}, {@code "7d"}, {@code "500ms"}
     * (a bare number is seconds).
     */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            char unit = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            String num = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1).trim();
            long n = Long.parseLong(num);
            if (n < 0) {
                throw new IllegalArgumentException();
            }
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> {
                    if (Character.isDigit(unit)) {
                        yield Duration.ofSeconds(n);
                    }
                    throw new IllegalArgumentException();
                }
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 30s, 15m, 12h, 7d)");
        }
    }

    /** Parses {@code 1048576}, {@code "512M"}, {@code "20G"}, {@code "1T"} (binary units). */
    public static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith("I")) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            char unit = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            int shift = switch (unit) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                case 'T' -> 40;
                default -> 0;
            };
            long n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1).trim());
            if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException();
            }
            return n << shift;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 512M, 20G)");
        }
    }

    /** Typed access that turns every wrong type or value into a ConfigException naming file, key and line. */
    private record Reader(Path file, TomlParseResult root) {

        ConfigException invalid(String key, String message) {
            return invalidAt(key, key, message);
        }

        /** Like {@link #invalid}, with the line of {@code positionKey} (the key itself may be absent). */
        ConfigException invalidAt(String key, String positionKey, String message) {
            String where = file.toString();
            if (!positionKey.contains("[")) {
                try {
                    var pos = root.inputPositionOf(positionKey);
                    if (pos != null) {
                        where += ":" + pos.line() + ":" + pos.column();
                    }
                } catch (RuntimeException e) {
                    // The key path crosses an array or a non-table: no position to show.
                }
            }
            return new ConfigException(where + ": " + key + ": " + message);
        }

        /**
         * Like {@link #invalid} for a key inside entry {@code index} of an array of tables: the position is
         * that of {@code leafKey} in {@code entry}, or of the entry itself when {@code leafKey} is null.
         */
        ConfigException invalidIn(TomlArray arr, int index, TomlTable entry, String leafKey, String key,
                String message) {
            org.tomlj.TomlPosition pos = null;
            try {
                pos = leafKey != null ? entry.inputPositionOf(leafKey) : null;
                if (pos == null) {
                    pos = arr.inputPositionOf(index);
                }
            } catch (RuntimeException e) {
                // No position recorded: name the file only.
            }
            String where = file.toString() + (pos == null ? "" : ":" + pos.line() + ":" + pos.column());
            return new ConfigException(where + ": " + key + ": " + message);
        }

        private static String leaf(String dotted) {
            int i = dotted.lastIndexOf('.');
            return i < 0 ? dotted : dotted.substring(i + 1);
        }

        TomlTable table(TomlTable t, String key) throws ConfigException {
            Object o = t.get(key);
            if (o == null) {
                return null;
            }
            if (o instanceof TomlTable tt) {
                return tt;
            }
            throw invalid(key, "must be a table ([" + key + "])");
        }

        TomlArray array(TomlTable t, String key) throws ConfigException {
            Object o = t.get(leaf(key));
            if (o == null) {
                return null;
            }
            if (o instanceof TomlArray a) {
                return a;
            }
            throw invalid(key, "must be an array");
        }

        Optional<String> optString(TomlTable t, String key) throws ConfigException {
            if (t == null) {
                return Optional.empty();
            }
            Object o = t.get(leaf(key));
            if (o == null) {
                return Optional.empty();
            }
            if (o instanceof String s) {
                return Optional.of(s);
            }
            throw invalid(key, "must be a string, got " + o);
        }

        String string(TomlTable t, String key, String def) throws ConfigException {
            return optString(t, key).orElse(def);
        }

        boolean bool(TomlTable t, String key, boolean def) throws ConfigException {
            Object o = t == null ? null : t.get(leaf(key));
            if (o == null) {
                return def;
            }
            if (o instanceof Boolean b) {
                return b;
            }
            throw invalid(key, "must be true or false, got " + o);
        }

        int intIn(TomlTable t, String key, int def, int min, int max) throws ConfigException {
            Object o = t == null ? null : t.get(leaf(key));
            if (o == null) {
                return def;
            }
            if (!(o instanceof Long l)) {
                throw invalid(key, "must be a whole number, got " + o);
            }
            if (l < min || l > max) {
                throw invalid(key, l + " is out of range " + min + ".." + max);
            }
            return l.intValue();
        }

        int port(TomlTable t, String key, int def) throws ConfigException {
            return intIn(t, key, def, 1, 65535);
        }

        Optional<Inet4Address> optIp(TomlTable t, String key) throws ConfigException {
            Optional<String> s = optString(t, key);
            if (s.isEmpty() || s.get().isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(Ipv4.parse(s.get()));
            } catch (IllegalArgumentException e) {
                throw invalid(key, e.getMessage());
            }
        }

        Optional<List<Inet4Address>> ipList(TomlTable t, String key) throws ConfigException {
            TomlArray a = t == null ? null : array(t, key);
            if (a == null) {
                return Optional.empty();
            }
            List<Inet4Address> out = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                Object o = a.get(i);
                if (!(o instanceof String s)) {
                    throw invalid(key, "entries must be strings");
                }
                try {
                    out.add(Ipv4.parse(s));
                } catch (IllegalArgumentException e) {
                    throw invalid(key, e.getMessage());
                }
            }
            return Optional.of(out);
        }

        Duration durationIn(TomlTable t, String key, Duration def, Duration min, Duration max)
                throws ConfigException {
            Object o = t == null ? null : t.get(leaf(key));
            if (o == null) {
                return def;
            }
            Duration d;
            try {
                d = o instanceof Long l ? Duration.ofSeconds(l) : parseDuration(String.valueOf(o));
            } catch (IllegalArgumentException e) {
                throw invalid(key, e.getMessage());
            }
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw invalid(key, o + " is out of range " + min + ".." + max);
            }
            return d;
        }

        long size(TomlTable t, String key, long def) throws ConfigException {
            Object o = t == null ? null : t.get(leaf(key));
            if (o == null) {
                return def;
            }
            try {
                return o instanceof Long l ? l : parseSize(String.valueOf(o));
            } catch (IllegalArgumentException e) {
                throw invalid(key, e.getMessage());
            }
        }

        long sizeIn(TomlTable t, String key, long def, long min, long max) throws ConfigException {
            long n = size(t, key, def);
            if (n < min || n > max) {
                throw invalid(key, n + " is out of range " + min + ".." + max);
            }
            return n;
        }

        URI httpUri(TomlTable t, String key, String def) throws ConfigException {
            String s = string(t, key, def);
            try {
                URI u = new URI(s);
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    throw new URISyntaxException(s, "not an http:// URL");
                }
                return u;
            } catch (URISyntaxException e) {
                throw invalid(key, "'" + s + "' is not an http:// URL");
            }
        }

        Config.DhcpMode mode(TomlTable t, String key) throws ConfigException {
            String s = string(t, key, "full");
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "full" -> Config.DhcpMode.FULL;
                case "proxy" -> Config.DhcpMode.PROXY;
                case "off" -> Config.DhcpMode.OFF;
                default -> throw invalid(key, "'" + s + "' is not a DHCP mode (full, proxy or off)");
            };
        }

        String fileName(TomlTable t, String key, String def) throws ConfigException {
            String s = string(t, key, def);
            if (s.isEmpty() || s.contains("/") || s.contains("\\") || s.equals("..") || s.equals(".")) {
                throw invalid(key, "'" + s + "' must be a plain file name under tftp/");
            }
            return s;
        }
    }
}

package org.astralboot.config;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
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
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Reads {@code config.toml} into a {@link Config}: applies defaults, derives the address and subnet
 * from the interface, and validates every value. It never writes the file. Each key's name, default,
 * range and own checks come from {@link Keys}; the {@code [dhcp]} table, with its checks across keys,
 * is read by {@link DhcpSection}.
 *
 * <p>Relative paths ({@code data}, {@code database}, {@code cache}, {@code refs}) are resolved
 * against the folder of the config file, so a service started from any working directory finds
 * the same files.
 */
public final class ConfigLoader {
    /** Default cache size limit: 20 GiB. */
    public static final long DEFAULT_CACHE_MAX = Keys.CACHE_MAX.def();
    /**
     * Largest DHCP pool (main or relayed): the lease table keeps a record per address in memory and
     * in the database, so a default pool on a /8 (16 million addresses) would exhaust the heap.
     */
    public static final int MAX_POOL = 65_536;

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
        TomlReader r = new TomlReader(file, toml);
        List<String> warnings = new ArrayList<>();
        unknown(toml, Keys.known(""), "", warnings);
        Path base = file.toAbsolutePath().getParent();

        String iface = Keys.INTERFACE.read(r, toml);
        Optional<Inet4Address> explicitAddress = Optional.ofNullable(Keys.ADDRESS.read(r, toml));
        Ipv4Address ifAddr = resolveInterface(file, iface, explicitAddress, network);
        boolean offlineFallback = ifAddr.prefixLength() == OFFLINE_PREFIX_MARK;
        if (offlineFallback) {
            ifAddr = new Ipv4Address(ifAddr.address(), 32);
        }
        Inet4Address address = ifAddr.address();
        Ipv4Subnet subnet = Ipv4Subnet.of(address, ifAddr.prefixLength());

        String domain = Keys.DOMAIN.read(r, toml);
        Path data = base.resolve(Keys.DATA.read(r, toml)).normalize();
        Path database = base.resolve(Keys.DATABASE.read(r, toml)).normalize();
        Path cache = base.resolve(Keys.CACHE.read(r, toml)).normalize();
        long cacheMax = Keys.CACHE_MAX.read(r, toml);
        boolean ipfs = Keys.IPFS.read(r, toml);
        URI ipfsApi = Keys.IPFS_API.read(r, toml);
        URI ipfsGateway = Keys.IPFS_GATEWAY.read(r, toml);
        Path refs = base.resolve(Keys.REFS.read(r, toml)).normalize();

        TomlTable httpT = section(r, toml, "http", warnings);
        int httpPort = Keys.HTTP_PORT.read(r, httpT);
        Inet4Address bind = Keys.HTTP_BIND.read(r, httpT);
        URI url = Keys.HTTP_URL.read(r, httpT);
        Config.Http http = new Config.Http(bind != null ? bind : address, httpPort,
                url != null ? url : URI.create("http://" + Ipv4.text(address) + (httpPort == 80 ? "" : ":" + httpPort)),
                Keys.HTTP_FILE_THREADS.read(r, httpT),
                Keys.HTTP_SCRIPT_THREADS.read(r, httpT),
                Keys.HTTP_MIN_SEND_RATE.read(r, httpT),
                Keys.HTTP_SEND_RATE_WINDOW.read(r, httpT),
                Keys.HTTP_MAX_CONNECTIONS_PER_CLIENT.read(r, httpT));

        TomlTable tftpT = section(r, toml, "tftp", warnings);
        Config.Tftp tftp = new Config.Tftp(
                Keys.TFTP_PORT.read(r, tftpT),
                Keys.TFTP_MAX_BLKSIZE.read(r, tftpT),
                Keys.TFTP_MAX_WINDOWSIZE.read(r, tftpT),
                Keys.TFTP_MAX_TRANSFERS.read(r, tftpT),
                Keys.TFTP_TIMEOUT.read(r, tftpT),
                Keys.TFTP_RETRIES.read(r, tftpT),
                Keys.TFTP_ACK_SPIN_US.read(r, tftpT),
                Keys.TFTP_MAX_CLIENT_TIMEOUT.read(r, tftpT),
                Keys.TFTP_FIRST_ACK_TIMEOUT.read(r, tftpT),
                Keys.TFTP_MAX_TRANSFERS_PER_CLIENT.read(r, tftpT));

        TomlTable dhcpT = r.table(toml, "dhcp");
        Config.Dhcp dhcp = DhcpSection.read(r, dhcpT, iface, address, subnet, offlineFallback, domain, warnings);

        TomlTable menuT = section(r, toml, "menu", warnings);
        Config.Menu menu = new Config.Menu(Keys.MENU_DEFAULT.read(r, menuT), Keys.MENU_TIMEOUT.read(r, menuT));

        TomlTable dnsT = section(r, toml, "dns", warnings);
        Boolean dnsEnabled = Keys.DNS_ENABLED.read(r, dnsT);
        List<Inet4Address> upstream = Keys.DNS_UPSTREAM.read(r, dnsT);
        Config.Dns dns = new Config.Dns(dnsEnabled != null ? dnsEnabled : dhcp.mode() == Config.DhcpMode.FULL,
                Keys.DNS_PORT.read(r, dnsT), upstream != null ? upstream : List.of(), Keys.DNS_TTL.read(r, dnsT));

        TomlTable ipv6T = section(r, toml, "ipv6", warnings);
        Config.Ipv6 ipv6 = new Config.Ipv6(Keys.IPV6_ANSWER_RS.read(r, ipv6T));
        Config.Dhcp6 dhcp6 = new Config.Dhcp6(Config.Dhcp6Mode.parse(Keys.IPV6_DHCP.read(r, ipv6T)),
                Keys.IPV6_ADDRESS.read(r, ipv6T), Keys.IPV6_RANGE_START.read(r, ipv6T),
                Keys.IPV6_RANGE_END.read(r, ipv6T)).withDefaultRange();
        if (dhcp6.rangeStart() != null && dhcp6.rangeEnd() != null && java.util.Arrays.compareUnsigned(
                dhcp6.rangeStart().getAddress(), dhcp6.rangeEnd().getAddress()) > 0) {
            throw r.invalid(Keys.IPV6_RANGE_END.name(), "range_end is before range_start");
        }
        dhcp6 = new Config.Dhcp6(dhcp6.mode(), dhcp6.address(), dhcp6.rangeStart(), dhcp6.rangeEnd(),
                Ipv6Relays.read(r, ipv6T, dhcp6.rangeStart(), dhcp6.rangeEnd(), warnings));

        TomlTable apiT = section(r, toml, "api", warnings);
        Config.Api api = new Config.Api(Keys.API_URL.read(r, apiT), Keys.API_TIMEOUT.read(r, apiT),
                Keys.API_CACHE_TTL.read(r, apiT), Keys.API_FALLBACK.read(r, apiT).equals("menu"),
                Keys.API_FILES_MAX.read(r, apiT));

        TomlTable adminT = section(r, toml, "admin", warnings);
        String listen = Keys.ADMIN_LISTEN.read(r, adminT);
        Config.Admin admin = new Config.Admin(listen.isEmpty() ? null : Config.Admin.parseListen(listen),
                Keys.ADMIN_TOKEN.read(r, adminT));
        if (admin.beyondLoopback() && admin.token().isEmpty()) {
            // The operator's interface changes what machines boot: never open to the network without a token.
            throw r.invalidAt(Keys.ADMIN_LISTEN.name(), Keys.ADMIN_LISTEN.name(), "'" + listen
                    + "' is beyond loopback, so [admin] token is required (a bearer token of at least 16"
                    + " characters, e.g. from openssl rand -hex 16); or listen on 127.0.0.1");
        }

        Config c = new Config(file.toAbsolutePath(), iface, address, subnet, domain, data, database, cache, cacheMax,
                ipfs, ipfsApi, ipfsGateway, refs, http, tftp, dhcp, menu, dns, api, admin, ipv6, dhcp6);
        return new Loaded(c, List.copyOf(warnings));
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

    /** Table {@code name} of {@code root}, its unknown keys added to {@code warnings}; null when absent. */
    private static TomlTable section(TomlReader r, TomlTable root, String name, List<String> warnings)
            throws ConfigException {
        TomlTable t = r.table(root, name);
        unknown(t, Keys.known(name), name + ".", warnings);
        return t;
    }

    /** Adds a warning naming the keys of {@code t} not in {@code known}, each prefixed with {@code prefix}. */
    static void unknown(TomlTable t, Set<String> known, String prefix, List<String> warnings) {
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

}

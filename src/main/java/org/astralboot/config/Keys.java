package org.astralboot.config;

import java.net.Inet4Address;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;
import org.astralboot.net.MacAddress;

/**
 * Every key of {@code config.toml}, described once: name, type, default, range, checks on the value
 * alone and a one-line description. {@link ConfigLoader} reads with these (unknown keys, defaults,
 * ranges), {@link ConfigWriter} writes the implied config in their order, {@link Config}'s defaults
 * and {@code DEFAULT_*} constants come from them, and a test checks that {@code config.toml.dist}
 * documents exactly these keys. Adding a key means a constant here (in file order), its field in
 * {@link Config} (read into it with {@code KEY.read} in {@link ConfigLoader} or {@link DhcpSection}),
 * and its paragraph in {@code config.toml.dist}. A key not in this table is reported in
 * {@link ConfigLoader.Loaded#warnings()}.
 *
 * <p>A default of {@code null} means the loader derives it (from the interface, say) or the key is
 * optional.
 */
public final class Keys {
    private Keys() {
    }

    /** RFC 1035 §2.3.1 syntax (letters, digits, hyphens; no leading or trailing hyphen), dot-separated labels. */
    private static final String DOMAIN_SYNTAX =
            "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*";

    // ---------------------------------------------------------------- top level

    public static final Key<String> INTERFACE = Key.string("interface", "eth1",
            "NIC facing the machines to boot; DHCP answers only there", Config::iface);
    public static final Key<Inet4Address> ADDRESS = Key.ip("address",
            "server IPv4 address; default: the interface's first, and if set it must be one of them",
            Config::address);
    public static final Key<String> DOMAIN = Key.string("domain", "local",
            "DNS domain handed to machines (DHCP option 15) and used in templates", Config::domain)
            .checked(d -> d.matches(DOMAIN_SYNTAX) ? null : "'" + d + "' is not a DNS domain name");
    public static final Key<String> DATA = Key.string("data", "./data",
            "local boot tree, served with -l or when ipfs = false", c -> c.data().toString());
    public static final Key<String> DATABASE = Key.string("database", "./astralboot.db",
            "MapDB file with leases, machines and the cache index", c -> c.database().toString());
    public static final Key<String> CACHE = Key.string("cache", "./cache",
            "content-addressed cache of IPFS files", c -> c.cache().toString());
    public static final Key<Long> CACHE_MAX = Key.size("cache_max", 20L << 30, null, null,
            "size limit of the cache; least recently used files go first", Config::cacheMaxBytes)
            .checked(n -> n >= 0 ? null : n + " is negative (a size such as \"20G\", or 0 to keep nothing)");
    public static final Key<Boolean> IPFS = Key.bool("ipfs", true,
            "serve boot trees from IPFS (refs.toml) instead of the data folder", Config::ipfs);
    public static final Key<URI> IPFS_API = Key.url("ipfs_api", "http://127.0.0.1:5001",
            "the IPFS node's RPC API", Config::ipfsApi)
            .checked(u -> !"https".equals(u.getScheme()) ? null
                    : "'" + u + "': https is not supported, the IPFS client speaks plain HTTP; use http:// to a"
                            + " node on this host or a trusted network (or a local TLS-terminating proxy)");
    public static final Key<URI> IPFS_GATEWAY = Key.url("ipfs_gateway", null,
            "trustless HTTP gateway to fetch content from; default: the RPC API", Config::ipfsGateway)
            // The content client speaks plain HTTP/1.1 on a socket; TLS adds nothing to content
            // that is verified against its CID anyway.
            .checked(u -> !"https".equals(u.getScheme()) && u.getRawQuery() == null && u.getRawFragment() == null
                    ? null : "'" + u + "' must be a plain http:// URL without query or fragment");
    public static final Key<String> REFS = Key.string("refs", "./refs.toml",
            "file naming the IPFS boot trees", c -> c.refs().toString());

    // ---------------------------------------------------------------- [http]

    public static final Key<Integer> HTTP_PORT = Key.port("http.port", 80, "TCP port of the HTTP boot service",
            c -> c.http().port());
    public static final Key<Inet4Address> HTTP_BIND = Key.ip("http.bind", "address to listen on; default: address",
            c -> c.http().bind());
    public static final Key<URI> HTTP_URL = Key.url("http.url", null,
            "base URL machines use to reach this server; default from address and port",
            c -> URI.create(c.http().base()));
    public static final Key<Integer> HTTP_FILE_THREADS = Key.integer("http.file_threads", 128, 1, 4096,
            "threads sending files (kernels, initrds, tftp/ files)", c -> c.http().fileThreads());
    public static final Key<Integer> HTTP_SCRIPT_THREADS = Key.integer("http.script_threads", 32, 1, 1024,
            "threads answering every other route (scripts, menus, templates)", c -> c.http().scriptThreads());
    public static final Key<Long> HTTP_MIN_SEND_RATE = Key.size("http.min_send_rate", 16 * 1024, 0L, 1L << 30,
            "bytes per second a file send must reach over send_rate_window (0: no minimum)",
            c -> c.http().minSendRate());
    public static final Key<Duration> HTTP_SEND_RATE_WINDOW = Key.duration("http.send_rate_window",
            Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(10),
            "the time over which min_send_rate is measured", c -> c.http().sendRateWindow());
    public static final Key<Integer> HTTP_MAX_CONNECTIONS_PER_CLIENT = Key.integer(
            "http.max_connections_per_client", 32, 1, 100_000,
            "open connections from one client address before 503", c -> c.http().maxConnectionsPerClient());

    // ---------------------------------------------------------------- [tftp]

    public static final Key<Integer> TFTP_PORT = Key.port("tftp.port", 69, "UDP port of the TFTP listener",
            c -> c.tftp().port());
    public static final Key<Integer> TFTP_MAX_BLKSIZE = Key.integer("tftp.max_blksize", 1468, 8, 65464,
            "largest block size granted (RFC 2348); 1468 fits a 1500-byte MTU", c -> c.tftp().maxBlksize());
    public static final Key<Integer> TFTP_MAX_WINDOWSIZE = Key.integer("tftp.max_windowsize", 64, 1, 65535,
            "largest window granted (RFC 7440)", c -> c.tftp().maxWindowsize());
    public static final Key<Integer> TFTP_MAX_TRANSFERS = Key.integer("tftp.max_transfers", 1024, 1, 100_000,
            "concurrent transfers before new requests get an ERROR", c -> c.tftp().maxTransfers());
    public static final Key<Duration> TFTP_TIMEOUT = Key.duration("tftp.timeout", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofSeconds(255),
            "retransmission timeout when the client does not ask for one (RFC 2349)", c -> c.tftp().timeout());
    public static final Key<Integer> TFTP_RETRIES = Key.integer("tftp.retries", 5, 1, 100,
            "retransmissions of one block before the transfer is abandoned", c -> c.tftp().retries());
    public static final Key<Integer> TFTP_ACK_SPIN_US = Key.integer("tftp.ack_spin_us", 100, 0, 10_000,
            "microseconds a transfer polls for the client's ACK before sleeping (0: never)",
            c -> c.tftp().ackSpinMicros());
    public static final Key<Duration> TFTP_MAX_CLIENT_TIMEOUT = Key.duration("tftp.max_client_timeout",
            Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(255),
            "largest RFC 2349 timeout a client may choose; a larger one is declined",
            c -> c.tftp().maxClientTimeout());
    public static final Key<Duration> TFTP_FIRST_ACK_TIMEOUT = Key.duration("tftp.first_ack_timeout",
            Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(255),
            "how long a transfer waits in all for the client's first ACK", c -> c.tftp().firstAckTimeout());
    public static final Key<Integer> TFTP_MAX_TRANSFERS_PER_CLIENT = Key.integer("tftp.max_transfers_per_client",
            16, 1, 100_000, "concurrent transfers to one source address before its new requests get an ERROR",
            c -> c.tftp().maxTransfersPerClient());

    // ---------------------------------------------------------------- [dhcp]

    public static final Key<Config.DhcpMode> DHCP_MODE = Key.mode("dhcp.mode", Config.DhcpMode.FULL,
            "full: addresses from the pool; proxy: proxyDHCP beside the site's server; off: no DHCP",
            c -> c.dhcp().mode());
    public static final Key<Integer> DHCP_PORT = Key.port("dhcp.port", 67, "DHCP server port",
            c -> c.dhcp().port());
    public static final Key<Integer> DHCP_PROXY_PORT = Key.port("dhcp.proxy_port", 4011,
            "PXE boot-server port UEFI firmware uses after a proxyDHCP offer", c -> c.dhcp().proxyPort());
    public static final Key<Inet4Address> DHCP_RANGE_START = Key.ip("dhcp.range_start",
            "first pool address; default: the subnet's first host", c -> c.dhcp().rangeStart());
    public static final Key<Inet4Address> DHCP_RANGE_END = Key.ip("dhcp.range_end",
            "last pool address; default: the subnet's last host", c -> c.dhcp().rangeEnd());
    public static final Key<Duration> DHCP_LEASE_TIME = Key.duration("dhcp.lease_time", Duration.ofHours(12),
            Duration.ofSeconds(60), Duration.ofDays(365), "lease duration (option 51)", c -> c.dhcp().leaseTime());
    public static final Key<Inet4Address> DHCP_GATEWAY = Key.ip("dhcp.gateway",
            "router handed out (option 3); default: address; \"\": none", c -> c.dhcp().gateway());
    public static final Key<List<Inet4Address>> DHCP_DNS = Key.ips("dhcp.dns",
            "DNS servers (option 6); default: [address]", c -> c.dhcp().dns());
    public static final Key<String> DHCP_HOSTNAME_PATTERN = Key.string("dhcp.hostname_pattern", "node{n}",
            "host names without a reservation: {n} = last octet, {mac} = MAC in hex",
            c -> c.dhcp().hostnamePattern())
            .checked(p -> p.contains("{n}") || p.contains("{mac}") ? null
                    : "'" + p + "' must contain {n} (last octet) or {mac} so host names are unique");
    public static final Key<String> DHCP_BIOS_BINARY = Key.fileName("dhcp.bios_binary", "undionly.kpxe",
            "iPXE for BIOS PXE firmware, under tftp/", c -> c.dhcp().biosBinary());
    public static final Key<String> DHCP_EFI_BINARY = Key.fileName("dhcp.efi_binary", "ipxe.efi",
            "iPXE for x64 UEFI firmware, under tftp/", c -> c.dhcp().efiBinary());
    public static final Key<String> DHCP_EFI_IA32_BINARY = Key.fileName("dhcp.efi_ia32_binary", "ipxe-ia32.efi",
            "iPXE for IA32 UEFI firmware, under tftp/", c -> c.dhcp().efiIa32Binary());
    public static final Key<String> DHCP_ARM64_BINARY = Key.fileName("dhcp.arm64_binary", "ipxe-arm64.efi",
            "iPXE for ARM64 UEFI firmware, under tftp/", c -> c.dhcp().arm64Binary());
    public static final Key<Duration> DHCP_DECLINE_PROBATION = Key.duration("dhcp.decline_probation",
            Duration.ofMinutes(10), Duration.ZERO, Duration.ofDays(7),
            "how long a DECLINEd address stays out of the pool", c -> c.dhcp().declineProbation());
    /** About a quarter second of commits on a 2-core VM. */
    public static final Key<Integer> DHCP_SHED_BACKLOG = Key.integer("dhcp.shed_backlog", 384, 16, 1_000_000,
            "lease changes waiting for their commit above which new DISCOVERs are dropped",
            c -> c.dhcp().shedBacklog());

    // ---------------------------------------------------------------- [[dhcp.reservation]]

    public static final Key<MacAddress> RESERVATION_MAC = Key.entry("dhcp.reservation.mac", "MAC address",
            "the machine's MAC", m -> ConfigWriter.q(m.toString()));
    public static final Key<Inet4Address> RESERVATION_ADDRESS = Key.entry("dhcp.reservation.address",
            "IPv4 address", "its fixed address", a -> ConfigWriter.q(Ipv4.text(a)));
    public static final Key<String> RESERVATION_HOSTNAME = Key.entry("dhcp.reservation.hostname", "host name",
            "its host name (optional)", ConfigWriter::q);

    // ---------------------------------------------------------------- [[dhcp.relay]]

    public static final Key<Ipv4Subnet> RELAY_SUBNET = Key.entry("dhcp.relay.subnet", "CIDR subnet",
            "a subnet behind a relay agent", s -> ConfigWriter.q(s.toString()));
    public static final Key<Inet4Address> RELAY_RANGE_START = Key.entry("dhcp.relay.range_start", "IPv4 address",
            "first pool address in that subnet", a -> ConfigWriter.q(Ipv4.text(a)));
    public static final Key<Inet4Address> RELAY_RANGE_END = Key.entry("dhcp.relay.range_end", "IPv4 address",
            "last pool address in that subnet", a -> ConfigWriter.q(Ipv4.text(a)));
    public static final Key<Inet4Address> RELAY_GATEWAY = Key.entry("dhcp.relay.gateway", "IPv4 address",
            "router (option 3); default: the relay agent's address (giaddr)", a -> ConfigWriter.q(Ipv4.text(a)));
    public static final Key<List<Inet4Address>> RELAY_DNS = Key.entry("dhcp.relay.dns", "list of IPv4 addresses",
            "DNS servers (option 6); default: [dhcp] dns", ConfigWriter::ips);

    // ---------------------------------------------------------------- [menu]

    public static final Key<String> MENU_DEFAULT = Key.string("menu.default", "",
            "OS booted when the menu times out (a folder under boot/); \"\": wait for a choice",
            c -> c.menu().defaultOs());
    public static final Key<Integer> MENU_TIMEOUT = Key.integer("menu.timeout", 10, 0, 3600,
            "menu timeout in seconds", c -> c.menu().timeoutSeconds());

    // ---------------------------------------------------------------- [dns]

    public static final Key<Boolean> DNS_ENABLED = Key.optBool("dns.enabled",
            "serve DNS for the domain on address (port 53); default: on in full DHCP mode", c -> c.dns().enabled());
    public static final Key<Integer> DNS_PORT = Key.port("dns.port", 53, "UDP and TCP port of the DNS server",
            c -> c.dns().port());
    public static final Key<List<Inet4Address>> DNS_UPSTREAM = Key.ips("dns.upstream",
            "servers other names are forwarded to; default: none (REFUSED)", c -> c.dns().upstream());
    public static final Key<Duration> DNS_TTL = Key.duration("dns.ttl", Duration.ofSeconds(60), Duration.ofSeconds(1),
            Duration.ofDays(1), "how long resolvers may cache answers (also the negative-caching time)",
            c -> c.dns().ttl());

    // ---------------------------------------------------------------- [ipv6]

    public static final Key<Boolean> IPV6_ANSWER_RS = Key.bool("ipv6.answer_rs", true,
            "answer network-booting machines' IPv6 router solicitations (lifetime 0; no prefix, or with"
                    + " [ipv6] dhcp on the M/O flag and the on-link prefix): ends iPXE's 16 s wait for a router",
            c -> c.ipv6().answerRs());

    // ---------------------------------------------------------------- [api]

    public static final Key<URI> API_URL = Key.url("api.url", null,
            "API mode: ask this Pixiecore-compatible boot API what each machine boots (GET <url>/v1/boot/<mac>)",
            c -> c.api().url());
    public static final Key<Duration> API_TIMEOUT = Key.duration("api.timeout", Duration.ofSeconds(5),
            Duration.ofMillis(100), Duration.ofMinutes(2), "the longest wait for the API's answer; then: not booted",
            c -> c.api().timeout());
    public static final Key<Duration> API_CACHE_TTL = Key.duration("api.cache_ttl", Duration.ofSeconds(60),
            Duration.ofSeconds(1), Duration.ofHours(1),
            "how long one machine's answer is reused: one boot's DHCP and script steps ask the API once",
            c -> c.api().cacheTtl());
    public static final Key<String> API_FALLBACK = Key.string("api.fallback", "",
            "\"menu\": the boot tree's menu when the API does not answer; \"\": not booted",
            c -> c.api().fallbackMenu() ? "menu" : "")
            .checked(v -> v.isEmpty() || v.equals("menu") ? null : "'" + v + "' is neither \"menu\" nor \"\"");
    public static final Key<Long> API_FILES_MAX = Key.size("api.files_max", 4L << 30, null, null,
            "size limit of <cache>/files, the files a boot API or a static boot names (kept by content);"
                    + " least recently served go first, never one being served",
            c -> c.api().filesMax())
            .checked(n -> n >= 0 ? null : n + " is negative (a size such as \"4G\")");

    // ---------------------------------------------------------------- [admin]

    public static final Key<String> ADMIN_LISTEN = Key.string("admin.listen", "127.0.0.1:9080",
            "address:port of the operator's listener (status page, API, metrics); \"\": none",
            c -> c.admin().listenText())
            .checked(v -> v.isEmpty() || Config.Admin.parseListen(v) != null ? null
                    : "'" + v + "' is not an IPv4 address and port such as \"127.0.0.1:9080\" (or \"\" for none)");
    public static final Key<String> ADMIN_TOKEN = Key.secret("admin.token",
            "bearer token the admin listener requires; required when listen is beyond loopback",
            c -> c.admin().token())
            .checked(t -> t.isEmpty() || t.length() >= 16 && t.chars().allMatch(ch -> ch > 0x20 && ch < 0x7F) ? null
                    : "use at least 16 printable characters without spaces (e.g. the output of openssl rand -hex 16)");

    // ---------------------------------------------------------------- [ipv6] (DHCPv6 boot)

    public static final Key<String> IPV6_DHCP = Key.string("ipv6.dhcp", "off",
            "DHCPv6 (RFC 8415) on the interface: full (addresses and boot options), stateless (boot options"
                    + " for Information-request) or off", c -> c.dhcp6().mode().name().toLowerCase(java.util.Locale.ROOT))
            .checked(v -> Config.Dhcp6Mode.parse(v) != null ? null
                    : "'" + v + "' is none of \"off\", \"full\", \"stateless\"");
    public static final Key<java.net.Inet6Address> IPV6_RANGE_START = Key.ip6("ipv6.range_start",
            "first DHCPv6 pool address (full mode); default: <prefix of address>::1:0", c -> c.dhcp6().rangeStart());
    public static final Key<java.net.Inet6Address> IPV6_RANGE_END = Key.ip6("ipv6.range_end",
            "last DHCPv6 pool address (full mode); default: <prefix of address>::1:ffff", c -> c.dhcp6().rangeEnd());
    public static final Key<java.net.Inet6Address> IPV6_ADDRESS = Key.ip6("ipv6.address",
            "server IPv6 address in boot URLs; default: the interface's global IPv6 address", c -> c.dhcp6().address());

    // ---------------------------------------------------------------- [[ipv6.relay]]

    public static final Key<org.astralboot.net.Ipv6Prefix> IPV6_RELAY_LINK = Key.entry("ipv6.relay.link", "IPv6 prefix",
            "a link behind DHCPv6 relay agents: relayed messages whose link-address is in it get this pool",
            p -> ConfigWriter.q(p.toString()));
    public static final Key<java.net.Inet6Address> IPV6_RELAY_RANGE_START = Key.entry("ipv6.relay.range_start",
            "IPv6 address", "first pool address on that link", a -> ConfigWriter.q(Config.Dhcp6.text(a)));
    public static final Key<java.net.Inet6Address> IPV6_RELAY_RANGE_END = Key.entry("ipv6.relay.range_end",
            "IPv6 address", "last pool address on that link", a -> ConfigWriter.q(Config.Dhcp6.text(a)));

    /** Every key, in the order of {@code config.toml.dist} and of the implied config. */
    public static final List<Key<?>> ALL = List.of(
            INTERFACE, ADDRESS, DOMAIN, DATA, DATABASE, CACHE, CACHE_MAX, IPFS, IPFS_API, IPFS_GATEWAY, REFS,
            HTTP_PORT, HTTP_BIND, HTTP_URL, HTTP_FILE_THREADS, HTTP_SCRIPT_THREADS, HTTP_MIN_SEND_RATE,
            HTTP_SEND_RATE_WINDOW, HTTP_MAX_CONNECTIONS_PER_CLIENT,
            TFTP_PORT, TFTP_MAX_BLKSIZE, TFTP_MAX_WINDOWSIZE, TFTP_MAX_TRANSFERS, TFTP_TIMEOUT, TFTP_RETRIES,
            TFTP_ACK_SPIN_US, TFTP_MAX_CLIENT_TIMEOUT, TFTP_FIRST_ACK_TIMEOUT, TFTP_MAX_TRANSFERS_PER_CLIENT,
            DHCP_MODE, DHCP_PORT, DHCP_PROXY_PORT, DHCP_RANGE_START, DHCP_RANGE_END, DHCP_LEASE_TIME, DHCP_GATEWAY,
            DHCP_DNS, DHCP_HOSTNAME_PATTERN, DHCP_BIOS_BINARY, DHCP_EFI_BINARY, DHCP_EFI_IA32_BINARY,
            DHCP_ARM64_BINARY, DHCP_DECLINE_PROBATION, DHCP_SHED_BACKLOG,
            RESERVATION_MAC, RESERVATION_ADDRESS, RESERVATION_HOSTNAME,
            RELAY_SUBNET, RELAY_RANGE_START, RELAY_RANGE_END, RELAY_GATEWAY, RELAY_DNS,
            MENU_DEFAULT, MENU_TIMEOUT,
            DNS_ENABLED, DNS_PORT, DNS_UPSTREAM, DNS_TTL,
            IPV6_ANSWER_RS, IPV6_DHCP, IPV6_RANGE_START, IPV6_RANGE_END, IPV6_ADDRESS,
            IPV6_RELAY_LINK, IPV6_RELAY_RANGE_START, IPV6_RELAY_RANGE_END,
            API_URL, API_TIMEOUT, API_CACHE_TTL, API_FALLBACK, API_FILES_MAX,
            ADMIN_LISTEN, ADMIN_TOKEN);

    /**
     * Names allowed in each table ({@code ""} for the top level): its keys' leaves and its
     * sub-tables ({@code http} at the top, {@code relay} in {@code dhcp}).
     */
    private static final Map<String, Set<String>> KNOWN = knownNames();

    private static Map<String, Set<String>> knownNames() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        for (Key<?> k : ALL) {
            m.computeIfAbsent(k.section(), s -> new LinkedHashSet<>()).add(k.leaf());
            for (String s = k.section(); !s.isEmpty(); ) {
                int i = s.lastIndexOf('.');
                String parent = i < 0 ? "" : s.substring(0, i);
                m.computeIfAbsent(parent, p -> new LinkedHashSet<>()).add(s.substring(i + 1));
                s = parent;
            }
        }
        m.replaceAll((s, names) -> Set.copyOf(names));
        return Map.copyOf(m);
    }

    /** The names allowed in {@code section} ({@code ""}, {@code tftp}, {@code dhcp.relay}, ...). */
    static Set<String> known(String section) {
        return KNOWN.getOrDefault(section, Set.of());
    }

    /** The keys of {@code section} in table order, without those of its sub-tables. */
    static List<Key<?>> in(String section) {
        List<Key<?>> out = new ArrayList<>();
        for (Key<?> k : ALL) {
            if (k.section().equals(section)) {
                out.add(k);
            }
        }
        return out;
    }
}

package org.astralboot.config;

import java.net.Inet4Address;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;
import org.astralboot.net.MacAddress;

/**
 * The effective configuration: every key of {@code config.toml} with defaults applied and derived
 * values (address and subnet from the interface, pool, URLs) filled in. Immutable; built by
 * {@link ConfigLoader} or, in tests, directly.
 *
 * @param source      the file it was read from, or {@code null} when built in code
 * @param iface       name of the NIC facing the machines to boot
 * @param address     this server's IPv4 address on that NIC
 * @param subnet      the NIC's subnet
 * @param domain      DNS domain handed to machines (DHCP option 15, templates)
 * @param data        local boot tree, served with {@code -l} or {@code ipfs = false}
 * @param database    MapDB file
 * @param cache       content-addressed IPFS cache folder
 * @param cacheMaxBytes size limit of the cache (least recently used files are evicted past it)
 * @param ipfs        serve the boot tree from IPFS (false: from {@link #data})
 * @param ipfsApi     the IPFS node's RPC API base URL
 * @param ipfsGateway a trustless HTTP gateway to fetch file content from instead of the RPC API
 *                    (null: the API's {@code dag/export}); content is verified against its CID
 *                    either way
 * @param refs        the refs.toml file naming the boot trees
 * @param api         API mode ({@code [api]}): what machines boot is asked of a boot API
 * @param admin       the operator's listener ({@code [admin]})
 * @param ipv6        IPv6 on the interface ({@code [ipv6]}): the router-advertisement answer
 * @param dhcp6       DHCPv6 network boot ({@code [ipv6]} dhcp, ranges and address)
 */
public record Config(
        Path source,
        String iface,
        Inet4Address address,
        Ipv4Subnet subnet,
        String domain,
        Path data,
        Path database,
        Path cache,
        long cacheMaxBytes,
        boolean ipfs,
        URI ipfsApi,
        URI ipfsGateway,
        Path refs,
        Http http,
        Tftp tftp,
        Dhcp dhcp,
        Menu menu,
        Dns dns,
        Api api,
        Admin admin,
        Ipv6 ipv6,
        Dhcp6 dhcp6) {

    /** With the default {@link Ipv6} settings and without DHCPv6 ({@code [ipv6] dhcp = "off"}). */
    public Config(Path source, String iface, Inet4Address address, Ipv4Subnet subnet, String domain, Path data,
            Path database, Path cache, long cacheMaxBytes, boolean ipfs, URI ipfsApi, URI ipfsGateway, Path refs,
            Http http, Tftp tftp, Dhcp dhcp, Menu menu, Dns dns, Api api, Admin admin) {
        this(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs, ipfsApi, ipfsGateway,
                refs, http, tftp, dhcp, menu, dns, api, admin, Ipv6.DEFAULT, Dhcp6.OFF);
    }

    /** A configuration without API mode, with the default {@link Admin} listener. */
    public Config(Path source, String iface, Inet4Address address, Ipv4Subnet subnet, String domain, Path data,
            Path database, Path cache, long cacheMaxBytes, boolean ipfs, URI ipfsApi, URI ipfsGateway, Path refs,
            Http http, Tftp tftp, Dhcp dhcp, Menu menu, Dns dns) {
        this(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs, ipfsApi, ipfsGateway,
                refs, http, tftp, dhcp, menu, dns, Api.OFF, Admin.DEFAULT);
    }

    /** With API mode as given, the default {@link Admin} listener. */
    public Config(Path source, String iface, Inet4Address address, Ipv4Subnet subnet, String domain, Path data,
            Path database, Path cache, long cacheMaxBytes, boolean ipfs, URI ipfsApi, URI ipfsGateway, Path refs,
            Http http, Tftp tftp, Dhcp dhcp, Menu menu, Dns dns, Api api) {
        this(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs, ipfsApi, ipfsGateway,
                refs, http, tftp, dhcp, menu, dns, api, Admin.DEFAULT);
    }

    /** Without API mode, with the {@link Admin} listener as given. */
    public Config(Path source, String iface, Inet4Address address, Ipv4Subnet subnet, String domain, Path data,
            Path database, Path cache, long cacheMaxBytes, boolean ipfs, URI ipfsApi, URI ipfsGateway, Path refs,
            Http http, Tftp tftp, Dhcp dhcp, Menu menu, Dns dns, Admin admin) {
        this(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs, ipfsApi, ipfsGateway,
                refs, http, tftp, dhcp, menu, dns, Api.OFF, admin);
    }

    public Config {
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(tftp, "tftp");
        Objects.requireNonNull(dhcp, "dhcp");
        Objects.requireNonNull(menu, "menu");
        Objects.requireNonNull(dns, "dns");
        api = api == null ? Api.OFF : api;
        Objects.requireNonNull(admin, "admin");
        ipv6 = ipv6 == null ? Ipv6.DEFAULT : ipv6;
        dhcp6 = dhcp6 == null ? Dhcp6.OFF : dhcp6;
    }

    /**
     * IPv6 on the boot interface (issue 16).
     *
     * @param answerRs answer the router solicitations of machines that are network-booting (a
     *                 router advertisement with lifetime 0 and no prefix ends iPXE's wait for an
     *                 IPv6 router; with DHCPv6 on it also carries the M/O flag and the on-link
     *                 prefix); only with DHCP or DHCPv6 on, which tell which machines boot
     */
    public record Ipv6(boolean answerRs) {
        /** The defaults of {@link Keys}. */
        public static final Ipv6 DEFAULT = new Ipv6(Keys.IPV6_ANSWER_RS.def());
    }

    /**
     * The HTTP base URL for a machine whose request came from {@code sourceIp}: over IPv6 (an
     * address with a colon) and with DHCPv6 on, {@code http://[ipv6 address]} with the HTTP port;
     * otherwise {@link Http#base()}.
     */
    public String httpBaseFor(String sourceIp) {
        if (sourceIp != null && sourceIp.indexOf(':') >= 0 && dhcp6.on() && dhcp6.address() != null) {
            return "http://" + org.astralboot.net.Ipv6.bracketed(dhcp6.address())
                    + (http.port() == 80 ? "" : ":" + http.port());
        }
        return http.base();
    }

    /** {@code [ipv6] dhcp}. */
    public enum Dhcp6Mode {
        OFF, FULL, STATELESS;

        /** The mode named {@code s} (lower case), or {@code null}. */
        public static Dhcp6Mode parse(String s) {
            return switch (s) {
                case "off" -> OFF;
                case "full" -> FULL;
                case "stateless" -> STATELESS;
                default -> null;
            };
        }
    }

    /**
     * DHCPv6 network boot ({@code [ipv6]}, RFC 8415 / RFC 5970).
     *
     * @param mode       off, full (IA_NA addresses from the pool) or stateless (Information-request)
     * @param address    the server's IPv6 address for boot URLs; {@code null}: the interface's global
     *                   IPv6 address, found when the server starts
     * @param rangeStart first pool address, or {@code null}: {@code <prefix of address>::1:0}
     * @param rangeEnd   last pool address, or {@code null}: {@code <prefix of address>::1:ffff}
     * @param relays     pools for links behind DHCPv6 relay agents ({@code [[ipv6.relay]]})
     */
    public record Dhcp6(Dhcp6Mode mode, java.net.Inet6Address address, java.net.Inet6Address rangeStart,
            java.net.Inet6Address rangeEnd, List<Relay6> relays) {
        public static final Dhcp6 OFF = new Dhcp6(Dhcp6Mode.OFF, null, null, null);

        public Dhcp6 {
            Objects.requireNonNull(mode, "mode");
            relays = relays == null ? List.of() : List.copyOf(relays);
        }

        /** Without relayed links. */
        public Dhcp6(Dhcp6Mode mode, java.net.Inet6Address address, java.net.Inet6Address rangeStart,
                java.net.Inet6Address rangeEnd) {
            this(mode, address, rangeStart, rangeEnd, List.of());
        }

        public boolean on() {
            return mode != Dhcp6Mode.OFF;
        }

        /** With {@code address} (the interface's, found at start) when none was configured, and the default range. */
        public Dhcp6 withAddress(java.net.Inet6Address a) {
            return new Dhcp6(mode, address != null ? address : a, rangeStart, rangeEnd, relays).withDefaultRange();
        }

        /**
         * With the default pool where none is set and the address is known: {@code <prefix>::1:0} to
         * {@code <prefix>::1:ffff} in the address's /64.
         */
        public Dhcp6 withDefaultRange() {
            if (address == null) {
                return this;
            }
            byte[] s = address.getAddress();
            java.util.Arrays.fill(s, 8, 16, (byte) 0);
            s[13] = 1;
            byte[] e = s.clone();
            e[14] = (byte) 0xff;
            e[15] = (byte) 0xff;
            try {
                return new Dhcp6(mode, address,
                        rangeStart != null ? rangeStart : java.net.Inet6Address.getByAddress(null, s, -1),
                        rangeEnd != null ? rangeEnd : java.net.Inet6Address.getByAddress(null, e, -1), relays);
            } catch (java.net.UnknownHostException x) {
                throw new AssertionError(x);
            }
        }

        /** The address without zone, in RFC 5952 form. */
        public static String text(java.net.Inet6Address a) {
            return org.astralboot.net.Ipv6.text(a);
        }
    }

    /**
     * A pool for a link behind DHCPv6 relay agents ({@code [[ipv6.relay]]}): a relayed message whose
     * link-address (RFC 8415 §9.1, §13.1) is in {@link #link} gets an address of this range.
     *
     * @param link       the relayed link's prefix
     * @param rangeStart first pool address (inside {@link #link})
     * @param rangeEnd   last pool address
     */
    public record Relay6(org.astralboot.net.Ipv6Prefix link, java.net.Inet6Address rangeStart,
            java.net.Inet6Address rangeEnd) {
        public Relay6 {
            Objects.requireNonNull(link, "link");
            Objects.requireNonNull(rangeStart, "rangeStart");
            Objects.requireNonNull(rangeEnd, "rangeEnd");
        }
    }

    /**
     * HTTP boot service.
     *
     * @param bind                    address to listen on (default: {@link Config#address})
     * @param port                    TCP port
     * @param url                     base URL machines use to reach this server, no trailing slash
     * @param fileThreads             threads sending files (kernels, initrds, tftp/ files)
     * @param scriptThreads           threads answering every other route (scripts, menus, templates)
     * @param minSendRate             bytes per second a file send must reach over {@link #sendRateWindow}
     *                                (0: no minimum)
     * @param sendRateWindow          the time over which {@link #minSendRate} is measured
     * @param maxConnectionsPerClient open connections from one client address before 503
     */
    public record Http(Inet4Address bind, int port, URI url, int fileThreads, int scriptThreads, long minSendRate,
            Duration sendRateWindow, int maxConnectionsPerClient) {
        public static final int DEFAULT_FILE_THREADS = Keys.HTTP_FILE_THREADS.def();
        public static final int DEFAULT_SCRIPT_THREADS = Keys.HTTP_SCRIPT_THREADS.def();
        public static final long DEFAULT_MIN_SEND_RATE = Keys.HTTP_MIN_SEND_RATE.def();
        public static final Duration DEFAULT_SEND_RATE_WINDOW = Keys.HTTP_SEND_RATE_WINDOW.def();
        public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = Keys.HTTP_MAX_CONNECTIONS_PER_CLIENT.def();

        /** With the default limits. */
        public Http(Inet4Address bind, int port, URI url) {
            this(bind, port, url, DEFAULT_FILE_THREADS, DEFAULT_SCRIPT_THREADS, DEFAULT_MIN_SEND_RATE,
                    DEFAULT_SEND_RATE_WINDOW, DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
        }

        /** {@link #url} as text without a trailing slash, ready to append {@code /path}. */
        public String base() {
            String s = url.toString();
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        }
    }

    /**
     * TFTP service (RFC 1350, 2347-2349, 7440).
     *
     * @param port          UDP port of the listener
     * @param maxBlksize    largest blksize granted (clamp so a block fits the MTU: 1468 for 1500)
     * @param maxWindowsize largest windowsize granted (RFC 7440)
     * @param maxTransfers  concurrent transfers before new requests get an ERROR
     * @param timeout       retransmission timeout when the client does not ask for one
     * @param retries       retransmissions of one block before the transfer is abandoned
     * @param ackSpinMicros microseconds a transfer polls for the client's ACK before sleeping (0: never)
     * @param maxClientTimeout      largest RFC 2349 timeout a client may choose; a larger one is left
     *                              out of the OACK and the server's own timeout applies
     * @param firstAckTimeout       how long a transfer waits in all for the client's first ACK (of the
     *                              OACK or of block 1) before it is abandoned
     * @param maxTransfersPerClient concurrent transfers to one source address before its new requests
     *                              get an ERROR
     */
    public record Tftp(int port, int maxBlksize, int maxWindowsize, int maxTransfers, Duration timeout, int retries,
            int ackSpinMicros, Duration maxClientTimeout, Duration firstAckTimeout, int maxTransfersPerClient) {
        /** Default for {@code tftp.ack_spin_us}. */
        public static final int DEFAULT_ACK_SPIN_MICROS = Keys.TFTP_ACK_SPIN_US.def();
        /** Default for {@code tftp.max_client_timeout}. */
        public static final Duration DEFAULT_MAX_CLIENT_TIMEOUT = Keys.TFTP_MAX_CLIENT_TIMEOUT.def();
        /** Default for {@code tftp.first_ack_timeout}. */
        public static final Duration DEFAULT_FIRST_ACK_TIMEOUT = Keys.TFTP_FIRST_ACK_TIMEOUT.def();
        /** Default for {@code tftp.max_transfers_per_client}. */
        public static final int DEFAULT_MAX_TRANSFERS_PER_CLIENT = Keys.TFTP_MAX_TRANSFERS_PER_CLIENT.def();

        public Tftp {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(maxClientTimeout, "maxClientTimeout");
            Objects.requireNonNull(firstAckTimeout, "firstAckTimeout");
        }

        /** With the default client limits. */
        public Tftp(int port, int maxBlksize, int maxWindowsize, int maxTransfers, Duration timeout, int retries,
                int ackSpinMicros) {
            this(port, maxBlksize, maxWindowsize, maxTransfers, timeout, retries, ackSpinMicros,
                    DEFAULT_MAX_CLIENT_TIMEOUT, DEFAULT_FIRST_ACK_TIMEOUT, DEFAULT_MAX_TRANSFERS_PER_CLIENT);
        }

        public Tftp(int port, int maxBlksize, int maxWindowsize, int maxTransfers, Duration timeout, int retries) {
            this(port, maxBlksize, maxWindowsize, maxTransfers, timeout, retries, DEFAULT_ACK_SPIN_MICROS);
        }
    }

    /** DHCP operating mode. */
    public enum DhcpMode {
        /** Allocates addresses from the pool. */
        FULL,
        /** proxyDHCP: boot information only, beside the site's DHCP server. */
        PROXY,
        /** No DHCP. */
        OFF
    }

    /** A fixed address (and optionally host name) for one MAC. */
    public record Reservation(MacAddress mac, Inet4Address address, String hostname) {
    }

    /**
     * A pool for a subnet behind a DHCP relay agent ({@code [[dhcp.relay]]}): requests whose giaddr
     * (RFC 2131 §4.1) is in {@link #subnet} get addresses and options of this subnet.
     *
     * @param subnet     the relayed subnet
     * @param rangeStart first pool address (inside {@link #subnet})
     * @param rangeEnd   last pool address
     * @param gateway    router handed out (option 3), or {@code null}: the relay's giaddr
     * @param dns        DNS servers (option 6), or {@code null}: the main {@link Dhcp#dns()}
     */
    public record Relay(Ipv4Subnet subnet, Inet4Address rangeStart, Inet4Address rangeEnd, Inet4Address gateway,
            List<Inet4Address> dns) {
        public Relay {
            Objects.requireNonNull(subnet, "subnet");
            Objects.requireNonNull(rangeStart, "rangeStart");
            Objects.requireNonNull(rangeEnd, "rangeEnd");
            dns = dns == null ? null : List.copyOf(dns);
        }
    }

    /**
     * DHCP service (RFC 2131, 2132, 4578).
     *
     * @param mode            full, proxy or off
     * @param port            server port (67)
     * @param proxyPort       PXE boot-server port for the UEFI second step in proxy mode (4011)
     * @param rangeStart      first pool address
     * @param rangeEnd        last pool address
     * @param leaseTime       lease duration (option 51)
     * @param gateway         router handed out (option 3), or {@code null} for none
     * @param dns             DNS servers (option 6)
     * @param hostnamePattern host names for machines without a reservation; {@code {n}} is the
     *                        last octet, {@code {mac}} the MAC in hex
     * @param efiBinary       iPXE for x64 UEFI firmware, under {@code tftp/} ({@code ipxe.efi} or {@code snponly.efi})
     * @param efiIa32Binary   iPXE for IA32 UEFI firmware
     * @param arm64Binary     iPXE for ARM64 UEFI firmware
     * @param biosBinary      iPXE for BIOS PXE firmware
     * @param reservations    fixed addresses by MAC
     * @param declineProbation how long a DECLINEd address stays unusable
     * @param relays          pools for subnets behind relay agents ({@code [[dhcp.relay]]})
     */
    public record Dhcp(
            DhcpMode mode,
            int port,
            int proxyPort,
            Inet4Address rangeStart,
            Inet4Address rangeEnd,
            Duration leaseTime,
            Inet4Address gateway,
            List<Inet4Address> dns,
            String hostnamePattern,
            String biosBinary,
            String efiBinary,
            String efiIa32Binary,
            String arm64Binary,
            List<Reservation> reservations,
            Duration declineProbation,
            List<Relay> relays,
            int shedBacklog) {

        /**
         * Default {@link #shedBacklog}: lease changes and replies waiting for their commit above
         * which new DISCOVERs are dropped.
         */
        public static final int DEFAULT_SHED_BACKLOG = Keys.DHCP_SHED_BACKLOG.def();

        public Dhcp {
            dns = List.copyOf(dns);
            reservations = List.copyOf(reservations);
            relays = relays == null ? List.of() : List.copyOf(relays);
        }

        /** With the default overload limit. */
        public Dhcp(DhcpMode mode, int port, int proxyPort, Inet4Address rangeStart, Inet4Address rangeEnd,
                Duration leaseTime, Inet4Address gateway, List<Inet4Address> dns, String hostnamePattern,
                String biosBinary, String efiBinary, String efiIa32Binary, String arm64Binary,
                List<Reservation> reservations, Duration declineProbation, List<Relay> relays) {
            this(mode, port, proxyPort, rangeStart, rangeEnd, leaseTime, gateway, dns, hostnamePattern, biosBinary,
                    efiBinary, efiIa32Binary, arm64Binary, reservations, declineProbation, relays,
                    DEFAULT_SHED_BACKLOG);
        }

        /** Without relayed subnets. */
        public Dhcp(DhcpMode mode, int port, int proxyPort, Inet4Address rangeStart, Inet4Address rangeEnd,
                Duration leaseTime, Inet4Address gateway, List<Inet4Address> dns, String hostnamePattern,
                String biosBinary, String efiBinary, String efiIa32Binary, String arm64Binary,
                List<Reservation> reservations, Duration declineProbation) {
            this(mode, port, proxyPort, rangeStart, rangeEnd, leaseTime, gateway, dns, hostnamePattern, biosBinary,
                    efiBinary, efiIa32Binary, arm64Binary, reservations, declineProbation, List.of());
        }

        /** This configuration with {@code r} as the relayed subnets. */
        public Dhcp withRelays(List<Relay> r) {
            return new Dhcp(mode, port, proxyPort, rangeStart, rangeEnd, leaseTime, gateway, dns, hostnamePattern,
                    biosBinary, efiBinary, efiIa32Binary, arm64Binary, reservations, declineProbation, r,
                    shedBacklog);
        }
    }

    /**
     * The iPXE OS menu.
     *
     * @param defaultOs      OS booted when the menu times out; empty: wait for a choice
     * @param timeoutSeconds menu timeout
     */
    public record Menu(String defaultOs, int timeoutSeconds) {
    }

    /**
     * Without {@code [dns]}: its defaults (on when DHCP hands out leases).
     */
    public Config(Path source, String iface, Inet4Address address, Ipv4Subnet subnet, String domain, Path data,
            Path database, Path cache, long cacheMaxBytes, boolean ipfs, URI ipfsApi, URI ipfsGateway, Path refs,
            Http http, Tftp tftp, Dhcp dhcp, Menu menu) {
        this(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs, ipfsApi, ipfsGateway,
                refs, http, tftp, dhcp, menu, Dns.defaults(dhcp.mode()));
    }

    /**
     * The embedded DNS server for {@link Config#domain} (issue 17).
     *
     * @param enabled  serve DNS on {@link Config#address}
     * @param port     UDP and TCP port
     * @param upstream servers names outside the boot domain are forwarded to (port 53); empty: REFUSED
     * @param ttl      how long answers may be cached
     */
    public record Dns(boolean enabled, int port, List<Inet4Address> upstream, Duration ttl) {
        public Dns {
            upstream = List.copyOf(upstream);
        }

        /** {@code [dns]} absent: on exactly when DHCP hands out leases (full mode), whose names it serves. */
        public static Dns defaults(DhcpMode mode) {
            return new Dns(mode == DhcpMode.FULL, Keys.DNS_PORT.def(), List.of(), Keys.DNS_TTL.def());
        }
    }

    /**
     * API mode: a Pixiecore-compatible boot API decides what each machine boots.
     *
     * @param url          the API's URL prefix ({@code <url>/v1/boot/<mac>}), or null: API mode off
     * @param timeout      the longest wait for the API's answer
     * @param cacheTtl     how long one MAC's answer is reused (one boot)
     * @param fallbackMenu serve the boot tree's menu when the API does not answer
     * @param filesMax     size cap of {@code <cache>/files} (API and static boot files)
     */
    public record Api(URI url, Duration timeout, Duration cacheTtl, boolean fallbackMenu, long filesMax) {
        /** API mode off, with the default settings. */
        public static final Api OFF = new Api(null, Keys.API_TIMEOUT.def(), Keys.API_CACHE_TTL.def(), false,
                Keys.API_FILES_MAX.def());

        public Api {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(cacheTtl, "cacheTtl");
        }

        public boolean on() {
            return url != null;
        }

        /** These settings with API mode on at {@code u}. */
        public Api withUrl(URI u) {
            return new Api(u, timeout, cacheTtl, fallbackMenu, filesMax);
        }
    }

    /**
     * The operator's listener: status page, JSON API, event stream, metrics. Apart from the boot
     * service; beyond loopback it needs a token ({@link ConfigLoader} refuses the config otherwise).
     *
     * @param listen address and port, or null for no admin listener
     * @param token  bearer token required on every API request, or "" for none
     */
    public record Admin(java.net.InetSocketAddress listen, String token) {
        /** {@code 127.0.0.1:9080}, no token. */
        public static final Admin DEFAULT = new Admin(parseListen(Keys.ADMIN_LISTEN.def()), "");

        public Admin {
            token = token == null ? "" : token;
        }

        /** {@code listen} as written in the config: {@code "address:port"}, or "" for none. */
        public String listenText() {
            return listen == null ? "" : Ipv4.text((Inet4Address) listen.getAddress()) + ":" + listen.getPort();
        }

        /** Whether other hosts can reach the listener (an address that is not loopback). */
        public boolean beyondLoopback() {
            return listen != null && !listen.getAddress().isLoopbackAddress();
        }

        /** {@code "a.b.c.d:port"} as an address, or null when it is not one. */
        public static java.net.InetSocketAddress parseListen(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) {
                return null;
            }
            try {
                int port = Integer.parseInt(text.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    return null;
                }
                return new java.net.InetSocketAddress(Ipv4.parse(text.substring(0, colon)), port);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /**
     * A complete configuration with the defaults of {@link Keys}, for {@code address}/{@code prefix} on
     * {@code iface}. Tests start from here and replace what they need with the {@code with*} methods.
     */
    public static Config defaults(String iface, Inet4Address address, int prefix, Path base) {
        Ipv4Subnet subnet = Ipv4Subnet.of(address, prefix);
        Inet4Address[] range = ConfigLoader.defaultRange(subnet, address, address);
        return new Config(
                null,
                iface,
                address,
                subnet,
                Keys.DOMAIN.def(),
                inside(base, Keys.DATA),
                inside(base, Keys.DATABASE),
                inside(base, Keys.CACHE),
                Keys.CACHE_MAX.def(),
                false,
                Keys.IPFS_API.def(),
                null,
                inside(base, Keys.REFS),
                new Http(address, Keys.HTTP_PORT.def(), URI.create("http://" + Ipv4.text(address))),
                new Tftp(Keys.TFTP_PORT.def(), Keys.TFTP_MAX_BLKSIZE.def(), Keys.TFTP_MAX_WINDOWSIZE.def(),
                        Keys.TFTP_MAX_TRANSFERS.def(), Keys.TFTP_TIMEOUT.def(), Keys.TFTP_RETRIES.def()),
                new Dhcp(Keys.DHCP_MODE.def(), Keys.DHCP_PORT.def(), Keys.DHCP_PROXY_PORT.def(), range[0], range[1],
                        Keys.DHCP_LEASE_TIME.def(), address, List.of(address), Keys.DHCP_HOSTNAME_PATTERN.def(),
                        Keys.DHCP_BIOS_BINARY.def(), Keys.DHCP_EFI_BINARY.def(), Keys.DHCP_EFI_IA32_BINARY.def(),
                        Keys.DHCP_ARM64_BINARY.def(), List.of(), Keys.DHCP_DECLINE_PROBATION.def()),
                new Menu(Keys.MENU_DEFAULT.def(), Keys.MENU_TIMEOUT.def()));
    }

    /** A path key's default ({@code ./data}) under {@code base}, as {@code base/data}. */
    private static Path inside(Path base, Key<String> key) {
        return base.resolve(Path.of(key.def()).normalize());
    }

    public Config withHttp(Http h) {
        return toBuilder().http(h).build();
    }

    public Config withTftp(Tftp t) {
        return toBuilder().tftp(t).build();
    }

    public Config withDhcp(Dhcp d) {
        return toBuilder().dhcp(d).build();
    }

    public Config withDns(Dns d) {
        return toBuilder().dns(d).build();
    }

    public Config withMenu(Menu m) {
        return toBuilder().menu(m).build();
    }

    public Config withApi(Api a) {
        return toBuilder().api(a).build();
    }

    public Config withDhcp6(Dhcp6 d) {
        return toBuilder().dhcp6(d).build();
    }

    public Config withAdmin(Admin a) {
        return toBuilder().admin(a).build();
    }

    public Config withIpv6(Ipv6 v) {
        return toBuilder().ipv6(v).build();
    }

    public Config withData(Path d) {
        return toBuilder().data(d).build();
    }

    public Config withIpfs(boolean on, URI api, Path refsFile, Path cacheDir) {
        return toBuilder().ipfs(on).ipfsApi(api).refs(refsFile).cache(cacheDir).build();
    }

    /** A builder holding this configuration's values, to change some and {@link Builder#build()} a new one. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The one place a changed copy of a {@link Config} is made; each setter replaces one field. */
    public static final class Builder {
        private Path source;
        private String iface;
        private Inet4Address address;
        private Ipv4Subnet subnet;
        private String domain;
        private Path data;
        private Path database;
        private Path cache;
        private long cacheMaxBytes;
        private boolean ipfs;
        private URI ipfsApi;
        private URI ipfsGateway;
        private Path refs;
        private Http http;
        private Tftp tftp;
        private Dhcp dhcp;
        private Menu menu;
        private Dns dns;
        private Api api;
        private Admin admin;
        private Ipv6 ipv6;
        private Dhcp6 dhcp6;

        private Builder(Config c) {
            source = c.source;
            iface = c.iface;
            address = c.address;
            subnet = c.subnet;
            domain = c.domain;
            data = c.data;
            database = c.database;
            cache = c.cache;
            cacheMaxBytes = c.cacheMaxBytes;
            ipfs = c.ipfs;
            ipfsApi = c.ipfsApi;
            ipfsGateway = c.ipfsGateway;
            refs = c.refs;
            http = c.http;
            tftp = c.tftp;
            dhcp = c.dhcp;
            menu = c.menu;
            dns = c.dns;
            api = c.api;
            admin = c.admin;
            ipv6 = c.ipv6;
            dhcp6 = c.dhcp6;
        }

        public Builder dhcp6(Dhcp6 v) {
            dhcp6 = v;
            return this;
        }

        public Builder source(Path v) {
            source = v;
            return this;
        }

        public Builder domain(String v) {
            domain = v;
            return this;
        }

        public Builder data(Path v) {
            data = v;
            return this;
        }

        public Builder database(Path v) {
            database = v;
            return this;
        }

        public Builder cache(Path v) {
            cache = v;
            return this;
        }

        public Builder cacheMaxBytes(long v) {
            cacheMaxBytes = v;
            return this;
        }

        public Builder ipfs(boolean v) {
            ipfs = v;
            return this;
        }

        public Builder ipfsApi(URI v) {
            ipfsApi = v;
            return this;
        }

        public Builder ipfsGateway(URI v) {
            ipfsGateway = v;
            return this;
        }

        public Builder refs(Path v) {
            refs = v;
            return this;
        }

        public Builder http(Http v) {
            http = v;
            return this;
        }

        public Builder tftp(Tftp v) {
            tftp = v;
            return this;
        }

        public Builder dhcp(Dhcp v) {
            dhcp = v;
            return this;
        }

        public Builder menu(Menu v) {
            menu = v;
            return this;
        }

        public Builder dns(Dns v) {
            dns = v;
            return this;
        }

        public Builder api(Api v) {
            api = v;
            return this;
        }

        public Builder admin(Admin v) {
            admin = v;
            return this;
        }

        public Builder ipv6(Ipv6 v) {
            ipv6 = v;
            return this;
        }

        public Config build() {
            return new Config(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs,
                    ipfsApi, ipfsGateway, refs, http, tftp, dhcp, menu, dns, api, admin, ipv6, dhcp6);
        }
    }
}

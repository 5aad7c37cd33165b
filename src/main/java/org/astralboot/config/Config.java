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
        Menu menu) {

    public Config {
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(tftp, "tftp");
        Objects.requireNonNull(dhcp, "dhcp");
        Objects.requireNonNull(menu, "menu");
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
        public static final int DEFAULT_FILE_THREADS = 128;
        public static final int DEFAULT_SCRIPT_THREADS = 32;
        public static final long DEFAULT_MIN_SEND_RATE = 16 * 1024;
        public static final Duration DEFAULT_SEND_RATE_WINDOW = Duration.ofSeconds(30);
        public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32;

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
        public static final int DEFAULT_ACK_SPIN_MICROS = 100;
        /** Default for {@code tftp.max_client_timeout}. */
        public static final Duration DEFAULT_MAX_CLIENT_TIMEOUT = Duration.ofSeconds(10);
        /** Default for {@code tftp.first_ack_timeout}. */
        public static final Duration DEFAULT_FIRST_ACK_TIMEOUT = Duration.ofSeconds(5);
        /** Default for {@code tftp.max_transfers_per_client}. */
        public static final int DEFAULT_MAX_TRANSFERS_PER_CLIENT = 16;

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
         * which new DISCOVERs are dropped; about a quarter second of commits on a 2-core VM.
         */
        public static final int DEFAULT_SHED_BACKLOG = 384;

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
     * A complete configuration with the documented defaults, for {@code address}/{@code prefix} on
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
                "local",
                base.resolve("data"),
                base.resolve("astralboot.db"),
                base.resolve("cache"),
                ConfigLoader.DEFAULT_CACHE_MAX,
                false,
                URI.create("http://127.0.0.1:5001"),
                null,
                base.resolve("refs.toml"),
                new Http(address, 80, URI.create("http://" + Ipv4.text(address))),
                new Tftp(69, 1468, 64, 256, Duration.ofSeconds(1), 5),
                new Dhcp(DhcpMode.FULL, 67, 4011, range[0], range[1], Duration.ofHours(12), address,
                        List.of(address), "node{n}", "undionly.kpxe", "ipxe.efi", "ipxe-ia32.efi",
                        "ipxe-arm64.efi", List.of(), Duration.ofMinutes(10)),
                new Menu("", 10));
    }

    public Config withHttp(Http h) {
        return new Config(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs,
                ipfsApi, ipfsGateway, refs, h, tftp, dhcp, menu);
    }

    public Config withTftp(Tftp t) {
        return new Config(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs,
                ipfsApi, ipfsGateway, refs, http, t, dhcp, menu);
    }

    public Config withDhcp(Dhcp d) {
        return new Config(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs,
                ipfsApi, ipfsGateway, refs, http, tftp, d, menu);
    }

    public Config withMenu(Menu m) {
        return new Config(source, iface, address, subnet, domain, data, database, cache, cacheMaxBytes, ipfs,
                ipfsApi, ipfsGateway, refs, http, tftp, dhcp, m);
    }

    public Config withData(Path d) {
        return new Config(source, iface, address, subnet, domain, d, database, cache, cacheMaxBytes, ipfs,
                ipfsApi, ipfsGateway, refs, http, tftp, dhcp, menu);
    }

    public Config withIpfs(boolean on, URI api, Path refsFile, Path cacheDir) {
        return new Config(source, iface, address, subnet, domain, data, database, cacheDir, cacheMaxBytes, on,
                api, ipfsGateway, refsFile, http, tftp, dhcp, menu);
    }
}

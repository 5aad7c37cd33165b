package org.astralboot.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.astralboot.net.Ipv4;
import org.astralboot.net.Ipv4Subnet;

/**
 * The interactive first-run setup: asks what the original Astralboot asked (interface, IPFS, DHCP,
 * DNS and gateway) and the {@code [ipv6]} settings (router-solicitation answer, DHCPv6 mode and
 * pool), with a default on Enter and a re-ask on a bad answer, then shows the resulting
 * TOML. Reads lines, so it works with piped answers. End of input at any prompt cancels.
 */
public final class Wizard {

    /**
     * A usable interface: a name, its first IPv4 address and its global IPv6 addresses (RFC 4291
     * §2.5.4; none when it has none), which give the default DHCPv6 pool.
     */
    public record Iface(String name, ConfigLoader.Ipv4Address ipv4, List<Inet6Address> ipv6) {
        public Iface {
            ipv6 = List.copyOf(ipv6);
        }

        /** An interface without a global IPv6 address. */
        public Iface(String name, ConfigLoader.Ipv4Address ipv4) {
            this(name, ipv4, List.of());
        }
    }

    /** The user ended the input: nothing is to be written. */
    public static final class Cancelled extends Exception {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("setup cancelled (end of input); nothing written");
        }
    }

    private final BufferedReader in;
    private final PrintStream out;
    private final List<Iface> interfaces;

    public Wizard(BufferedReader in, PrintStream out, List<Iface> interfaces) {
        this.in = in;
        this.out = out;
        this.interfaces = List.copyOf(interfaces);
    }

    /**
     * Runs the questions and returns the config text, or empty when there is no usable interface.
     *
     * @throws Cancelled on end of input
     */
    public Optional<String> run() throws IOException, Cancelled {
        out.println("Welcome to Astralboot, a boot server that provides DHCP, TFTP and HTTP to network-boot");
        out.println("machines on one interface. A few questions; Enter takes the default in [brackets].");
        out.println();
        if (interfaces.isEmpty()) {
            out.println("No network interface with an IPv4 address was found (loopback aside).");
            out.println("Give the interface facing the machines to boot an address, then run setup again.");
            return Optional.empty();
        }
        if (interfaces.size() == 1) {
            out.println("WARNING: only one usable interface (" + interfaces.get(0).name() + "). If another DHCP server");
            out.println("serves that network (an office or home LAN), a second one hands out conflicting");
            out.println("addresses. Use DHCP mode 'proxy' or 'off' there, or a dedicated boot interface.");
            out.println();
        }
        out.println("Interfaces:");
        for (int i = 0; i < interfaces.size(); i++) {
            Iface f = interfaces.get(i);
            out.println("  " + (i + 1) + " : " + f.name() + " - " + Ipv4.text(f.ipv4().address()) + "/"
                    + f.ipv4().prefixLength());
        }
        Iface iface = interfaces.get(pickNumber("Select the interface to run services on", 1, interfaces.size()) - 1);
        Inet4Address address = iface.ipv4().address();
        Ipv4Subnet subnet = Ipv4Subnet.of(address, iface.ipv4().prefixLength());

        out.println();
        out.println("IPFS: boot trees can come from IPFS (needs an IPFS node, e.g. Kubo's 'ipfs daemon', and");
        out.println("refs.toml naming the trees) or from the local ./data folder.");
        boolean ipfs = yesNo("Enable the IPFS data source", true);
        String api = Keys.IPFS_API.def().toString();
        if (ipfs) {
            api = ask("IPFS node API address", api, s -> {
                URI u = URI.create(s);
                if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException("not an http:// URL");
                }
                return s;
            });
        }

        out.println();
        String defMode = interfaces.size() == 1 ? "proxy" : "full";
        String mode = ask("DHCP mode: full (hand out addresses), proxy (boot info beside another DHCP server) or off",
                defMode, s -> {
                    String m = s.toLowerCase(Locale.ROOT);
                    if (!m.equals("full") && !m.equals("proxy") && !m.equals("off")) {
                        throw new IllegalArgumentException("answer full, proxy or off");
                    }
                    return m;
                });
        Inet4Address start = subnet.firstHost();
        Inet4Address end = subnet.lastHost();
        if (mode.equals("full")) {
            start = ask("First address of the pool", Ipv4.text(start), s -> inSubnet(s, subnet));
            Inet4Address first = start;
            // On a large subnet (a /8) the whole subnet is too big a pool: offer the first MAX_POOL.
            long last = Math.min(Integer.toUnsignedLong(Ipv4.toInt(end)),
                    Integer.toUnsignedLong(Ipv4.toInt(first)) + ConfigLoader.MAX_POOL - 1);
            end = ask("Last address of the pool", Ipv4.text(Ipv4.fromInt((int) last)), s -> {
                Inet4Address a = inSubnet(s, subnet);
                if (Integer.compareUnsigned(Ipv4.toInt(a), Ipv4.toInt(first)) < 0) {
                    throw new IllegalArgumentException("must not be before " + Ipv4.text(first));
                }
                long size = Integer.toUnsignedLong(Ipv4.toInt(a)) - Integer.toUnsignedLong(Ipv4.toInt(first)) + 1;
                if (size > ConfigLoader.MAX_POOL) {
                    throw new IllegalArgumentException("the pool would have " + size + " addresses, at most "
                            + ConfigLoader.MAX_POOL);
                }
                return a;
            });
        }

        List<Inet4Address> dns = List.of(address);
        Inet4Address gateway = address;
        boolean noGateway = false;
        out.println();
        if (!mode.equals("off") && yesNo("Extra network configuration (DNS servers and gateway)", false)) {
            dns = ask("DNS servers, comma separated", Ipv4.text(address), s -> {
                List<Inet4Address> l = new ArrayList<>();
                for (String p : s.split(",")) {
                    l.add(Ipv4.parse(p.trim()));
                }
                return l;
            });
            String gw = ask("Gateway for DHCP clients ('none' for an isolated network)", Ipv4.text(address), s -> {
                if (s.equalsIgnoreCase("none")) {
                    return "none";
                }
                return Ipv4.text(Ipv4.parse(s));
            });
            if (gw.equals("none")) {
                noGateway = true;
            } else {
                gateway = Ipv4.parse(gw);
            }
        }

        Ipv6Answers v6 = ipv6(iface, mode);

        StringBuilder b = new StringBuilder();
        b.append("# Written by 'astralboot setup'. Every key is documented in config.toml.dist.\n");
        ConfigWriter.line(b, Keys.INTERFACE, iface.name());
        for (Key<String> k : List.of(Keys.DOMAIN, Keys.DATA, Keys.DATABASE, Keys.CACHE)) {
            ConfigWriter.line(b, k, k.def());
        }
        ConfigWriter.line(b, Keys.IPFS, ipfs);
        ConfigWriter.line(b, Keys.IPFS_API, URI.create(api));
        b.append("\n[http]\n");
        ConfigWriter.line(b, Keys.HTTP_PORT, Keys.HTTP_PORT.def());
        b.append("\n[tftp]\n");
        ConfigWriter.line(b, Keys.TFTP_PORT, Keys.TFTP_PORT.def());
        b.append("\n[dhcp]\n");
        ConfigWriter.line(b, Keys.DHCP_MODE, Config.DhcpMode.valueOf(mode.toUpperCase(Locale.ROOT)));
        if (mode.equals("full")) {
            ConfigWriter.line(b, Keys.DHCP_RANGE_START, start);
            ConfigWriter.line(b, Keys.DHCP_RANGE_END, end);
        }
        ConfigWriter.line(b, Keys.DHCP_LEASE_TIME, Keys.DHCP_LEASE_TIME.def());
        ConfigWriter.line(b, Keys.DHCP_GATEWAY, noGateway ? null : gateway); // "" hands out none
        ConfigWriter.line(b, Keys.DHCP_DNS, dns);
        b.append("\n[menu]\n");
        ConfigWriter.line(b, Keys.MENU_DEFAULT, Keys.MENU_DEFAULT.def());
        ConfigWriter.line(b, Keys.MENU_TIMEOUT, Keys.MENU_TIMEOUT.def());
        b.append("\n[ipv6]\n");
        ConfigWriter.line(b, Keys.IPV6_ANSWER_RS, v6.answerRs());
        ConfigWriter.line(b, Keys.IPV6_DHCP, v6.dhcp());
        if (v6.rangeStart() != null) {
            ConfigWriter.line(b, Keys.IPV6_RANGE_START, v6.rangeStart());
            ConfigWriter.line(b, Keys.IPV6_RANGE_END, v6.rangeEnd());
        }
        return Optional.of(b.toString());
    }

    /** The {@code [ipv6]} answers; a null range: the server's default from the interface's address. */
    private record Ipv6Answers(boolean answerRs, String dhcp, Inet6Address rangeStart, Inet6Address rangeEnd) {
    }

    /**
     * The IPv6 questions: whether to answer booting machines' router solicitations (only with DHCP
     * on, which tells which machines boot), the DHCPv6 mode, and in full mode the pool, in the /64
     * of the interface's global address (Config's default pool {@code <prefix>::1:0} to
     * {@code <prefix>::1:ffff} on Enter).
     */
    private Ipv6Answers ipv6(Iface iface, String mode) throws IOException, Cancelled {
        out.println();
        out.println("IPv6: machines can also boot over IPv6 (UEFI PXE and HTTP boot, iPXE) with DHCPv6.");
        boolean answerRs = Keys.IPV6_ANSWER_RS.def();
        if (!mode.equals("off")) {
            answerRs = yesNo("Answer booting machines' IPv6 router solicitations (ends iPXE's 16 s wait for an IPv6"
                    + " router where the network has none)", answerRs);
        }
        String dhcp = ask("DHCPv6: off, full (IPv6 addresses and boot options) or stateless (boot options only)",
                Keys.IPV6_DHCP.def(), s -> {
                    String m = s.toLowerCase(Locale.ROOT);
                    if (Config.Dhcp6Mode.parse(m) == null) {
                        throw new IllegalArgumentException("answer off, full or stateless");
                    }
                    return m;
                });
        if (dhcp.equals("off")) {
            return new Ipv6Answers(answerRs, dhcp, null, null);
        }
        if (iface.ipv6().isEmpty()) {
            out.println("WARNING: " + iface.name() + " has no global IPv6 address. Give it one (ip -6 addr add"
                    + " <prefix>::1/64 dev " + iface.name() + ") before starting the server, which serves DHCPv6");
            out.println("from that address; the pool is then <prefix>::1:0 - <prefix>::1:ffff in its /64.");
            return new Ipv6Answers(answerRs, dhcp, null, null);
        }
        if (dhcp.equals("stateless")) {
            return new Ipv6Answers(answerRs, dhcp, null, null);
        }
        Inet6Address server = iface.ipv6().get(0);
        Config.Dhcp6 def = new Config.Dhcp6(Config.Dhcp6Mode.FULL, server, null, null).withDefaultRange();
        Inet6Address start = ask("First address of the IPv6 pool", Config.Dhcp6.text(def.rangeStart()),
                a -> sameSlash64(a, server));
        Inet6Address end = ask("Last address of the IPv6 pool", Config.Dhcp6.text(def.rangeEnd()), a -> {
            Inet6Address e = sameSlash64(a, server);
            if (java.util.Arrays.compareUnsigned(e.getAddress(), start.getAddress()) < 0) {
                throw new IllegalArgumentException("must not be before " + Config.Dhcp6.text(start));
            }
            return e;
        });
        return new Ipv6Answers(answerRs, dhcp, start, end);
    }

    /** {@code s} as an IPv6 address in the /64 of {@code server} (the link's on-link prefix). */
    private static Inet6Address sameSlash64(String s, Inet6Address server) {
        Inet6Address a;
        try {
            a = java.net.InetAddress.ofLiteral(s) instanceof Inet6Address a6 ? a6 : null;
        } catch (IllegalArgumentException e) {
            a = null;
        }
        if (a == null) {
            throw new IllegalArgumentException(s + " is not an IPv6 address");
        }
        if (!java.util.Arrays.equals(a.getAddress(), 0, 8, server.getAddress(), 0, 8)) {
            throw new IllegalArgumentException(s + " is not in " + Config.Dhcp6.text(server) + "/64");
        }
        return a;
    }

    /** Asks whether to save; true for yes. */
    public boolean confirmSave(String toml, Path file, boolean exists) throws IOException, Cancelled {
        out.println();
        out.println("This is the configuration so far:");
        out.println("----");
        out.print(toml);
        out.println("----");
        if (exists && !yesNo(file + " exists. Overwrite it", false)) {
            return false;
        }
        return yesNo("Save it to " + file, true);
    }

    private static Inet4Address inSubnet(String s, Ipv4Subnet subnet) {
        Inet4Address a = Ipv4.parse(s);
        if (!subnet.contains(a)) {
            throw new IllegalArgumentException(s + " is not in " + subnet);
        }
        return a;
    }

    private int pickNumber(String question, int def, int max) throws IOException, Cancelled {
        return ask(question + " (1-" + max + ")", Integer.toString(def), s -> {
            int n;
            try {
                n = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("type a number from 1 to " + max);
            }
            if (n < 1 || n > max) {
                throw new IllegalArgumentException("type a number from 1 to " + max);
            }
            return n;
        });
    }

    /** Parses an answer or throws IllegalArgumentException with the reason to show. */
    private interface Parser<T> {
        T parse(String s);
    }

    private <T> T ask(String question, String def, Parser<T> parser) throws IOException, Cancelled {
        while (true) {
            out.print(question + " [" + def + "]> ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                out.println();
                throw new Cancelled();
            }
            String answer = line.trim().isEmpty() ? def : line.trim();
            try {
                return parser.parse(answer);
            } catch (IllegalArgumentException e) {
                out.println("  " + e.getMessage() + "; please try again.");
            }
        }
    }

    private boolean yesNo(String question, boolean def) throws IOException, Cancelled {
        while (true) {
            out.print(question + (def ? " (Y/n)> " : " (y/N)> "));
            out.flush();
            String line = in.readLine();
            if (line == null) {
                out.println();
                throw new Cancelled();
            }
            String a = line.trim().toLowerCase(Locale.ROOT);
            if (a.isEmpty()) {
                return def;
            }
            if (a.equals("y") || a.equals("yes")) {
                return true;
            }
            if (a.equals("n") || a.equals("no")) {
                return false;
            }
            out.println("  Please type yes or no.");
        }
    }
}

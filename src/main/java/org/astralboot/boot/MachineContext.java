package org.astralboot.boot;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.astralboot.config.Config;
import org.astralboot.net.HostInfo;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.store.BootStoreException;
import org.astralboot.store.TreePath;

/**
 * Builds the data a template sees for one machine. Identity comes from the MAC in the URL; the
 * address from DHCP's {@link HostLookup}, else the machine's last request's source address, never
 * from request headers. Every key is always present (templates are strict), with "" for unknown
 * strings. The keys are documented in {@code docs/http.md}.
 */
public final class MachineContext {
    private static final Pattern HOSTNAME =
            Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /**
     * Defaults of the {@code [vars]} keys the built-in preseed and cloud-config use; os.toml's
     * {@code [vars]} overrides them. {@code password_hash = "!"} leaves the password locked
     * (log in with an SSH key).
     */
    public static final Map<String, Object> DEFAULT_VARS = Map.of(
            "locale", "en_US.UTF-8",
            "keymap", "us",
            "mirror", "deb.debian.org",
            "mirror_directory", "/debian",
            "proxy", "",
            "suite", "bookworm",
            "user", "debian",
            "password_hash", "!",
            "timezone", "UTC",
            "ssh_authorized_keys", List.of());

    private final Config cfg;
    private final HostLookup hosts;
    private final MachineRegistry registry;
    private final Templates templates;
    private final MachineAccess access;

    /** What DHCP knows about machines (leases), for routes beyond the templates. */
    public HostLookup hosts() {
        return hosts;
    }

    /** Access by lease (full DHCP mode), this host's neighbour table and the registry's keys. */
    public MachineContext(Config cfg, HostLookup hosts, MachineRegistry registry, Templates templates) {
        this(cfg, hosts, registry, templates, new MachineAccess(cfg.dhcp().mode() == Config.DhcpMode.FULL, hosts,
                Neighbours.kernel()::macsOf, registry.keys()));
    }

    public MachineContext(Config cfg, HostLookup hosts, MachineRegistry registry, Templates templates,
            MachineAccess access) {
        this.cfg = cfg;
        this.hosts = hosts;
        this.registry = registry;
        this.templates = templates;
        this.access = access;
    }

    /** Who may change a machine's record and read its templates. */
    public MachineAccess access() {
        return access;
    }

    /** {@code ?key=<key>} for a machine's own URLs, or "" when {@code key} is empty. */
    public static String keyQuery(String key) {
        return key == null || key.isEmpty() ? "" : "?key=" + key;
    }

    /** The MAC as it appears in URLs: {@code 52-54-00-12-34-56} (iPXE's {@code ${mac:hexhyp}}). */
    public static String urlMac(MacAddress mac) {
        return mac.toString().replace(':', '-');
    }

    public String base() {
        return cfg.http().base();
    }

    /** The base URL for a request from {@code sourceIp}: bracketed IPv6 for a machine that came over IPv6. */
    public String base(String sourceIp) {
        return cfg.httpBaseFor(sourceIp);
    }

    /**
     * The MAC DHCP leased {@code ip} to, or for an IPv6 literal the MAC whose DHCPv6 binding holds
     * it, if any.
     */
    public Optional<MacAddress> hostByAddress(String ip) {
        if (ip.indexOf(':') >= 0) {
            try {
                // A literal (it has a colon): parsed, never resolved by DNS.
                return java.net.InetAddress.getByName(ip) instanceof java.net.Inet6Address a
                        ? hosts.macAtIpv6(a) : Optional.empty();
            } catch (java.net.UnknownHostException e) {
                return Optional.empty();
            }
        }
        return hosts.byAddress(Ipv4.parse(ip)).map(HostInfo::mac);
    }

    /** The machine's address: DHCP's lease, else its last request's source, else "". */
    public String ipOf(MacAddress mac, String lastIp) {
        Optional<HostInfo> h = hosts.byMac(mac);
        if (h.isPresent() && h.get().address() != null) {
            return Ipv4.text(h.get().address());
        }
        return lastIp == null ? "" : lastIp;
    }

    /**
     * The machine's host name: DHCP's (reservation or pattern), else {@code hostname_pattern} applied
     * here; anything that is not a valid DNS name falls back to {@code node-<mac hex>}, because the
     * name ends up in preseed lines, YAML and shell.
     */
    public String hostnameOf(MacAddress mac, String ip) {
        Optional<HostInfo> h = hosts.byMac(mac);
        String name = h.map(HostInfo::hostname).orElse(null);
        if (name == null || name.isEmpty()) {
            String pattern = cfg.dhcp().hostnamePattern();
            String n = "";
            if (ip != null && !ip.isEmpty()) {
                try {
                    Inet4Address a = Ipv4.parse(ip);
                    n = Integer.toString(Ipv4.toInt(a) & 0xFF);
                } catch (IllegalArgumentException e) {
                    n = "";
                }
            }
            if (pattern.contains("{n}") && n.isEmpty()) {
                name = null;
            } else {
                name = pattern.replace("{n}", n).replace("{mac}", mac.toHex());
            }
        }
        if (name == null || !HOSTNAME.matcher(name).matches()) {
            return "node-" + mac.toHex();
        }
        return name;
    }

    /** Data for the menus and scripts that do not depend on an OS, with no key in its URLs. */
    public Map<String, Object> basic(MacAddress mac, String sourceIp) {
        return basic(mac, sourceIp, "");
    }

    /**
     * Data for the menus and scripts that do not depend on an OS.
     *
     * @param key the machine's {@link MachineKeys key}, appended to its own URLs (menu, boot,
     *            installed, templates); "" unless the request was proven to come from the machine
     */
    public Map<String, Object> basic(MacAddress mac, String sourceIp, String key) {
        String q = keyQuery(key);
        Map<String, Object> m = new LinkedHashMap<>(Templates.LAMBDAS);
        String ip = ipOf(mac, sourceIp);
        String hostname = hostnameOf(mac, ip);
        String u = urlMac(mac);
        m.put("mac", mac.toString());
        m.put("mac_hex", mac.toHex());
        m.put("mac_url", u);
        m.put("ip", ip);
        m.put("hostname", hostname);
        m.put("domain", cfg.domain());
        m.put("fqdn", cfg.domain().isEmpty() ? hostname : hostname + "." + cfg.domain());
        m.put("server", Ipv4.text(cfg.address()));
        String base = base(sourceIp);
        m.put("base_url", base);
        m.put("start_url", base + "/ipxe/" + u);
        m.put("menu_url", base + "/ipxe/" + u + "/menu" + q);
        m.put("boot_url", base + "/ipxe/" + u + "/boot" + q);
        m.put("installed_url", base + "/machine/" + u + "/installed" + q);
        m.put("key_query", q);
        return m;
    }

    /**
     * Full data for a machine booting {@code os} with {@code osClass} ("" for none), including the
     * rendered kernel command line and the cluster (same OS and class).
     */
    public Map<String, Object> forOs(MacAddress mac, String sourceIp, OsDefinition os, String osClass)
            throws BootStoreException, TemplateException {
        return forOs(mac, sourceIp, os, osClass, "");
    }

    /** {@link #forOs(MacAddress, String, OsDefinition, String)} with {@code key} as in {@link #basic(MacAddress, String, String)}. */
    public Map<String, Object> forOs(MacAddress mac, String sourceIp, OsDefinition os, String osClass, String key)
            throws BootStoreException, TemplateException {
        Map<String, Object> m = basic(mac, sourceIp, key);
        String u = urlMac(mac);
        m.put("os", os.name());
        m.put("os_description", os.description());
        m.put("class", osClass);
        m.put("has_class", !osClass.isEmpty());
        m.put("classes", os.classes());
        Map<String, Object> vars = new LinkedHashMap<>(DEFAULT_VARS);
        vars.putAll(os.vars());
        m.put("vars", vars);
        String images = base(sourceIp) + "/os/" + os.name() + "/images/";
        m.put("images_url", images);
        m.put("kernel_url", images + os.kernel());
        m.put("kernel_name", os.kernel().name());
        List<Map<String, Object>> initrds = new ArrayList<>();
        for (TreePath p : os.initrds()) {
            initrds.add(Map.of("name", p.name(), "url", images + p));
        }
        m.put("initrds", initrds);
        m.put("initrd_args", initrdArgs(os, ""));
        Map<String, Object> urls = new LinkedHashMap<>();
        for (String t : templates.names(os)) {
            urls.put(t, base(sourceIp) + "/machine/" + u + "/template/" + t + keyQuery(key));
        }
        m.put("templates", urls);
        List<Map<String, Object>> cluster = new ArrayList<>();
        List<Map<String, Object>> peers = new ArrayList<>();
        boolean selfListed = false;
        for (Machine other : registry.cluster(os.name(), osClass)) {
            boolean self = other.mac().equals(mac);
            selfListed |= self;
            Map<String, Object> e = member(other.mac(), self ? (String) m.get("ip") : ipOf(other.mac(), other.lastIp()), self);
            cluster.add(e);
            if (!self) {
                peers.add(e);
            }
        }
        if (!selfListed) {
            cluster.add(member(mac, (String) m.get("ip"), true));
        }
        m.put("cluster", cluster);
        m.put("peers", peers);
        String cmdline = templates.renderText(os.cmdline(), os.source() + " cmdline", m);
        m.put("cmdline", cmdline);
        m.put("initrd_args", initrdArgs(os, cmdline));
        return m;
    }

    /**
     * {@code initrd=<name>} for each initrd of {@code os} that {@code cmdline} does not already carry
     * as a word. The Linux EFI stub loads every {@code initrd=} it finds (Documentation/admin-guide/
     * efi-stub.rst), so an os.toml whose command line names its initrd itself, as many PXE recipes do,
     * must not get a second one: the kernel would receive the initrd twice.
     */
    static String initrdArgs(OsDefinition os, String cmdline) {
        java.util.Set<String> given = new java.util.HashSet<>(List.of(cmdline.trim().split("\\s+")));
        StringBuilder args = new StringBuilder();
        for (TreePath p : os.initrds()) {
            String a = "initrd=" + p.name();
            if (!given.contains(a)) {
                args.append(args.isEmpty() ? "" : " ").append(a);
            }
        }
        return args.toString();
    }

    private Map<String, Object> member(MacAddress mac, String ip, boolean self) {
        Map<String, Object> e = new LinkedHashMap<>();
        String h = hostnameOf(mac, ip);
        e.put("hostname", h);
        e.put("fqdn", cfg.domain().isEmpty() ? h : h + "." + cfg.domain());
        e.put("ip", ip);
        e.put("mac", mac.toString());
        e.put("self", self);
        return e;
    }
}

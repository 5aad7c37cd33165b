package org.astralboot.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import org.astralboot.boot.api.Cmdline;
import org.astralboot.boot.api.StaticPolicy;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigException;
import org.astralboot.config.ConfigLoader;
import org.astralboot.http.BootSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code astralboot boot KERNEL [INITRD...]}: Pixiecore's {@code boot} (and InfraKit's remoteboot)
 * in one command. Every PXE machine on the interface boots this kernel, through the same DHCP, TFTP
 * and HTTP services as {@code serve}; no config file is needed. Safe defaults for any network:
 * proxyDHCP (answers PXE clients only, never hands out an address) unless {@code --dhcp full} with
 * a range; the interface from {@code -i}, or the single usable one (several: refused, listed).
 * {@code -c FILE} supplies everything else (ports, data folder with the iPXE binaries, database).
 */
@Command(name = "boot", mixinStandardHelpOptions = true,
        description = "Boot every PXE machine on the interface into KERNEL (and INITRDs): a local file, an"
                + " http(s) URL or an IPFS path (/ipfs/<CID>[/path], read through ipfs_api, verified), fetched once.")
public final class BootCommand implements Callable<Integer> {
    private static final Logger SUMMARY = LoggerFactory.getLogger(Logging.SUMMARY);

    @Mixin
    ConfigOptions common = new ConfigOptions();

    @Parameters(index = "0", paramLabel = "KERNEL", description = "Kernel: local file, http(s) URL or /ipfs/<CID>[/path].")
    String kernel;

    @Parameters(index = "1..*", paramLabel = "INITRD", description = "Initrds, in load order.")
    List<String> initrds = new ArrayList<>();

    @Option(names = "--cmdline", paramLabel = "CMDLINE",
            description = "Kernel command line; {{ URL \"./file\" }} or {{ ID \"./file\" }} becomes a URL of that file.")
    String cmdline = "";

    @Option(names = "--message", paramLabel = "TEXT", description = "Printed on the machine before it boots.")
    String message = "";

    @Option(names = {"-i", "--interface"}, paramLabel = "IFACE",
            description = "Interface facing the machines (default: the only usable one).")
    String iface;

    @Option(names = "--dhcp", paramLabel = "MODE", defaultValue = "proxy",
            description = "proxy (default: answer PXE clients only), full (hand out addresses; needs --range"
                    + " or -c), off.")
    String dhcp;

    @Option(names = "--range", paramLabel = "FIRST-LAST", description = "Address range for --dhcp full.")
    String range;

    @Override
    public Integer call() throws Exception {
        Logging.configure(common.verbosity());
        PrintStream err = System.err;
        Config.DhcpMode mode;
        try {
            mode = Config.DhcpMode.valueOf(dhcp.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("astralboot: --dhcp must be proxy, full or off, not '" + dhcp + "'");
            return ExitCode.CONFIG;
        }
        Path cwd = Path.of("").toAbsolutePath();
        Config cfg;
        try {
            cfg = config(mode, cwd, err);
        } catch (ConfigException e) {
            err.println("astralboot: " + e.getMessage());
            return ExitCode.CONFIG;
        }
        if (cfg == null) {
            return ExitCode.CONFIG;
        }
        // Check every file before anything listens: a typo must not leave machines booting nothing.
        try {
            new StaticPolicy(kernel, initrds, cmdline, message, new org.astralboot.boot.api.FileUrls(new byte[32], "http://x"), cwd);
        } catch (Cmdline.BadReference e) {
            err.println("astralboot: " + e.getMessage());
            return ExitCode.CONFIG;
        }
        Path tftp = cfg.data().resolve("tftp");
        for (String bin : List.of(cfg.dhcp().biosBinary(), cfg.dhcp().efiBinary())) {
            if (!Files.isRegularFile(tftp.resolve(bin))) {
                SUMMARY.warn("no {} in {}: machines that need it cannot chain iPXE (scripts/fetch-boot-files puts"
                        + " the iPXE binaries there; -c FILE names another data folder)", bin, tftp);
            }
        }
        SUMMARY.info("static boot: {} {} cmdline '{}' on {} (dhcp {})", kernel, initrds, cmdline, cfg.iface(),
                mode.name().toLowerCase(java.util.Locale.ROOT));
        return ServeCommand.serve(cfg, true, (c, db) -> {
            BootSources.Files files = BootSourceWiring.files(c, db, null);
            StaticPolicy policy;
            try {
                policy = new StaticPolicy(kernel, initrds, cmdline, message, files.urls(), cwd);
            } catch (Cmdline.BadReference e) {
                throw new IOException(e.getMessage(), e);
            }
            // Fetch the URLs now, once: a dead URL shows at start, and no machine waits for it.
            for (String s : policy.sources()) {
                if (files.cache().open(s).isEmpty()) {
                    throw new IOException("no file at " + s);
                }
            }
            return BootSourceWiring.replacing(policy, files);
        });
    }

    /** The config: {@code -c FILE} when it exists, else one built for the interface; null after a refusal printed to {@code err}. */
    private Config config(Config.DhcpMode mode, Path cwd, PrintStream err) throws ConfigException, IOException {
        boolean given = Files.exists(common.file());
        if (given) {
            Config cfg = ConfigLoader.load(common.file(), ConfigLoader.Network.REQUIRED).config();
            if (iface != null && !iface.equals(cfg.iface())) {
                err.println("astralboot: -i " + iface + " differs from interface = \"" + cfg.iface() + "\" in "
                        + common.file() + "; change one of them");
                return null;
            }
            if (range != null) {
                err.println("astralboot: --range with -c: set range_start and range_end in " + common.file());
                return null;
            }
            Config.Dhcp d = cfg.dhcp();
            return cfg.withDhcp(new Config.Dhcp(mode, d.port(), d.proxyPort(), d.rangeStart(), d.rangeEnd(), d.leaseTime(),
                    d.gateway(), d.dns(), d.hostnamePattern(), d.biosBinary(), d.efiBinary(), d.efiIa32Binary(),
                    d.arm64Binary(), d.reservations(), d.declineProbation(), d.relays(), d.shedBacklog()));
        }
        String name = iface != null ? iface : onlyInterface(err);
        if (name == null) {
            return null;
        }
        StringBuilder toml = new StringBuilder()
                .append("interface = ").append(quote(name)).append('\n')
                .append("data = ").append(quote(cwd.resolve("data").toString())).append('\n')
                .append("database = ").append(quote(cwd.resolve("astralboot.db").toString())).append('\n')
                .append("cache = ").append(quote(cwd.resolve("cache").toString())).append('\n')
                .append("ipfs = false\n[dhcp]\nmode = ").append(quote(mode.name().toLowerCase(java.util.Locale.ROOT))).append('\n');
        if (mode == Config.DhcpMode.FULL) {
            if (range == null || !range.contains("-")) {
                err.println("astralboot: --dhcp full hands out addresses: give --range FIRST-LAST (or -c FILE)");
                return null;
            }
            String[] r = range.split("-", 2);
            toml.append("range_start = ").append(quote(r[0].trim())).append('\n')
                    .append("range_end = ").append(quote(r[1].trim())).append('\n');
        }
        Path tmp = Files.createTempFile("astralboot-boot-", ".toml");
        try {
            Files.writeString(tmp, toml);
            return ConfigLoader.load(tmp, ConfigLoader.Network.REQUIRED).config();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The one interface that is up, not loopback, with an IPv4 address; else null, the candidates printed. */
    static String onlyInterface(PrintStream err) throws SocketException {
        List<String> usable = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InterfaceAddress a : ni.getInterfaceAddresses()) {
                if (a.getAddress() instanceof Inet4Address v4) {
                    usable.add(ni.getName() + " (" + v4.getHostAddress() + "/" + a.getNetworkPrefixLength() + ")");
                    break;
                }
            }
        }
        if (usable.size() == 1) {
            return usable.get(0).substring(0, usable.get(0).indexOf(' '));
        }
        Collections.sort(usable);
        err.println("astralboot: " + (usable.isEmpty() ? "no interface is up with an IPv4 address"
                : "several interfaces could face the machines: " + String.join(", ", usable)) + "; name one with -i IFACE");
        return null;
    }
}

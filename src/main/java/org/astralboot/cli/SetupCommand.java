package org.astralboot.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.astralboot.config.ConfigException;
import org.astralboot.config.ConfigLoader;
import org.astralboot.config.Wizard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code astralboot setup}: the interactive first-run wizard; writes the config file only when told to. */
@Command(name = "setup", mixinStandardHelpOptions = true,
        description = "Interactive first-run setup: asks a few questions and writes the config file.")
public final class SetupCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions common = new ConfigOptions();

    private BufferedReader in;
    private PrintStream out;
    private List<Wizard.Iface> interfaces;

    public SetupCommand() {
    }

    SetupCommand(Path config) {
        this.common = new ConfigOptions(config);
    }

    /** For tests: answers from {@code in}, questions to {@code out}, and a fixed interface list. */
    SetupCommand(Path config, BufferedReader in, PrintStream out, List<Wizard.Iface> interfaces) {
        this.common = new ConfigOptions(config);
        this.in = in;
        this.out = out;
        this.interfaces = interfaces;
    }

    @Override
    public Integer call() throws Exception {
        BufferedReader r = in != null ? in : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream o = out != null ? out : System.out;
        List<Wizard.Iface> ifs = interfaces != null ? interfaces : systemInterfaces();
        Path config = common.file();
        Wizard w = new Wizard(r, o, ifs);
        try {
            Optional<String> toml = w.run();
            if (toml.isEmpty()) {
                return ExitCode.CONFIG;
            }
            // Never save something the server would then refuse.
            try {
                new ConfigLoader(ConfigLoader.Interfaces.SYSTEM).parse(toml.get(), config, ConfigLoader.Network.OPTIONAL);
            } catch (ConfigException e) {
                o.println("internal error: the generated config does not load: " + e.getMessage());
                return ExitCode.FAILURE;
            }
            if (!w.confirmSave(toml.get(), config, Files.exists(config))) {
                o.println("Not saved.");
                return ExitCode.FAILURE;
            }
            write(config, toml.get());
            o.println("Saved " + config + ". Start the server with: astralboot -c " + config);
            return ExitCode.OK;
        } catch (Wizard.Cancelled e) {
            o.println(e.getMessage());
            return ExitCode.FAILURE;
        }
    }

    /** Writes atomically: the file is either the old one or the complete new one. */
    static void write(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), ".config", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static List<Wizard.Iface> systemInterfaces() throws IOException {
        List<Wizard.Iface> out = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (ni.isLoopback()) {
                continue;
            }
            List<ConfigLoader.Ipv4Address> a = ConfigLoader.Interfaces.SYSTEM.ipv4(ni.getName());
            if (a != null && !a.isEmpty()) {
                out.add(new Wizard.Iface(ni.getName(), a.get(0), org.astralboot.dhcp6.Dhcp6Service.globalAddresses(
                        ni.getName()).stream().map(g -> {
                            try {
                                return (java.net.Inet6Address) java.net.Inet6Address.getByAddress(null, g.getAddress(), -1);
                            } catch (java.net.UnknownHostException e) {
                                throw new AssertionError(e); // 16 bytes
                            }
                        }).toList()));
            }
        }
        out.sort(Comparator.comparing(Wizard.Iface::name));
        return out;
    }
}

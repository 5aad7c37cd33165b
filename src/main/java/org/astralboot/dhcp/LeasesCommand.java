package org.astralboot.dhcp;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigException;
import org.astralboot.config.ConfigLoader;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseLockedException;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code astralboot leases}: prints the lease table (address, MAC, host name, state, expiry) from the
 * database named in the config. Free addresses that were never used are left out unless {@code --all}.
 * The database admits one process at a time, so this runs while the server is stopped.
 */
@Command(name = "leases", mixinStandardHelpOptions = true, description = "Print the DHCP lease table.")
public final class LeasesCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "config.toml",
            description = "Config file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = {"-a", "--all"}, description = "Also list pool addresses that were never handed out.")
    boolean all;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (!Files.exists(config)) {
            err.println("astralboot: no config file " + config);
            return 2;
        }
        Config cfg;
        try {
            cfg = ConfigLoader.load(config, ConfigLoader.Network.OPTIONAL).config();
        } catch (ConfigException e) {
            err.println("astralboot: " + e.getMessage());
            return 2;
        }
        if (!Files.exists(cfg.database())) {
            err.println("astralboot: no database yet at " + cfg.database() + " (no leases)");
            return 0;
        }
        List<Lease> leases;
        try (Database db = Database.open(cfg.database())) {
            leases = new LeaseStore(db).load();
        } catch (DatabaseLockedException e) {
            err.println("astralboot: " + e.getMessage() + "; stop the server to read its leases");
            return 1;
        }
        leases.sort((a, b) -> Integer.compareUnsigned(a.address(), b.address()));
        long now = System.currentTimeMillis();
        out.printf("%-15s  %-17s  %-20s  %-9s  %s%n", "ADDRESS", "MAC", "HOSTNAME", "STATE", "EXPIRES");
        int shown = 0;
        for (Lease l : leases) {
            if (!all && l.state() == LeaseState.FREE) {
                continue;
            }
            String exp = l.expiresAt() > 0 && l.state() != LeaseState.RELEASED
                    ? TIME.format(Instant.ofEpochMilli(l.expiresAt())) : "-";
            out.printf("%-15s  %-17s  %-20s  %-9s  %s%n", l.inet().getHostAddress(),
                    l.mac() == null ? "-" : l.mac().toString(), l.hostname().isEmpty() ? "-" : l.hostname(),
                    l.displayState(now), exp);
            shown++;
        }
        out.printf("%d of %d addresses shown%n", shown, leases.size());
        return 0;
    }
}

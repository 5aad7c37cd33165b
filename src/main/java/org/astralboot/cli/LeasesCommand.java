package org.astralboot.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigLoader;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseDamagedException;
import org.astralboot.db.DatabaseLockedException;
import org.astralboot.dhcp.LeaseReport;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code astralboot leases}: prints the lease table (address, MAC, host name, state, expiry) from the
 * database named in the config, then the DHCPv6 bindings (address, MAC, DUID, IAID, state, expiry)
 * when there are any or {@code [ipv6] dhcp = "full"}. Free addresses that were never used are left
 * out unless {@code --all}.
 * The database admits one process at a time: while a server holds it, the table comes from that
 * server over HTTP ({@code GET /leases}, answered to this host only).
 */
@Command(name = "leases", mixinStandardHelpOptions = true, description = "Print the DHCP lease table.")
public final class LeasesCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions common = new ConfigOptions();

    @Option(names = {"-a", "--all"}, description = "Also list pool addresses that were never handed out.")
    boolean all;

    /**
     * The database belongs to a running server: ask it ({@code GET /leases} on its HTTP port, which
     * answers this host only) instead of failing.
     */
    private Integer fromServer(Config cfg, DatabaseLockedException locked, PrintStream out, PrintStream err) {
        String host = cfg.http().bind() == null || cfg.http().bind().isAnyLocalAddress()
                ? "127.0.0.1" : cfg.http().bind().getHostAddress();
        URI uri = URI.create("http://" + host + ":" + cfg.http().port() + "/leases" + (all ? "?all=1" : ""));
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                out.print(r.body());
                return ExitCode.OK;
            }
            err.println("astralboot: " + locked.getMessage() + ", and the server at " + uri + " answered "
                    + r.statusCode() + ": " + r.body().strip());
        } catch (IOException e) {
            err.println("astralboot: " + locked.getMessage() + ", and no server answered at " + uri + " ("
                    + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCode.FAILURE;
    }

    @Override
    public Integer call() throws Exception {
        return common.withConfig(ConfigLoader.Network.OPTIONAL, System.err, this::call);
    }

    private int call(Config cfg) throws IOException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (!Files.exists(cfg.database())) {
            err.println("astralboot: no database yet at " + cfg.database() + " (no leases)");
            return ExitCode.OK;
        }
        List<Lease> leases;
        List<org.astralboot.dhcp6.lease.Lease6> leases6;
        try (Database db = Database.open(cfg.database())) {
            leases = new LeaseStore(db).load();
            leases6 = new org.astralboot.dhcp6.lease.Lease6Store(db).load();
        } catch (DatabaseLockedException e) {
            return fromServer(cfg, e, out, err);
        } catch (DatabaseDamagedException e) {
            // Read-only command: the file stays where it is; serve moves it aside.
            err.println("astralboot: the database " + e.file() + " is damaged and cannot be read (" + e.detail()
                    + "). It has been left in place. Starting the server (astralboot serve) moves it aside, keeps it"
                    + " and starts a new database; the leases are then rebuilt from the clients as they renew.");
            return ExitCode.FAILURE;
        }
        out.print(LeaseReport.format(leases, all, System.currentTimeMillis()));
        if (!leases6.isEmpty() || cfg.dhcp6().mode() == Config.Dhcp6Mode.FULL) {
            out.println();
            out.print(org.astralboot.dhcp6.Lease6Report.format(leases6, System.currentTimeMillis()));
        }
        return ExitCode.OK;
    }
}

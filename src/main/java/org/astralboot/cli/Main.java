package org.astralboot.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code astralboot}: without a subcommand it serves, like {@code astralboot serve}.
 * Exit codes: {@link ExitCode}.
 */
@Command(name = "astralboot",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Network boot server: DHCP, TFTP and HTTP boot of machines from IPFS or a local boot tree.",
        subcommands = {
            ServeCommand.class,
            BootCommand.class,
            SetupCommand.class,
            LeasesCommand.class,
            EventsCommand.class,
            MachinesCommand.class,
            PrecacheCommand.class,
            PublishCommand.class,
            VerifyCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Callable<Integer> {
    @Mixin
    ServeOptions serve = new ServeOptions();

    @Override
    public Integer call() throws Exception {
        return new ServeCommand(serve).call();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            cmd.getErr().println("astralboot: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            if (System.getenv("ASTRALBOOT_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return ExitCode.FAILURE;
        });
        return cl;
    }

    /** Reads the version from the jar manifest (or "dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"astralboot " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}

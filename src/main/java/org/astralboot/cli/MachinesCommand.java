package org.astralboot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigLoader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code astralboot machines [MAC (--set OS[/CLASS] | --reinstall | --installed | --forget)]}: lists
 * the machines a running server knows (its admin listener's {@code GET /api/v1/machines}), or
 * changes one ({@code POST /api/v1/machines/<mac>}): the server commits the change before it answers.
 */
@Command(name = "machines", mixinStandardHelpOptions = true,
        description = "List the machines of a running server, or change one.")
public final class MachinesCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ConfigOptions common = new ConfigOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "MAC", description = "The machine to change (colons or hyphens).")
    String mac;

    @ArgGroup(exclusive = true)
    Action action;

    static final class Action {
        @Option(names = "--set", paramLabel = "OS[/CLASS]", description = "Boot this OS (and class) from now on.")
        String set;
        @Option(names = "--reinstall", description = "Install its OS again at its next boot.")
        boolean reinstall;
        @Option(names = "--installed", description = "Mark it installed: it boots from its disk.")
        boolean installed;
        @Option(names = "--forget", description = "Forget it: its next boot shows the menu, as for a new machine.")
        boolean forget;
    }

    @Override
    public Integer call() throws Exception {
        return common.withConfig(ConfigLoader.Network.OPTIONAL, System.err, this::run);
    }

    private int run(Config cfg) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if ((mac == null) != (action == null)) {
            err.println("astralboot: give a MAC and one of --set, --reinstall, --installed, --forget (or neither, to list)");
            return ExitCode.CONFIG;
        }
        if (cfg.admin().listen() == null) {
            err.println("astralboot: [admin] listen is \"\" in " + cfg.source() + ": no admin listener to ask");
            return ExitCode.CONFIG;
        }
        try (AdminClient admin = new AdminClient(ServeCommand.adminSettings(cfg))) {
            if (mac == null) {
                HttpResponse<String> r = admin.send(admin.request("/api/v1/machines").GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    err.println("astralboot: " + admin.base() + "/api/v1/machines answered " + r.statusCode() + ": "
                            + r.body().strip());
                    return ExitCode.FAILURE;
                }
                out.print(table(JSON.readTree(r.body())));
                return ExitCode.OK;
            }
            ObjectNode body = JSON.createObjectNode();
            if (action.set != null) {
                int slash = action.set.indexOf('/');
                body.put("action", "set");
                body.put("os", slash < 0 ? action.set : action.set.substring(0, slash));
                body.put("class", slash < 0 ? "" : action.set.substring(slash + 1));
            } else {
                body.put("action", action.reinstall ? "reinstall" : action.installed ? "installed" : "forget");
            }
            String path = "/api/v1/machines/" + URLEncoder.encode(mac, StandardCharsets.UTF_8);
            HttpResponse<String> r = admin.send(admin.request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode reply = JSON.readTree(r.body());
            if (r.statusCode() != 200) {
                err.println("astralboot: " + reply.path("error").asText(r.body().strip()));
                return r.statusCode() == 400 || r.statusCode() == 404 || r.statusCode() == 409 ? ExitCode.CONFIG
                        : ExitCode.FAILURE;
            }
            out.println(reply.path("mac").asText() + " " + reply.path("state").asText()
                    + (reply.path("os").asText().isEmpty() ? "" : " " + reply.path("os").asText()
                    + (reply.path("class").asText().isEmpty() ? "" : "/" + reply.path("class").asText())));
            return ExitCode.OK;
        } catch (IOException e) {
            err.println("astralboot: " + new AdminClient(ServeCommand.adminSettings(cfg)).unreachable(e));
            return ExitCode.FAILURE;
        }
    }

    /** The machines as a text table, one line each. */
    static String table(JsonNode machines) {
        StringBuilder b = new StringBuilder(String.format("%-17s  %-9s  %-20s  %-15s  %-8s  %-11s  %s%n", "MAC", "STATE",
                "OS", "IP", "FIRMWARE", "STEP", "LAST ERROR"));
        for (JsonNode m : machines) {
            String os = m.path("os").asText("") + (m.path("class").asText("").isEmpty() ? "" : "/" + m.path("class").asText());
            b.append(String.format("%-17s  %-9s  %-20s  %-15s  %-8s  %-11s  %s%n", m.path("mac").asText(),
                    m.path("state").asText(), os.isEmpty() ? "-" : os, dash(m.path("ip").asText("")),
                    dash(m.path("firmware").asText("")), m.path("step").asText("none"), m.path("last_error").asText("")));
        }
        return b.toString();
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }
}

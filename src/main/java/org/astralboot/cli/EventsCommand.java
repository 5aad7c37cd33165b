package org.astralboot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.astralboot.config.Config;
import org.astralboot.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code astralboot events [--follow] [--mac M]}: the boot events a running server keeps (its admin
 * listener's {@code GET /api/v1/events}), one line each, oldest first; with {@code --follow} then
 * each new one as it happens (the server-sent event stream), until interrupted.
 */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Print the boot events of a running server.")
public final class EventsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ConfigOptions common = new ConfigOptions();

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events as they happen.")
    boolean follow;

    @Option(names = "--mac", paramLabel = "MAC", description = "Only this machine's events (colons or hyphens).")
    String mac;

    @Override
    public Integer call() throws Exception {
        return common.withConfig(ConfigLoader.Network.OPTIONAL, System.err, this::run);
    }

    private int run(Config cfg) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        String filter = mac == null ? "" : URLEncoder.encode(mac, StandardCharsets.UTF_8);
        if (cfg.admin().listen() == null) {
            err.println("astralboot: [admin] listen is \"\" in " + cfg.source() + ": no admin listener to ask");
            return ExitCode.CONFIG;
        }
        try (AdminClient admin = new AdminClient(ServeCommand.adminSettings(cfg))) {
            String path = mac == null ? "/api/v1/events" : "/api/v1/machines/" + filter + "/events";
            HttpResponse<String> r = admin.send(admin.request(path).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                err.println("astralboot: " + admin.base() + path + " answered " + r.statusCode() + ": " + r.body().strip());
                return r.statusCode() == 400 ? ExitCode.CONFIG : ExitCode.FAILURE;
            }
            long last = 0;
            for (JsonNode e : JSON.readTree(r.body())) {
                out.println(line(e));
                last = Math.max(last, e.path("seq").asLong());
            }
            out.flush();
            if (!follow) {
                return ExitCode.OK;
            }
            String q = "/api/v1/events?since=" + last + (mac == null ? "" : "&mac=" + filter);
            HttpRequest sse = admin.request(q).header("Accept", "text/event-stream").GET().build();
            HttpResponse<InputStream> s = admin.send(sse, HttpResponse.BodyHandlers.ofInputStream());
            if (s.statusCode() != 200) {
                err.println("astralboot: " + admin.base() + q + " answered " + s.statusCode());
                return ExitCode.FAILURE;
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(s.body(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    if (l.startsWith("data: ")) {
                        out.println(line(JSON.readTree(l.substring(6))));
                        out.flush();
                    }
                }
            }
            err.println("astralboot: the server closed the event stream");
            return ExitCode.FAILURE;
        } catch (IOException e) {
            err.println("astralboot: " + new AdminClient(ServeCommand.adminSettings(cfg)).unreachable(e));
            return ExitCode.FAILURE;
        }
    }

    /** One event as a line: time, MAC, address, firmware, kind, detail, and bytes and duration when known. */
    static String line(JsonNode e) {
        StringBuilder b = new StringBuilder();
        b.append(e.path("time").asText()).append("  ")
                .append(pad(e.path("mac").asText("-"), 17)).append("  ")
                .append(pad(e.path("ip").asText(""), 15)).append("  ")
                .append(pad(e.path("firmware").asText(""), 8)).append("  ")
                .append(pad(e.path("kind").asText(), 16)).append("  ")
                .append(e.path("detail").asText());
        if (e.has("bytes")) {
            b.append("  ").append(e.path("bytes").asLong()).append(" bytes");
        }
        if (e.has("millis")) {
            b.append(" in ").append(e.path("millis").asLong()).append(" ms");
        }
        return b.toString();
    }

    private static String pad(String s, int n) {
        String v = s.isEmpty() ? "-" : s;
        return v.length() >= n ? v : v + " ".repeat(n - v.length());
    }
}

package org.astralboot.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A boot API as Pixiecore's README.api.md defines it, for ITs, run in a namespace with {@code ip
 * netns exec java -cp ... TestApiServer PORT DIR}: {@code GET /v1/boot/<mac>} answers {@code
 * DIR/answers/<mac, '-' for ':'>.json} with 200, or 404 when there is none, and appends
 * {@code <mac> <query>} to {@code DIR/calls.log} (the test counts the calls); {@code GET
 * /files/<name>} serves {@code DIR/files/<name>} and appends the path to {@code DIR/files.log}.
 * A file {@code DIR/answers/<mac>.delay} holding a number of milliseconds makes the answer for that
 * MAC (whatever it is) come that much later: a slow API for one machine. Prints {@code api server
 * ready} once listening.
 */
public final class TestApiServer {
    private TestApiServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        HttpServer s = HttpServer.create(new InetSocketAddress(port), 64);
        s.createContext("/", ex -> {
            try (ex) {
                handle(ex, dir);
            } catch (IOException | RuntimeException e) {
                System.out.println("error: " + e);
            }
        });
        s.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        s.start();
        System.out.println("api server ready on " + port);
        System.out.flush();
    }

    private static synchronized void append(Path f, String line) throws IOException {
        Files.writeString(f, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void handle(HttpExchange ex, Path dir) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        if (path.startsWith("/v1/boot/")) {
            String mac = path.substring("/v1/boot/".length());
            append(dir.resolve("calls.log"), mac + " " + (query == null ? "" : query));
            Path a = dir.resolve("answers").resolve(mac.replace(':', '-') + ".json");
            Path delay = dir.resolve("answers").resolve(mac.replace(':', '-') + ".delay");
            if (!mac.contains("/") && !mac.contains("..") && Files.isRegularFile(delay)) {
                try {
                    Thread.sleep(Long.parseLong(Files.readString(delay).trim()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!mac.contains("/") && !mac.contains("..") && Files.isRegularFile(a)) {
                send(ex, 200, Files.readAllBytes(a), "application/json");
            } else {
                send(ex, 404, "no boot for this machine\n".getBytes(StandardCharsets.UTF_8), "text/plain");
            }
            return;
        }
        if (path.startsWith("/files/")) {
            String name = path.substring("/files/".length());
            append(dir.resolve("files.log"), path);
            Path f = dir.resolve("files").resolve(name);
            if (!name.contains("/") && !name.contains("..") && Files.isRegularFile(f)) {
                send(ex, 200, Files.readAllBytes(f), "application/octet-stream");
                return;
            }
        }
        send(ex, 404, "not found\n".getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    private static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        }
    }
}

package org.astralboot.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.astralboot.admin.AdminSettings;

/**
 * The commands that talk to a running server's admin listener ({@code events}, {@code machines}):
 * its address and token from the config, one place for the request and for the messages when no
 * server answers.
 */
final class AdminClient implements AutoCloseable {
    private final AdminSettings settings;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    AdminClient(AdminSettings settings) {
        this.settings = settings;
    }

    /** The listener's base URL: a wildcard address is reached on loopback. */
    String base() {
        InetSocketAddress a = settings.listen();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + a.getPort();
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
        if (!settings.token().isEmpty()) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        return b;
    }

    <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> body) throws IOException, InterruptedException {
        return client.send(r, body);
    }

    /** The line for a server that did not answer. */
    String unreachable(IOException e) {
        return "no astralboot server answered at " + base() + " (" + e.getMessage()
                + "): is it running, and is [admin] listen in the config the address it listens on?";
    }

    @Override
    public void close() {
        client.close();
    }
}

package org.astralboot.ipfs.kubo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The calls of {@link KuboClient} other than {@code cat}: a {@code POST} over {@code java.net.http}
 * with the header timeout, a 200 answer's body guarded by the idle watchdog, anything else turned
 * into a {@link KuboException} from Kubo's {@code {Message, Code}} body.
 */
final class Rpc {
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final URI base;
    private final HttpClient http;
    private final Duration headerTimeout;
    private final IdleWatchdog watchdog;

    /** @param base the RPC base, ending in {@code /api/v0/} */
    Rpc(URI base, Duration connectTimeout, Duration headerTimeout, Duration idleTimeout) {
        this.base = base;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.headerTimeout = headerTimeout;
        this.watchdog = new IdleWatchdog(idleTimeout);
    }

    <T> T json(String endpoint, Map<String, String> q, Class<T> type) throws KuboException {
        try (InputStream in = stream(endpoint, q, null, null)) {
            return JSON.readValue(in, type);
        } catch (KuboException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw malformed(endpoint, e);
        }
    }

    /** An answer that could not be parsed; a {@link KuboException} passes through. */
    static KuboException malformed(String endpoint, Exception e) {
        if (e instanceof KuboException k) {
            return k;
        }
        return new KuboException(endpoint, 200, -1, "unreadable answer: " + e.getMessage(), false, e);
    }

    static String query(Map<String, String> q) {
        StringBuilder b = new StringBuilder();
        char sep = '?';
        for (Map.Entry<String, String> e : q.entrySet()) {
            b.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return b.toString();
    }

    /** Sends the POST and returns the guarded body of a 200 answer; anything else throws. */
    InputStream stream(String endpoint, Map<String, String> q, HttpRequest.BodyPublisher body,
            String contentType) throws KuboException {
        StringBuilder uri = new StringBuilder(base.toString()).append(endpoint).append(query(q));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString()))
                .timeout(headerTimeout)
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : body);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<InputStream> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw KuboException.unreachable(endpoint, "no answer from " + base + " within "
                    + headerTimeout.toSeconds() + " s", e);
        } catch (ConnectException e) {
            throw KuboException.unreachable(endpoint, "cannot connect to " + base + " (" + e + ")", e);
        } catch (IOException e) {
            throw KuboException.unreachable(endpoint, "request to " + base + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KuboException.unreachable(endpoint, "interrupted", e);
        }
        if (r.statusCode() == 200) {
            return watchdog.guard(r.body(), endpoint);
        }
        byte[] err;
        try (InputStream in = r.body()) {
            err = in.readNBytes(64 * 1024);
        } catch (IOException e) {
            err = new byte[0];
        }
        throw errorOf(endpoint, r.statusCode(), err);
    }

    /** The exception for a non-200 answer: Kubo's {@code {Message, Code}} when the body has them. */
    static KuboException errorOf(String endpoint, int status, byte[] err) {
        String text = new String(err, StandardCharsets.UTF_8).strip();
        String message = text.isEmpty() ? "HTTP " + status : text;
        int code = -1;
        try {
            JsonNode n = JSON.readTree(err);
            if (n != null && n.has("Message")) {
                message = n.get("Message").asText();
                code = n.path("Code").asInt(-1);
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: plain-text body (404 unknown command, 403 Origin refused) kept as is
        }
        return new KuboException(endpoint, status, code, message + " (HTTP " + status + ")", false, null);
    }
}

package org.astralboot.ipfs.kubo;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The multipart body of {@code add} ({@link KuboClient#add}): directories as
 * {@code application/x-directory} parts, files streamed from disk, joined with
 * {@link HttpRequest.BodyPublishers#concat}.
 */
final class Multipart {
    private Multipart() {
    }

    /**
     * The parts for the file or tree {@code source}, without the closing boundary. Symbolic links
     * are followed only when they stay inside {@code source}.
     *
     * @throws java.io.UncheckedIOException from the walk of the tree
     */
    static List<HttpRequest.BodyPublisher> parts(Path source, String boundary) throws IOException {
        List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
        Path src = source.toRealPath();
        // The top name does not enter any CID; a fixed one avoids names the node's multipart
        // parser mishandles (js-ipfs 0.66 answers "Unexpected input: object" for "t").
        String top = Files.isDirectory(src) ? "tree" : "file";
        if (Files.isDirectory(src)) {
            List<Path> all;
            try (Stream<Path> w = Files.walk(src)) {
                all = w.sorted().toList();
            }
            for (Path p : all) {
                Path real = p.toRealPath();
                if (!real.startsWith(src)) {
                    continue; // a link out of the tree is not published
                }
                String rel = src.relativize(p).toString();
                String name = rel.isEmpty() ? top : top + "/" + rel;
                if (Files.isDirectory(real)) {
                    parts.add(part(boundary, name, "application/x-directory", null));
                } else if (Files.isRegularFile(real)) {
                    parts.add(part(boundary, name, "application/octet-stream", real));
                }
            }
        } else {
            parts.add(part(boundary, top, "application/octet-stream", src));
        }
        return parts;
    }

    private static HttpRequest.BodyPublisher part(String boundary, String name, String type, Path file)
            throws IOException {
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\""
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20") + "\"\r\n"
                + "Content-Type: " + type + "\r\n\r\n";
        HttpRequest.BodyPublisher h = HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher tail = HttpRequest.BodyPublishers.ofString("\r\n");
        if (file == null) {
            return HttpRequest.BodyPublishers.concat(h, tail);
        }
        return HttpRequest.BodyPublishers.concat(h, HttpRequest.BodyPublishers.ofFile(file), tail);
    }
}

package org.astralboot.ipfs.kubo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.astralboot.ipfs.verify.Cid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GatewayConnection} against a scripted HTTP/1.1 server on a plain socket: the framings a
 * gateway may use (length, chunked, close), a kept-alive connection the server closed between two
 * requests (sent again on a new one), and one closed before answering a new connection (an error).
 */
class GatewayConnectionTest {
    private static final Cid CID = Cid.parse("bafkreicstujskuoa2637cn6dt7hgd5qi3ytqg3ysdwmwppfkjakt45vsnu");

    /** One scripted answer: the raw bytes sent back, and whether the connection is closed after. */
    private record Answer(byte[] bytes, boolean closeAfter) {
        static Answer of(String s, boolean closeAfter) {
            return new Answer(s.getBytes(StandardCharsets.ISO_8859_1), closeAfter);
        }
    }

    private ServerSocket server;
    private Thread loop;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private volatile int connections;

    /** Serves {@code answers} in order, one per request, over as many connections as it takes. */
    private URI serve(List<Answer> answers) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Answer> queue = new ArrayList<>(answers);
        loop = new Thread(() -> {
            try {
                while (!queue.isEmpty()) {
                    try (Socket s = server.accept()) {
                        connections++;
                        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                                StandardCharsets.ISO_8859_1));
                        OutputStream out = s.getOutputStream();
                        while (!queue.isEmpty()) {
                            String line = in.readLine();
                            if (line == null) {
                                break;
                            }
                            requestLines.add(line);
                            while (!in.readLine().isEmpty()) {
                                // request headers
                            }
                            Answer a = queue.remove(0);
                            out.write(a.bytes());
                            out.flush();
                            if (a.closeAfter()) {
                                break;
                            }
                        }
                    }
                }
            } catch (IOException ignored) {
                // test over
            }
        });
        loop.setDaemon(true);
        loop.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static GatewayConnection connection(URI u) {
        return new GatewayConnection(u, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    private static byte[] got(GatewayConnection c, byte[] reuse) throws IOException {
        byte[] b = c.get(CID, reuse, 1 << 20);
        return Arrays.copyOf(b, c.lastLength());
    }

    @Test
    void lengthChunkedAndCloseFramedBodiesOnOneConnectionAsLongAsItIsKept() throws IOException {
        URI u = serve(List.of(
                Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false),
                Answer.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", false),
                Answer.of("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nxy", true),
                Answer.of("HTTP/1.1 200 OK\r\n\r\nuntil close", true)));
        try (GatewayConnection c = connection(u)) {
            byte[] reuse = new byte[64];
            byte[] first = c.get(CID, reuse, 1 << 20);
            assertTrue(first == reuse, "read into the array given");
            assertArrayEquals("hello".getBytes(), Arrays.copyOf(first, c.lastLength()));
            assertArrayEquals("abcde".getBytes(), got(c, null));
            assertArrayEquals("xy".getBytes(), got(c, null));
            assertArrayEquals("until close".getBytes(), got(c, null));
        }
        assertEquals(2, connections, "kept alive until the server said close");
        assertEquals("GET /ipfs/" + CID + "?format=raw HTTP/1.1", requestLines.get(0));
    }

    @Test
    void aKeptConnectionTheServerClosedMeanwhileIsOpenedAgainForTheNextRequest() throws IOException {
        // The first answer says nothing of closing, but the server closes after it (an idle timeout).
        URI u = serve(List.of(
                Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", true),
                Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb", true)));
        try (GatewayConnection c = connection(u)) {
            assertArrayEquals("a".getBytes(), got(c, null));
            assertArrayEquals("b".getBytes(), got(c, null));
        }
        assertEquals(2, connections);
    }

    @Test
    void aNewConnectionClosedWithoutAnAnswerIsAnError() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        loop = new Thread(() -> {
            try (Socket s = server.accept()) {
                s.getInputStream().read();
            } catch (IOException ignored) {
                // test over
            }
        });
        loop.start();
        try (GatewayConnection c = connection(URI.create("http://127.0.0.1:" + server.getLocalPort()))) {
            KuboException e = assertThrows(KuboException.class, () -> c.get(CID, null, 1024));
            assertTrue(e.unreachable(), e.toString());
        }
    }

    @Test
    void aBodyLongerThanTheLimitAndAnAnswerThatIsNotHttpAreRefused() throws IOException {
        URI u = serve(List.of(
                Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", true),
                Answer.of("SSH-2.0-OpenSSH\r\n\r\n", true)));
        try (GatewayConnection c = connection(u)) {
            IOException big = assertThrows(IOException.class, () -> c.get(CID, null, 1024));
            assertTrue(big.getMessage().contains("larger than 1024"), big.getMessage());
            KuboException notHttp = assertThrows(KuboException.class, () -> c.get(CID, null, 1024));
            assertFalse(notHttp.unreachable());
            assertTrue(notHttp.getMessage().contains("not an HTTP answer"), notHttp.getMessage());
        }
    }
}

package org.astralboot.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reaches a TCP port inside a network namespace from the test's own (host) namespace without a
 * route between them: a file-system socket crosses namespaces, a TCP connection does not. Inside
 * the namespace {@code main} listens on a Unix socket and connects each client to a TCP port there
 * ({@link Netns#start} it with this JVM's class path); on the host {@link #hostSide} listens on a
 * loopback port and connects each client to that Unix socket. So a browser on the host reaches a
 * listener bound to the namespace's own 127.0.0.1.
 */
public final class UnixBridge implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private UnixBridge(ServerSocketChannel server, Thread acceptor) {
        this.server = server;
        this.acceptor = acceptor;
    }

    /** In the namespace: {@code UnixBridge SOCKET HOST PORT}. Runs until killed. */
    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[0]);
        InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        Files.deleteIfExists(socket);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        System.out.println("bridge ready " + socket + " -> " + target);
        System.out.flush();
        while (true) {
            SocketChannel c = s.accept();
            Thread.ofVirtual().start(() -> {
                try (c; SocketChannel t = SocketChannel.open(target)) {
                    pump(c, t);
                } catch (IOException e) {
                    // the peer went away
                }
            });
        }
    }

    /** On the host: a loopback port whose connections go to {@code socket}. */
    public static UnixBridge hostSide(Path socket) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread a = Thread.ofPlatform().daemon().start(() -> {
            while (s.isOpen()) {
                try {
                    SocketChannel c = s.accept();
                    Thread.ofVirtual().start(() -> {
                        try (c; SocketChannel u = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                            pump(c, u);
                        } catch (IOException e) {
                            // the peer went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new UnixBridge(s, a);
    }

    /** The host port. */
    public int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies both ways until either side closes. */
    private static void pump(SocketChannel a, SocketChannel b) throws IOException {
        Thread back = Thread.ofVirtual().start(() -> copy(b, a));
        copy(a, b);
        try {
            back.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        try {
            while (from.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
                buf.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}

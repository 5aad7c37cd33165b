package org.astralboot.ipfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of the IPFS node that caps the node-to-client rate (so a test can
 * interrupt a precache half-way) and counts connections and bytes.
 */
final class SlowProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private volatile long bytesPerSecond;
    final AtomicLong connections = new AtomicLong();
    final AtomicLong bytesToClient = new AtomicLong();

    SlowProxy(URI node, long bytesPerSecond) throws IOException {
        this.target = new InetSocketAddress(node.getHost(), node.getPort());
        this.bytesPerSecond = bytesPerSecond;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "slow-proxy");
        t.setDaemon(true);
        t.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    void rate(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket c = server.accept();
                Socket n = new Socket(target.getAddress(), target.getPort());
                connections.incrementAndGet();
                pump(c.getInputStream(), n.getOutputStream(), false, c, n);
                pump(n.getInputStream(), c.getOutputStream(), true, c, n);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void pump(InputStream in, OutputStream out, boolean toClient, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                    if (toClient) {
                        bytesToClient.addAndGet(n);
                        long r = bytesPerSecond;
                        if (r > 0) {
                            Thread.sleep(n * 1000L / r);
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            } finally {
                try {
                    a.close();
                    b.close();
                } catch (IOException ignored) {
                    // done
                }
            }
        }, "slow-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

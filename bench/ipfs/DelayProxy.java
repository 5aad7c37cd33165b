import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A loopback TCP relay that delays every byte by a fixed time in each direction (a delay line: the
 * throughput is kept, only the latency is added), for bench/ipfs/distant, where netem is not
 * available. Usage: {@code java DelayProxy.java LISTEN_PORT TARGET_HOST TARGET_PORT ONE_WAY_MS};
 * prints "ready" once listening.
 */
public final class DelayProxy {
    private record Chunk(byte[] b, int n, long due) {
    }

    private static final Chunk END = new Chunk(null, 0, 0);

    public static void main(String[] a) throws IOException {
        int listen = Integer.parseInt(a[0]);
        InetSocketAddress target = new InetSocketAddress(a[1], Integer.parseInt(a[2]));
        long delayNs = (long) (Double.parseDouble(a[3]) * 1_000_000);
        try (ServerSocket server = new ServerSocket(listen, 200, InetAddress.getLoopbackAddress())) {
            System.out.println("ready");
            System.out.flush();
            while (true) {
                Socket c = server.accept();
                Thread.ofPlatform().daemon().start(() -> {
                    try (c; Socket s = new Socket()) {
                        s.setTcpNoDelay(true);
                        c.setTcpNoDelay(true);
                        s.connect(target);
                        Thread up = pump(c.getInputStream(), s.getOutputStream(), delayNs, s);
                        Thread down = pump(s.getInputStream(), c.getOutputStream(), delayNs, c);
                        up.join();
                        down.join();
                    } catch (IOException | InterruptedException e) {
                        // one connection ends
                    }
                });
            }
        }
    }

    /** Reads {@code in} into timed chunks; a second thread writes each to {@code out} once it is due. */
    private static Thread pump(InputStream in, OutputStream out, long delayNs, Socket outSocket) {
        // At most 1024 chunks of 64 KiB in the line (64 MiB): more than the bandwidth-delay product here.
        BlockingQueue<Chunk> line = new ArrayBlockingQueue<>(1024);
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    byte[] b = new byte[64 * 1024];
                    int n = in.read(b);
                    if (n < 0) {
                        break;
                    }
                    line.put(new Chunk(b, n, System.nanoTime() + delayNs));
                }
            } catch (IOException | InterruptedException e) {
                // the source closed
            }
            try {
                line.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    Chunk ch = line.take();
                    if (ch == END) {
                        break;
                    }
                    long wait = ch.due() - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    out.write(ch.b(), 0, ch.n());
                }
                outSocket.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                // the destination closed; the connection's thread closes both sockets, ending the reader
            }
        });
    }
}

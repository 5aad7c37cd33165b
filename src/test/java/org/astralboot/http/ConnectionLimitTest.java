package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionLimitTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void capIsPerClientAddress() throws Exception {
        ConnectionLimit l = new ConnectionLimit(3);
        InetAddress a = ip("192.0.2.10");
        InetAddress b = ip("192.0.2.11");
        for (int i = 0; i < 3; i++) {
            assertTrue(l.acquire(a));
        }
        assertFalse(l.acquire(a), "the fourth from one address");
        assertEquals(3, l.open(a));
        assertTrue(l.acquire(b), "another address is not affected");
        l.release(a);
        assertTrue(l.acquire(a), "a closed connection frees its place");
        assertFalse(l.acquire(a));
    }

    @Test
    void closedClientsAreForgotten() throws Exception {
        ConnectionLimit l = new ConnectionLimit(2);
        for (int i = 1; i <= 200; i++) {
            InetAddress a = ip("198.18.0." + i);
            assertTrue(l.acquire(a));
            l.release(a);
        }
        assertEquals(0, l.clients());
        assertThrows(IllegalStateException.class, () -> l.release(ip("192.0.2.1")));
    }

    @Test
    void concurrentAcquiresNeverPassTheCap() throws Exception {
        ConnectionLimit l = new ConnectionLimit(32);
        InetAddress a = ip("192.0.2.10");
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 10; j++) {
                    if (l.acquire(a)) {
                        granted.incrementAndGet();
                    }
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(32, granted.get());
        assertEquals(32, l.open(a));
    }
}

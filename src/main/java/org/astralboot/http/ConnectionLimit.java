package org.astralboot.http;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Open connections per client address, at most {@code max} each: one host (a broken client, a
 * script opening downloads in a loop) cannot hold every file thread and every socket. Thread-safe;
 * pure logic, no I/O.
 */
final class ConnectionLimit {
    private final int max;
    private final Map<InetAddress, Integer> open = new HashMap<>();

    ConnectionLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max " + max);
        }
        this.max = max;
    }

    int max() {
        return max;
    }

    /** Counts one more connection from {@code client}; false (and nothing counted) when it has {@code max}. */
    synchronized boolean acquire(InetAddress client) {
        int n = open.getOrDefault(client, 0);
        if (n >= max) {
            return false;
        }
        open.put(client, n + 1);
        return true;
    }

    /** One connection counted by {@link #acquire} closed. */
    synchronized void release(InetAddress client) {
        Integer n = open.get(client);
        if (n == null) {
            throw new IllegalStateException("release of " + client + " without acquire");
        }
        if (n == 1) {
            open.remove(client); // the map holds only addresses with open connections
        } else {
            open.put(client, n - 1);
        }
    }

    synchronized int open(InetAddress client) {
        return open.getOrDefault(client, 0);
    }

    /** Addresses with open connections (for tests: the map never keeps closed clients). */
    synchronized int clients() {
        return open.size();
    }
}

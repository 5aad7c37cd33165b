package org.astralboot.dhcp.lease;

/** Where lease changes are written (the database); durability is the caller's business (commit). */
public interface LeaseSink {
    /** Discards everything: for engine unit tests. */
    LeaseSink NONE = l -> { };

    void put(Lease lease);
}

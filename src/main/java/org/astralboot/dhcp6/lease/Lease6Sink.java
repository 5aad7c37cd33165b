package org.astralboot.dhcp6.lease;

/** Where binding changes are written (the database); durability is the caller's business (commit). */
public interface Lease6Sink {
    /** Discards everything: for engine unit tests. */
    Lease6Sink NONE = l -> { };

    void put(Lease6 lease);
}

package org.astralboot.dhcp.lease;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.astralboot.db.Database;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;

/**
 * Leases in the MapDB file: map {@code dhcp.leases}, address (int) to {@link Lease#toBytes()}.
 * Writes are not durable until the database commits; callers use {@link Database#commitAsync()} and
 * answer the client from its completion.
 */
public final class LeaseStore implements LeaseSink {
    /** Name of the MapDB collection. */
    public static final String MAP = "dhcp.leases";

    private final HTreeMap<Integer, byte[]> map;

    public LeaseStore(Database db) {
        this.map = db.db().hashMap(MAP, Serializer.INTEGER, Serializer.BYTE_ARRAY).createOrOpen();
    }

    /** Every stored lease. A record that cannot be read is an {@link IOException} naming the address. */
    public List<Lease> load() throws IOException {
        List<Lease> r = new ArrayList<>(map.size());
        for (Map.Entry<Integer, byte[]> e : map.entrySet()) {
            try {
                r.add(Lease.fromBytes(e.getKey(), e.getValue()));
            } catch (IOException | RuntimeException ex) {
                throw new IOException("lease record for " + org.astralboot.net.Ipv4.fromInt(e.getKey()).getHostAddress()
                        + " is damaged: " + ex.getMessage(), ex);
            }
        }
        return r;
    }

    @Override
    public void put(Lease lease) {
        map.put(lease.address(), lease.toBytes());
    }
}

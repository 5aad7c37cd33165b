package org.astralboot.dhcp.lease;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseDamagedException;
import org.astralboot.net.Ipv4;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.mapdb.Store;

/**
 * Leases in the MapDB file. Each address has one record ({@link Lease#toBytes()}) in the store, and
 * the map {@code dhcp.lease-records} (address → record id) is written once per address. A lease
 * change is then a single record update: no hash-tree walk, which is what made {@code HTreeMap.put}
 * the largest cost per DORA. Writes are not durable until the database commits; callers answer the
 * client from the commit's completion.
 *
 * <p>Not thread-safe: one writer at a time (the lease writer thread; at start-up the starting thread).
 */
public final class LeaseStore implements LeaseSink {
    /** Name of the MapDB index collection. */
    public static final String INDEX = "dhcp.lease-records";

    private final HTreeMap<Integer, Long> index;
    private final Store store;
    private final Map<Integer, Long> recids = new HashMap<>();
    private final java.nio.file.Path file;

    public LeaseStore(Database db) {
        this.file = db.file();
        this.index = db.db().hashMap(INDEX, Serializer.INTEGER, Serializer.LONG).createOrOpen();
        this.store = db.db().getStore();
    }

    /**
     * Every stored lease. A record that cannot be read is a {@link DatabaseDamagedException} naming the
     * address: commits are atomic, so no crash leaves one behind.
     */
    public List<Lease> load() throws IOException {
        List<Lease> r = new ArrayList<>(index.size());
        for (Map.Entry<Integer, Long> e : index.entrySet()) {
            int addr = e.getKey();
            try {
                byte[] b = store.get(e.getValue(), Serializer.BYTE_ARRAY);
                if (b == null) {
                    throw new IOException("record " + e.getValue() + " is missing");
                }
                r.add(Lease.fromBytes(addr, b));
                recids.put(addr, e.getValue());
            } catch (IOException | RuntimeException ex) {
                throw new DatabaseDamagedException(file, "lease record for " + Ipv4.fromInt(addr).getHostAddress()
                        + " cannot be read: " + ex.getMessage(), ex);
            }
        }
        return r;
    }

    @Override
    public void put(Lease lease) {
        byte[] b = lease.toBytes();
        Long recid = recids.get(lease.address());
        if (recid == null) {
            recid = index.get(lease.address());
        }
        if (recid == null) {
            recid = store.put(b, Serializer.BYTE_ARRAY);
            index.put(lease.address(), recid);
        } else {
            store.update(recid, b, Serializer.BYTE_ARRAY);
        }
        recids.put(lease.address(), recid);
    }
}

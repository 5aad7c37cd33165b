package org.astralboot.dhcp6.lease;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.astralboot.db.Database;
import org.astralboot.db.DatabaseDamagedException;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;

/**
 * DHCPv6 bindings in the MapDB file: the map {@code dhcp6.leases}, 16-byte address → {@link
 * Lease6#toBytes()}. One record per address, so a binding that moves overwrites whoever held its
 * new address. Writes are not durable until the database commits; the transport commits before it
 * sends a Reply that depends on them (the database's crash-atomic commit, as for IPv4 leases).
 */
public final class Lease6Store implements Lease6Sink {
    /** Name of the MapDB collection. */
    public static final String MAP = "dhcp6.leases";

    private final HTreeMap<byte[], byte[]> map;
    private final java.nio.file.Path file;

    public Lease6Store(Database db) {
        this.file = db.file();
        this.map = db.db().hashMap(MAP, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
    }

    /** Every stored binding; a record that cannot be read is a {@link DatabaseDamagedException}. */
    public List<Lease6> load() throws IOException {
        List<Lease6> r = new ArrayList<>(map.size());
        for (Map.Entry<byte[], byte[]> e : map.entrySet()) {
            try {
                r.add(Lease6.fromBytes(e.getValue()));
            } catch (IOException | RuntimeException ex) {
                throw new DatabaseDamagedException(file, "DHCPv6 lease record "
                        + java.util.HexFormat.of().formatHex(e.getKey()) + " cannot be read: " + ex.getMessage(), ex);
            }
        }
        return r;
    }

    @Override
    public void put(Lease6 lease) {
        map.put(lease.address().getAddress(), lease.toBytes());
    }
}

package org.astralboot.dhcp6.lease;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Inet6Address;
import java.util.Objects;
import org.astralboot.dhcp6.codec.Duid;

/**
 * One DHCPv6 binding (RFC 8415 §4.2 "binding"): a client's DUID and IAID and the address of that
 * IA_NA, with its state and times in epoch milliseconds. Immutable.
 *
 * @param expires end of the valid lifetime (BOUND), or of the probation (DECLINED)
 */
public record Lease6(Duid duid, long iaid, Inet6Address address, State state, long start, long expires) {

    /** Binding states kept in the database. */
    public enum State {
        /** Assigned by a Reply; the client holds it until {@code expires}. */
        BOUND,
        /** Released by the client (RFC 8415 §18.3.7): free, and this client's first choice again. */
        RELEASED,
        /** Declined by the client (RFC 8415 §18.3.8): in use on the link, out of the pool until {@code expires}. */
        DECLINED
    }

    private static final int VERSION = 1;

    public Lease6 {
        Objects.requireNonNull(duid, "duid");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(state, "state");
    }

    /** The table key: DUID and IAID (RFC 8415 §12: an IA is identified by the pair). */
    public Key key() {
        return new Key(duid, iaid);
    }

    /** Whether the client holds the address at {@code now}. */
    public boolean activeAt(long now) {
        return state == State.BOUND && expires > now;
    }

    /** Whether another client may get this address at {@code now}. */
    public boolean availableAt(long now) {
        return state == State.RELEASED || expires <= now;
    }

    /** A binding's identity: DUID plus IAID. */
    public record Key(Duid duid, long iaid) {
        public Key {
            Objects.requireNonNull(duid);
        }

        /** The database key: IAID (4 bytes) then the DUID. */
        public byte[] bytes() {
            byte[] d = duid.bytes();
            byte[] k = new byte[4 + d.length];
            k[0] = (byte) (iaid >>> 24);
            k[1] = (byte) (iaid >>> 16);
            k[2] = (byte) (iaid >>> 8);
            k[3] = (byte) iaid;
            System.arraycopy(d, 0, k, 4, d.length);
            return k;
        }

        @Override
        public String toString() {
            return duid.hex() + "/" + Long.toHexString(iaid);
        }
    }

    /** The database record. */
    public byte[] toBytes() {
        ByteArrayOutputStream bo = new ByteArrayOutputStream(64);
        try (DataOutputStream o = new DataOutputStream(bo)) {
            o.writeByte(VERSION);
            byte[] d = duid.bytes();
            o.writeByte(d.length);
            o.write(d);
            o.writeInt((int) iaid);
            o.write(address.getAddress());
            o.writeByte(state.ordinal());
            o.writeLong(start);
            o.writeLong(expires);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bo.toByteArray();
    }

    /** Reads a record written by {@link #toBytes()}. */
    public static Lease6 fromBytes(byte[] b) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            int v = in.readUnsignedByte();
            if (v != VERSION) {
                throw new IOException("lease6 record version " + v);
            }
            byte[] d = new byte[in.readUnsignedByte()];
            in.readFully(d);
            long iaid = in.readInt() & 0xFFFFFFFFL;
            byte[] a = new byte[16];
            in.readFully(a);
            int s = in.readUnsignedByte();
            if (s >= State.values().length) {
                throw new IOException("lease6 state " + s);
            }
            return new Lease6(Duid.of(d), iaid, Inet6Address.getByAddress(null, a, -1), State.values()[s],
                    in.readLong(), in.readLong());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}

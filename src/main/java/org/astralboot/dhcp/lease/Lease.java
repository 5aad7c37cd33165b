package org.astralboot.dhcp.lease;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;

/**
 * One address of the pool and who has it. Immutable; the lease table replaces it on change.
 *
 * @param address   IPv4 address as an unsigned 32-bit int
 * @param mac       the client holding (or last holding) it, or {@code null}
 * @param hostname  host name handed out with it (option 12), or empty
 * @param state     stored state
 * @param expiresAt end of the offer, lease or decline probation (epoch ms); 0 when not applicable
 * @param changedAt when the state last changed (epoch ms); orders reuse of free addresses (oldest first)
 */
public record Lease(int address, MacAddress mac, String hostname, LeaseState state, long expiresAt, long changedAt) {

    private static final int FORMAT = 1;

    public Lease {
        hostname = hostname == null ? "" : hostname;
    }

    public Inet4Address inet() {
        return Ipv4.fromInt(address);
    }

    /** Held by {@link #mac} at {@code now}: an unexpired offer or binding. */
    public boolean activeAt(long now) {
        return (state == LeaseState.OFFERED || state == LeaseState.BOUND) && expiresAt > now;
    }

    /** Can be given to a client at {@code now}. */
    public boolean availableAt(long now) {
        return switch (state) {
            case FREE, RELEASED -> true;
            case OFFERED, BOUND, DECLINED -> expiresAt <= now;
        };
    }

    /** State as shown to operators: {@code expired} for a lapsed offer or binding. */
    public String displayState(long now) {
        if ((state == LeaseState.OFFERED || state == LeaseState.BOUND) && expiresAt <= now) {
            return "expired";
        }
        return state.name().toLowerCase();
    }

    /** Stable binary form for the database (versioned, so the schema can evolve). */
    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream(40);
            DataOutputStream o = new DataOutputStream(bo);
            o.writeByte(FORMAT);
            o.writeByte(state.code);
            o.writeLong(mac == null ? -1L : mac.value());
            o.writeLong(expiresAt);
            o.writeLong(changedAt);
            o.writeUTF(hostname);
            return bo.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@link #toBytes()} output. */
    public static Lease fromBytes(int address, byte[] b) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b));
        int fmt = in.readUnsignedByte();
        if (fmt != FORMAT) {
            throw new IOException("unknown lease record format " + fmt);
        }
        LeaseState st = LeaseState.of(in.readUnsignedByte());
        long m = in.readLong();
        long exp = in.readLong();
        long ch = in.readLong();
        String host = in.readUTF();
        return new Lease(address, m < 0 ? null : new MacAddress(m), host, st, exp, ch);
    }
}

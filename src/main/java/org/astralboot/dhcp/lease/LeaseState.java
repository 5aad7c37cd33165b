package org.astralboot.dhcp.lease;

/** Stored state of one pool address. Expiry is separate: an OFFERED or BOUND lease past its expiry is free again. */
public enum LeaseState {
    /** Never handed out (or cleared): available. */
    FREE(0),
    /** Offered to a MAC, held until the offer expires. */
    OFFERED(1),
    /** Acknowledged to a MAC until the lease expires. */
    BOUND(2),
    /** Released by its client; available, but kept for that MAC while nobody else needs it. */
    RELEASED(3),
    /** Declined by a client (address in use on the wire): unusable until the probation ends. */
    DECLINED(4);

    public final int code;

    LeaseState(int code) {
        this.code = code;
    }

    static LeaseState of(int code) {
        for (LeaseState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown lease state " + code);
    }
}

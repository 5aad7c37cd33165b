package org.astralboot.dhcp.codec;

/**
 * DHCP option codes used by the server (RFC 2132; PXE options from RFC 4578; 77 from RFC 3004; 82
 * from RFC 3046; 175 is iPXE's encapsulated options). {@link #fixedLength} is the exact length the
 * codec enforces on decode, {@link #minLength}/{@link #multipleOf} bound the variable ones.
 */
public enum DhcpOption {
    PAD(0, 0, 0, 1),
    SUBNET_MASK(1, 4, 4, 1),
    ROUTER(3, -1, 4, 4),
    DNS_SERVERS(6, -1, 4, 4),
    HOST_NAME(12, -1, 1, 1),
    DOMAIN_NAME(15, -1, 1, 1),
    BROADCAST_ADDRESS(28, 4, 4, 1),
    VENDOR_SPECIFIC(43, -1, 0, 1),
    REQUESTED_ADDRESS(50, 4, 4, 1),
    LEASE_TIME(51, 4, 4, 1),
    OVERLOAD(52, 1, 1, 1),
    MESSAGE_TYPE(53, 1, 1, 1),
    SERVER_ID(54, 4, 4, 1),
    PARAMETER_LIST(55, -1, 0, 1),
    MESSAGE(56, -1, 0, 1),
    MAX_MESSAGE_SIZE(57, 2, 2, 1),
    RENEWAL_TIME(58, 4, 4, 1),
    REBINDING_TIME(59, 4, 4, 1),
    VENDOR_CLASS(60, -1, 0, 1),
    CLIENT_ID(61, -1, 0, 1),
    TFTP_SERVER(66, -1, 1, 1),
    BOOTFILE_NAME(67, -1, 1, 1),
    USER_CLASS(77, -1, 0, 1),
    RELAY_AGENT_INFO(82, -1, 0, 1),
    CLIENT_ARCH(93, -1, 2, 2),
    CLIENT_NDI(94, -1, 0, 1),
    CLIENT_UUID(97, -1, 0, 1),
    IPXE_ENCAP(175, -1, 0, 1),
    END(255, 0, 0, 1);

    public final int code;
    /** Exact length required on decode, or -1 when variable. */
    public final int fixedLength;
    public final int minLength;
    public final int multipleOf;

    DhcpOption(int code, int fixedLength, int minLength, int multipleOf) {
        this.code = code;
        this.fixedLength = fixedLength;
        this.minLength = minLength;
        this.multipleOf = multipleOf;
    }

    private static final DhcpOption[] BY_CODE = new DhcpOption[256];

    static {
        for (DhcpOption o : values()) {
            BY_CODE[o.code] = o;
        }
    }

    /** The known option for {@code code} (0..255), or {@code null}. */
    public static DhcpOption of(int code) {
        return code >= 0 && code < 256 ? BY_CODE[code] : null;
    }
}

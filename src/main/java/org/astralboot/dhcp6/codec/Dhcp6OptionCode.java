package org.astralboot.dhcp6.codec;

/**
 * DHCPv6 option codes this server reads or writes (RFC 8415 §21, RFC 3646 §3, RFC 5970 §3, RFC 6939). Others
 * are carried as {@link Dhcp6Option.Unknown}.
 */
public enum Dhcp6OptionCode {
    /** RFC 8415 §21.2: the client's DUID. */
    CLIENTID(1),
    /** RFC 8415 §21.3: the server's DUID. */
    SERVERID(2),
    /** RFC 8415 §21.4: identity association for non-temporary addresses. */
    IA_NA(3),
    /** RFC 8415 §21.5: identity association for temporary addresses (not served). */
    IA_TA(4),
    /** RFC 8415 §21.6: an address inside IA_NA / IA_TA. */
    IAADDR(5),
    /** RFC 8415 §21.7: option request option (ORO). */
    ORO(6),
    /** RFC 8415 §21.8: server preference. */
    PREFERENCE(7),
    /** RFC 8415 §21.9: elapsed time in hundredths of a second. */
    ELAPSED_TIME(8),
    /** RFC 8415 §21.10: relay message. */
    RELAY_MSG(9),
    /** RFC 8415 §21.11: authentication. */
    AUTH(11),
    /** RFC 8415 §21.12: server unicast. */
    UNICAST(12),
    /** RFC 8415 §21.13: status code. */
    STATUS_CODE(13),
    /** RFC 8415 §21.14: rapid commit (two-message exchange). */
    RAPID_COMMIT(14),
    /** RFC 8415 §21.15: user class (iPXE sends "iPXE"). */
    USER_CLASS(15),
    /** RFC 8415 §21.16: vendor class (UEFI: "PXEClient..." / "HTTPClient..."). */
    VENDOR_CLASS(16),
    /** RFC 8415 §21.17: vendor-specific information. */
    VENDOR_OPTS(17),
    /** RFC 8415 §21.18: interface-id (relays). */
    INTERFACE_ID(18),
    /** RFC 8415 §21.20: reconfigure accept. */
    RECONF_ACCEPT(20),
    /** RFC 3646 §3: recursive DNS servers. */
    DNS_SERVERS(23),
    /** RFC 3646 §4: domain search list. */
    DOMAIN_LIST(24),
    /** RFC 8415 §21.21: identity association for prefix delegation (not served). */
    IA_PD(25),
    /** RFC 8415 §21.23: information refresh time. */
    INFORMATION_REFRESH_TIME(32),
    /** RFC 5970 §3.1: boot file URL. */
    BOOTFILE_URL(59),
    /** RFC 5970 §3.2: boot file parameters. */
    BOOTFILE_PARAM(60),
    /** RFC 5970 §3.3: client system architecture types. */
    CLIENT_ARCH_TYPE(61),
    /** RFC 5970 §3.4: client network interface identifier (UNDI version). */
    NII(62),
    /** RFC 6939 §4: the client's link-layer address, added by the first relay agent. */
    CLIENT_LINKLAYER_ADDR(79),
    /** RFC 8415 §21.24: SOL_MAX_RT. */
    SOL_MAX_RT(82),
    /** RFC 8415 §21.25: INF_MAX_RT. */
    INF_MAX_RT(83);

    /** The 16-bit option-code. */
    public final int code;

    Dhcp6OptionCode(int code) {
        this.code = code;
    }

    private static final java.util.Map<Integer, Dhcp6OptionCode> BY_CODE = new java.util.HashMap<>();

    static {
        for (Dhcp6OptionCode c : values()) {
            BY_CODE.put(c.code, c);
        }
    }

    /** The option for {@code code}, or {@code null} when not one of these. */
    public static Dhcp6OptionCode of(int code) {
        return BY_CODE.get(code);
    }
}

package org.astralboot.ndp.engine;

import java.net.Inet6Address;
import org.astralboot.ndp.codec.PrefixInformation;
import org.astralboot.ndp.codec.RouterAdvertisement;
import org.astralboot.net.MacAddress;

/**
 * What Astralboot's router advertisement tells a booting machine besides "no default router here"
 * (router lifetime 0 in every case, RFC 4861 §6.3.4): the M and O flags and an on-link prefix.
 *
 * <ul>
 * <li>DHCPv6 off ({@link #NONE}): M = O = 0, no prefix — the answer that ends iPXE's wait for a
 * router and configures nothing (issue 16 §1).</li>
 * <li>{@code [ipv6] dhcp = "full"} ({@link #full}): M = 1 (addresses from DHCPv6, RFC 4861 §4.2)
 * and O = 1, and the prefix of the server's address with L = 1, A = 0. L = 1 because an IA_NA
 * address carries no prefix length (RFC 8415 §21.6) and a host learns which addresses are on-link
 * only from RAs (RFC 4861 §6.3.4, RFC 5942 §4): without it EDK2 polls its route table for 10 s
 * for a route to the server (PxeBcCheckRouteTable) and a host with no default router cannot reach
 * the server's global address at all. A = 0 so that hosts take the DHCPv6 address only and form
 * no second, SLAAC address (RFC 4862 §5.5.3 b).</li>
 * <li>{@code [ipv6] dhcp = "stateless"} ({@link #stateless}): O = 1 only (boot options from an
 * Information-request, RFC 8415 §6.1 and §18.2.6; no address from DHCPv6) and the prefix with
 * L = 1 and A = 1: a stateless client's only global address is the one it forms itself (RFC 4862
 * §5.5.3), and iPXE forms it from this option (its SLAAC address needs A). A is set only for a
 * /64: RFC 4862 §5.5.3 d) ignores A when prefix length plus the 64-bit Ethernet interface
 * identifier (RFC 2464 §4) is not 128.</li>
 * </ul>
 *
 * @param managed the M flag
 * @param other   the O flag
 * @param prefix  the prefix information option, or null for none
 */
public record RaContent(boolean managed, boolean other, PrefixInformation prefix) {
    /** M = O = 0, no prefix. */
    public static final RaContent NONE = new RaContent(false, false, null);
    /**
     * Valid lifetime of the advertised prefix: one day, radvd's default (RFC 4861 §6.2.1 allows up
     * to infinity; a booting machine needs it for minutes, a booted one that keeps a stateless
     * address loses the prefix within a day of its last answer rather than never).
     */
    public static final long VALID_LIFETIME = 86_400;
    /** Preferred lifetime: four hours, radvd's default. */
    public static final long PREFERRED_LIFETIME = 14_400;
    /** The prefix length stateless address autoconfiguration needs on Ethernet (RFC 2464 §4). */
    public static final int SLAAC_LENGTH = 64;

    /** Full DHCPv6: M = O = 1, {@code address}'s /{@code length} on-link, no SLAAC. */
    public static RaContent full(Inet6Address address, int length) {
        return new RaContent(true, true,
                new PrefixInformation(address, length, true, false, VALID_LIFETIME, PREFERRED_LIFETIME));
    }

    /** Stateless DHCPv6: O = 1, {@code address}'s /{@code length} on-link, SLAAC when it is a /64. */
    public static RaContent stateless(Inet6Address address, int length) {
        return new RaContent(false, true, new PrefixInformation(address, length, true, length == SLAAC_LENGTH,
                VALID_LIFETIME, PREFERRED_LIFETIME));
    }

    /** The advertisement with this content, sent by {@code sender} (null: no source link-layer option). */
    public RouterAdvertisement advertisement(MacAddress sender) {
        return RouterAdvertisement.forBoot(sender, managed, other, prefix);
    }
}

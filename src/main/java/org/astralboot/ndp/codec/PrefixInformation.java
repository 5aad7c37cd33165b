package org.astralboot.ndp.codec;

import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import org.astralboot.net.Ipv6;

/**
 * The prefix information option (RFC 4861 §4.6.2): a prefix, whether it is on-link (the L flag:
 * addresses in it are reached directly, not through a router) and whether hosts may form
 * addresses in it themselves (the A flag: stateless address autoconfiguration, RFC 4862 §5.5.3).
 *
 * @param prefix            the prefix, bits past {@code length} zero
 * @param length            prefix length, 0 to 128
 * @param onLink            the L flag
 * @param autonomous        the A flag
 * @param validLifetime     seconds the prefix stays on-link / an address formed in it valid
 *                          (0xffffffff: infinity)
 * @param preferredLifetime seconds an address formed in it stays preferred; at most
 *                          {@code validLifetime} (RFC 4861 §4.6.2)
 */
public record PrefixInformation(Inet6Address prefix, int length, boolean onLink, boolean autonomous,
        long validLifetime, long preferredLifetime) {
    /** The L flag in the option's flags octet. */
    public static final int ON_LINK = 0x80;
    /** The A flag in the option's flags octet. */
    public static final int AUTONOMOUS = 0x40;
    /** The option's body: 32 octets less type and length. */
    static final int BODY = 30;

    public PrefixInformation {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("prefix length " + length);
        }
        if (validLifetime < 0 || validLifetime > 0xFFFF_FFFFL || preferredLifetime < 0
                || preferredLifetime > validLifetime) {
            throw new IllegalArgumentException("prefix lifetimes " + validLifetime + " / " + preferredLifetime);
        }
        prefix = Ipv6.masked(prefix, length);
    }

    /** Whether {@code address} lies in this prefix. */
    public boolean contains(Inet6Address address) {
        return Arrays.equals(Ipv6.masked(address, length).getAddress(), prefix.getAddress());
    }

    /** The option on the wire (type 3, length 4; the reserved fields zero). */
    public NdpOption toOption() {
        byte[] b = new byte[BODY];
        b[0] = (byte) length;
        b[1] = (byte) ((onLink ? ON_LINK : 0) | (autonomous ? AUTONOMOUS : 0));
        NdpCodec.put32(b, 2, validLifetime);
        NdpCodec.put32(b, 6, preferredLifetime);
        System.arraycopy(prefix.getAddress(), 0, b, 14, 16);
        return new NdpOption(NdpOptionType.PREFIX_INFORMATION.number(), b);
    }

    /**
     * {@code option} read as a prefix information option; empty when it is another type or not the
     * 32 octets RFC 4861 §4.6.2 defines (§4.6.2: such an option is to be ignored, so no error).
     */
    public static Optional<PrefixInformation> of(NdpOption option) {
        byte[] b = option.body();
        if (option.type() != NdpOptionType.PREFIX_INFORMATION.number() || b.length != BODY || (b[0] & 0xFF) > 128) {
            return Optional.empty();
        }
        long valid = NdpCodec.u32(b, 2);
        long preferred = NdpCodec.u32(b, 6);
        if (preferred > valid) {
            return Optional.empty(); // RFC 4862 §5.5.3 c): the host ignores the option
        }
        try {
            Inet6Address p = (Inet6Address) Inet6Address.getByAddress(null, Arrays.copyOfRange(b, 14, 30), -1);
            return Optional.of(new PrefixInformation(p, b[0] & 0xFF, (b[1] & ON_LINK) != 0, (b[1] & AUTONOMOUS) != 0,
                    valid, preferred));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return Ipv6.text(prefix) + "/" + length + " L=" + (onLink ? 1 : 0) + " A=" + (autonomous ? 1 : 0);
    }
}

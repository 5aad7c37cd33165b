package org.astralboot.dhcp6.codec;

import java.net.Inet6Address;
import java.util.List;
import java.util.Objects;

/**
 * One DHCPv6 option (RFC 8415 §21), decoded into an immutable record by its code. Opaque byte
 * strings (classes, unknown option data) are kept as ISO-8859-1 strings: one char per byte, so they
 * compare by value and cannot be changed.
 */
public sealed interface Dhcp6Option {

    /** The option-code on the wire. */
    int code();

    /** RFC 8415 §21.2: CLIENTID. */
    record ClientId(Duid duid) implements Dhcp6Option {
        public ClientId {
            Objects.requireNonNull(duid);
        }

        public int code() {
            return Dhcp6OptionCode.CLIENTID.code;
        }
    }

    /** RFC 8415 §21.3: SERVERID. */
    record ServerId(Duid duid) implements Dhcp6Option {
        public ServerId {
            Objects.requireNonNull(duid);
        }

        public int code() {
            return Dhcp6OptionCode.SERVERID.code;
        }
    }

    /**
     * RFC 8415 §21.4: IA_NA, with its encapsulated options (IAADDR, STATUS_CODE).
     *
     * @param iaid the client's identity association id (unsigned 32 bits)
     * @param t1   renew time in seconds (unsigned 32 bits)
     * @param t2   rebind time in seconds (unsigned 32 bits)
     */
    record IaNa(long iaid, long t1, long t2, List<Dhcp6Option> options) implements Dhcp6Option {
        public IaNa {
            options = List.copyOf(options);
        }

        public int code() {
            return Dhcp6OptionCode.IA_NA.code;
        }

        /** The addresses in this IA. */
        public List<IaAddress> addresses() {
            return options.stream().filter(IaAddress.class::isInstance).map(IaAddress.class::cast).toList();
        }
    }

    /**
     * RFC 8415 §21.6: IAADDR.
     *
     * @param preferred preferred lifetime in seconds (unsigned 32 bits; 0xFFFFFFFF infinity)
     * @param valid     valid lifetime in seconds
     */
    record IaAddress(Inet6Address address, long preferred, long valid, List<Dhcp6Option> options)
            implements Dhcp6Option {
        public IaAddress {
            Objects.requireNonNull(address);
            options = List.copyOf(options);
        }

        public int code() {
            return Dhcp6OptionCode.IAADDR.code;
        }
    }

    /** RFC 8415 §21.7: the option codes the client asks for, in its order. */
    record OptionRequest(List<Integer> codes) implements Dhcp6Option {
        public OptionRequest {
            codes = List.copyOf(codes);
        }

        public int code() {
            return Dhcp6OptionCode.ORO.code;
        }
    }

    /** RFC 8415 §21.8: server preference 0-255. */
    record Preference(int value) implements Dhcp6Option {
        public int code() {
            return Dhcp6OptionCode.PREFERENCE.code;
        }
    }

    /** RFC 8415 §21.9: time since the client began this exchange, in hundredths of a second (0-65535). */
    record ElapsedTime(int hundredths) implements Dhcp6Option {
        public int code() {
            return Dhcp6OptionCode.ELAPSED_TIME.code;
        }
    }

    /** RFC 8415 §21.13: a status (the raw code, see {@link Dhcp6Status}) and a UTF-8 message. */
    record StatusCode(int status, String message) implements Dhcp6Option {
        public StatusCode {
            Objects.requireNonNull(message);
        }

        public StatusCode(Dhcp6Status status, String message) {
            this(status.code, message);
        }

        public int code() {
            return Dhcp6OptionCode.STATUS_CODE.code;
        }
    }

    /** RFC 8415 §21.14: rapid commit. */
    record RapidCommit() implements Dhcp6Option {
        public int code() {
            return Dhcp6OptionCode.RAPID_COMMIT.code;
        }
    }

    /** RFC 8415 §21.15: user classes, each an opaque string (one char per byte). */
    record UserClass(List<String> classes) implements Dhcp6Option {
        public UserClass {
            classes = List.copyOf(classes);
        }

        public int code() {
            return Dhcp6OptionCode.USER_CLASS.code;
        }
    }

    /**
     * RFC 8415 §21.16: vendor class: an enterprise number and opaque strings (one char per byte).
     *
     * @param enterprise IANA private enterprise number (unsigned 32 bits; EDK2 sends 343, Intel)
     */
    record VendorClass(long enterprise, List<String> data) implements Dhcp6Option {
        public VendorClass {
            data = List.copyOf(data);
        }

        public int code() {
            return Dhcp6OptionCode.VENDOR_CLASS.code;
        }
    }

    /** RFC 3646 §3: recursive DNS server addresses. */
    record DnsServers(List<Inet6Address> servers) implements Dhcp6Option {
        public DnsServers {
            servers = List.copyOf(servers);
        }

        public int code() {
            return Dhcp6OptionCode.DNS_SERVERS.code;
        }
    }

    /** RFC 5970 §3.1: the boot file URL (UTF-8). */
    record BootfileUrl(String url) implements Dhcp6Option {
        public BootfileUrl {
            Objects.requireNonNull(url);
        }

        public int code() {
            return Dhcp6OptionCode.BOOTFILE_URL.code;
        }
    }

    /** RFC 5970 §3.2: boot file parameters (UTF-8 each). */
    record BootfileParam(List<String> params) implements Dhcp6Option {
        public BootfileParam {
            params = List.copyOf(params);
        }

        public int code() {
            return Dhcp6OptionCode.BOOTFILE_PARAM.code;
        }
    }

    /** RFC 5970 §3.3: client architecture types (IANA processor architecture types), most preferred first. */
    record ClientArch(List<Integer> types) implements Dhcp6Option {
        public ClientArch {
            types = List.copyOf(types);
        }

        public int code() {
            return Dhcp6OptionCode.CLIENT_ARCH_TYPE.code;
        }
    }

    /** RFC 5970 §3.4: network interface identifier: type (1 = UNDI) and revision. */
    record NetworkInterfaceId(int type, int major, int minor) implements Dhcp6Option {
        public int code() {
            return Dhcp6OptionCode.NII.code;
        }
    }

    /**
     * RFC 8415 §21.10: the message a relay message carries (in a Relay-forward the client's message or
     * a Relay-forward of a relay agent nearer the client; in a Relay-reply the server's message or a
     * Relay-reply for such an agent). Only inside a {@link Dhcp6Relay}.
     */
    record RelayMessage(Dhcp6Packet packet) implements Dhcp6Option {
        public RelayMessage {
            Objects.requireNonNull(packet);
        }

        public int code() {
            return Dhcp6OptionCode.RELAY_MSG.code;
        }
    }

    /**
     * RFC 8415 §21.18: the relay agent's opaque name for the interface the client's message came in
     * on; a server copies it into the Relay-reply (§18.3.10) so the agent knows where to send it.
     * One char per byte.
     */
    record InterfaceId(String id) implements Dhcp6Option {
        public InterfaceId {
            Objects.requireNonNull(id);
        }

        public int code() {
            return Dhcp6OptionCode.INTERFACE_ID.code;
        }
    }

    /**
     * RFC 6939 §4: the client's link-layer address as the first relay agent saw it.
     *
     * @param linkType IANA hardware type (1 = Ethernet)
     * @param address  the address, one char per byte
     */
    record ClientLinkLayerAddress(int linkType, String address) implements Dhcp6Option {
        public ClientLinkLayerAddress {
            Objects.requireNonNull(address);
        }

        public int code() {
            return Dhcp6OptionCode.CLIENT_LINKLAYER_ADDR.code;
        }

        /** The address when it is an Ethernet one (type 1, 6 bytes), else {@code null}. */
        public byte[] ethernetAddress() {
            return linkType == 1 && address.length() == 6 ? address.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)
                    : null;
        }
    }

    /** Any other option, or one whose contents this server has no use for: the raw data, one char per byte. */
    record Unknown(int code, String data) implements Dhcp6Option {
        public Unknown {
            Objects.requireNonNull(data);
        }
    }
}

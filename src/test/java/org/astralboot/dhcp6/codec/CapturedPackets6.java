package org.astralboot.dhcp6.codec;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DHCPv6 messages captured with tcpdump in network namespaces, UDP payloads byte for byte: the
 * real-bytes corpus of the dhcp6 codec and engine tests, captured on 2026-12-06: isc-dhcp-client and dnsmasq
 * ({@code scripts/e2e/capture-dhclient6}); dnsmasq's DHCPv6 relay ({@code scripts/e2e/capture-relay6}); QEMU's iPXE option ROM and OVMF with {@code scripts/e2e/capture-dhcp6}
 * (payloads printed by {@code scripts/e2e/pcap-to-hex}).
 */
public final class CapturedPackets6 {
    private CapturedPackets6() {
    }

    /** Solicit from isc-dhcp-client 4.4.3 ({@code dhclient -6 -1}): DUID-LLT, IA_NA, ORO, ELAPSED_TIME. */
    public static final byte[] DHCLIENT_SOLICIT = HexFormat.of().parseHex(
            "018bb3930001000e0001000132a7db6352540006dc0100060008001700180027001f0008000200000003000c0006dc01" +
            "00000e1000001518");

    /** Advertise from dnsmasq 2.90 answering {@link #DHCLIENT_SOLICIT}: IA_NA with IAADDR 2001:db8:7::1ed, a top-level STATUS_CODE Success and PREFERENCE 0. */
    public static final byte[] DNSMASQ_ADVERTISE = HexFormat.of().parseHex(
            "028bb3930001000e0001000132a7db6352540006dc010002000e0001000132a7db61a67531c39463000300280006dc01" +
            "0000070800000c4e0005001820010db80007000000000000000001ed00000e1000000e10000d00090000737563636573" +
            "730007000100");

    /** Request from isc-dhcp-client 4.4.3 for the address of {@link #DNSMASQ_ADVERTISE}. */
    public static final byte[] DHCLIENT_REQUEST = HexFormat.of().parseHex(
            "0314a8600001000e0001000132a7db6352540006dc010002000e0001000132a7db61a67531c394630006000800170018" +
            "0027001f000800020000000300280006dc0100000e10000015180005001820010db80007000000000000000001ed0000" +
            "1c2000001d4c");

    /** Reply from dnsmasq 2.90 to {@link #DHCLIENT_REQUEST}. */
    public static final byte[] DNSMASQ_REPLY = HexFormat.of().parseHex(
            "0714a8600001000e0001000132a7db6352540006dc010002000e0001000132a7db61a67531c39463000300280006dc01" +
            "0000070800000c4e0005001820010db80007000000000000000001ed00000e1000000e10000d00090000737563636573" +
            "73");

    /** Confirm from isc-dhcp-client 4.4.3 restarted with its lease (lifetimes 0, RFC 8415 §18.2.3). */
    public static final byte[] DHCLIENT_CONFIRM = HexFormat.of().parseHex(
            "047878e60001000e0001000132a7db6352540006dc0100060008001700180027001f000800020000000300280006dc01" +
            "00000000000000000005001820010db80007000000000000000001ed0000000000000000");

    /** Reply from dnsmasq 2.90 to {@link #DHCLIENT_CONFIRM}: top-level STATUS_CODE Success. */
    public static final byte[] DNSMASQ_CONFIRM_REPLY = HexFormat.of().parseHex(
            "077878e60001000e0001000132a7db6352540006dc010002000e0001000132a7db61a67531c39463000d001d0000616c" +
            "6c20616464726573736573207374696c6c206f6e206c696e6b");

    /** Release from isc-dhcp-client 4.4.3 ({@code dhclient -6 -r}). */
    public static final byte[] DHCLIENT_RELEASE = HexFormat.of().parseHex(
            "08bfafc30001000e0001000132a7db6352540006dc010002000e0001000132a7db61a67531c394630006000800170018" +
            "0027001f000800020000000300280006dc0100000000000000000005001820010db80007000000000000000001ed0000" +
            "000000000000");

    /** Reply from dnsmasq 2.90 to {@link #DHCLIENT_RELEASE}. */
    public static final byte[] DNSMASQ_RELEASE_REPLY = HexFormat.of().parseHex(
            "07bfafc30001000e0001000132a7db6352540006dc010002000e0001000132a7db61a67531c39463000d001200007265" +
            "6c65617365207265636569766564");

    /** Information-request from isc-dhcp-client 4.4.3 in stateless mode ({@code dhclient -6 -S}): DUID-LL. */
    public static final byte[] DHCLIENT_INFORMATION_REQUEST = HexFormat.of().parseHex(
            "0b7b23c60001000a0003000152540006dc0100060008001700180027001f000800020000");

    /** Reply from dnsmasq 2.90 to {@link #DHCLIENT_INFORMATION_REQUEST}: INFORMATION_REFRESH_TIME only. */
    public static final byte[] DNSMASQ_INFORMATION_REPLY = HexFormat.of().parseHex(
            "077b23c60001000a0003000152540006dc010002000e0001000132a7db61a67531c394630020000400000e10");

    /** Solicit from QEMU 7.2's virtio-net option ROM (iPXE 1.21, BIOS), after a router advertisement with the M flag (scripts/e2e/capture-dhcp6): DUID-UUID of all zeros (QEMU's default SMBIOS UUID), IA_NA, ORO 23/24/59/60, vendor class 343 {@code PXEClient:Arch:00000:UNDI:002001}, arch 0, NII, user class {@code iPXE}. */
    public static final byte[] IPXE_BIOS_SOLICIT = HexFormat.of().parseHex(
            "011d5503000100120004000000000000000000000000000000000003000cce4ab3170000000000000000000600080017" +
            "0018003b003c00100026000001570020505845436c69656e743a417263683a30303030303a554e44493a303032303031" +
            "003d00020000003e0003010201000f0006000469505845000800020000");

    /** Solicit of OVMF's PXE over IPv6 (Debian 12 OVMF 2022.11, virtio-net without option ROM): DUID-LLT, IA_NA with T1/T2 0xffffffff, ORO 59/60/23/16, NII, arch 7, vendor class 343 {@code PXEClient:Arch:00007:UNDI:003000}. */
    public static final byte[] OVMF_PXE6_SOLICIT = HexFormat.of().parseHex(
            "0162d57b0001000e0001000131edfc8052540006ca020008000200000003000cce4277dfffffffffffffffff00060008" +
            "003b003c00170010003e0003010300003d0002000700100026000001570020505845436c69656e743a417263683a3030" +
            "3030373a554e44493a303033303030");

    /** Solicit of OVMF's IPv6 stack itself (Ip6Config, after the RA's M flag), beside its PXE one: no boot options, ORO 23 only. */
    public static final byte[] OVMF_IP6CONFIG_SOLICIT = HexFormat.of().parseHex(
            "0163d57b0001000e0001000131edfc8052540006ca020008000200000003000cc728fedbffffffffffffffff00060002" +
            "0017");

    /** Solicit of OVMF's UEFI HTTP boot over IPv6: arch 16, vendor class 343 {@code HTTPClient:Arch:00016:UNDI:003000}. */
    public static final byte[] OVMF_HTTP6_SOLICIT = HexFormat.of().parseHex(
            "0164d57b0001000e0001000131edfc8052540006ca020008000200000003000c82776f5dffffffffffffffff00060008" +
            "003b003c00170010003e0003010300003d000200100010002700000157002148545450436c69656e743a417263683a30" +
            "303031363a554e44493a303033303030");

    /**
     * Relay-forward from dnsmasq 2.90's relay ({@code --dhcp-relay=2001:db8:31::1,2001:db8:23::1},
     * scripts/e2e/capture-relay6, 2026-12-07) carrying isc-dhcp-client 4.4.3's Solicit (DUID-LL of
     * 52:54:00:31:00:01): hop-count 0, link-address 2001:db8:31::1, peer-address fe80::5054:ff:fe31:1,
     * CLIENT_LINKLAYER_ADDR (RFC 6939) Ethernet 52:54:00:31:00:01, then the Relay Message; no Interface-Id.
     */
    public static final byte[] DNSMASQ_RELAY_FORW_SOLICIT = HexFormat.of().parseHex(
            "0c0020010db8003100000000000000000001fe80000000000000505400fffe310001004f000800015254003100010009" +
            "0034017bcc540001000a0003000152540031000100060008001700180027001f0008000200000003000c003100010000" +
            "0e1000001518");

    /** Relay-reply from a dnsmasq 2.90 server to {@link #DNSMASQ_RELAY_FORW_SOLICIT}: the Advertise of 2001:db8:31::139. */
    public static final byte[] DNSMASQ_RELAY_REPL_ADVERTISE = HexFormat.of().parseHex(
            "0d0020010db8003100000000000000000001fe80000000000000505400fffe31000100090062027bcc540001000a0003" +
            "00015254003100010002000e0001000132a8dee1fe8e49e52f4a00030028003100010000070800000c4e000500182001" +
            "0db800310000000000000000013900000e1000000e10000d00090000737563636573730007000100");

    /** Relay-forward from dnsmasq 2.90's relay carrying the client's Request for that address. */
    public static final byte[] DNSMASQ_RELAY_FORW_REQUEST = HexFormat.of().parseHex(
            "0c0020010db8003100000000000000000001fe80000000000000505400fffe310001004f000800015254003100010009" +
            "0062034555920001000a000300015254003100010002000e0001000132a8dee1fe8e49e52f4a00060008001700180027" +
            "001f000800020000000300280031000100000e10000015180005001820010db80031000000000000000001390000" +
            "1c2000001d4c");

    /** Relay-reply from the dnsmasq 2.90 server to {@link #DNSMASQ_RELAY_FORW_REQUEST}: the Reply. */
    public static final byte[] DNSMASQ_RELAY_REPL_REPLY = HexFormat.of().parseHex(
            "0d0020010db8003100000000000000000001fe80000000000000505400fffe3100010009005d074555920001000a0003" +
            "00015254003100010002000e0001000132a8dee1fe8e49e52f4a00030028003100010000070800000c4e000500182001" +
            "0db800310000000000000000013900000e1000000e10000d0009000073756363657373");

    /** The relay vectors by name. */
    public static Map<String, byte[]> relays() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("DNSMASQ_RELAY_FORW_SOLICIT", DNSMASQ_RELAY_FORW_SOLICIT);
        m.put("DNSMASQ_RELAY_REPL_ADVERTISE", DNSMASQ_RELAY_REPL_ADVERTISE);
        m.put("DNSMASQ_RELAY_FORW_REQUEST", DNSMASQ_RELAY_FORW_REQUEST);
        m.put("DNSMASQ_RELAY_REPL_REPLY", DNSMASQ_RELAY_REPL_REPLY);
        return m;
    }

    /** Every vector by name, for the suites that run over all of them. */
    public static Map<String, byte[]> all() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("DHCLIENT_SOLICIT", DHCLIENT_SOLICIT);
        m.put("DNSMASQ_ADVERTISE", DNSMASQ_ADVERTISE);
        m.put("DHCLIENT_REQUEST", DHCLIENT_REQUEST);
        m.put("DNSMASQ_REPLY", DNSMASQ_REPLY);
        m.put("DHCLIENT_CONFIRM", DHCLIENT_CONFIRM);
        m.put("DNSMASQ_CONFIRM_REPLY", DNSMASQ_CONFIRM_REPLY);
        m.put("DHCLIENT_RELEASE", DHCLIENT_RELEASE);
        m.put("DNSMASQ_RELEASE_REPLY", DNSMASQ_RELEASE_REPLY);
        m.put("DHCLIENT_INFORMATION_REQUEST", DHCLIENT_INFORMATION_REQUEST);
        m.put("DNSMASQ_INFORMATION_REPLY", DNSMASQ_INFORMATION_REPLY);
        m.put("IPXE_BIOS_SOLICIT", IPXE_BIOS_SOLICIT);
        m.put("OVMF_PXE6_SOLICIT", OVMF_PXE6_SOLICIT);
        m.put("OVMF_IP6CONFIG_SOLICIT", OVMF_IP6CONFIG_SOLICIT);
        m.put("OVMF_HTTP6_SOLICIT", OVMF_HTTP6_SOLICIT);
        return m;
    }
}

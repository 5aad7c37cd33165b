package org.astralboot.dhcp6.codec;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DHCPv6 messages captured with tcpdump in network namespaces, UDP payloads byte for byte: the
 * real-bytes corpus of the dhcp6 codec and engine tests. isc-dhcp-client and dnsmasq on 2026-12-06
 * ({@code scripts/e2e/capture-dhclient6}); the firmware captures with {@code scripts/e2e/capture-dhcp6}
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
        return m;
    }
}

package org.astralboot.dhcp.codec;

/**
 * Client behaviours outside the letter of the RFCs that this server tolerates rather than refuses,
 * each seen from a real client. Each value is checked where its javadoc says and reported to a
 * {@link org.astralboot.net.QuirkSink} each time it is tolerated; {@code DhcpService.quirks()}
 * counts them.
 */
public enum DhcpQuirk {
    /**
     * An options field (or an overloaded {@code file}/{@code sname} field) that ends without the END
     * option (RFC 2132 §3.2, RFC 2131 §4.1), seen from embedded clients: the field simply ends on an
     * option boundary. Checked in {@link DhcpCodec#decode}, once per message.
     */
    MISSING_END,
    /**
     * Bytes other than PAD after the END option (RFC 2132 §3.1-3.2: only PAD may follow END). They
     * are ignored. Checked in {@link DhcpCodec#decode}, once per message; the zero padding every
     * BOOTP message carries up to 300 bytes is not a quirk.
     */
    DATA_AFTER_END,
    /**
     * A PXE client without option 93 (RFC 4578 §2.1, which PXE clients send): EDK2 stacks omit it,
     * and the architecture is read from the {@code Arch:xxxxx} field of the vendor class (option 60)
     * instead. Checked in {@code engine.Firmware.of}, counted when that field gave the architecture.
     */
    ARCH_FROM_VENDOR_CLASS,
    /**
     * A user class (option 77) that is the bare class name rather than RFC 3004 §4's list of
     * length-prefixed classes: iPXE sends {@code iPXE} so. Checked in {@code engine.Firmware.of},
     * counted when the bare form identified iPXE.
     */
    RAW_USER_CLASS,
    /**
     * A DECLINE or RELEASE without a server identifier (option 54), which RFC 2131 §4.3.3, §4.4.4
     * and §4.4.6 (table 5: "MUST") require. It is taken as meant for this server. Checked in
     * {@code engine.DhcpEngine} where DECLINE and RELEASE are matched to this server.
     */
    MISSING_SERVER_ID
}

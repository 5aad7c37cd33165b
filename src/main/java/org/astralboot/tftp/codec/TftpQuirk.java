package org.astralboot.tftp.codec;

/**
 * Client behaviours outside the letter of the RFCs that this server tolerates, each seen from a
 * real client. Each value is checked where its javadoc says and reported to a
 * {@link org.astralboot.net.QuirkSink} each time it is tolerated; {@code TftpService.quirks()}
 * counts them.
 */
public enum TftpQuirk {
    /**
     * A file name with one leading '/' ({@code /pxelinux.0}) means the TFTP root: many PXE configs
     * and tftp-hpa users write it so. RFC 1350 §5 gives the file name no directory semantics; here
     * it is a path relative to {@code tftp/}, so the '/' is stripped. Checked in
     * {@code TftpSession.resolve}, once per request; a second '/' is still an absolute path and
     * refused.
     */
    LEADING_SLASH,
    /**
     * curl (7.x, 8.x) aborts the transfer when an OACK carries {@code tsize 0}, so an empty file's
     * size is left out of the OACK (RFC 2349 §4 answers tsize with the size; RFC 2347 §2 lets a
     * server leave any option out). Checked in {@code TftpNegotiation.negotiate}, once per octet
     * request for an empty file that asks for tsize.
     */
    NO_ZERO_TSIZE,
    /**
     * NUL padding after the last option of a request or OACK (RFC 2347 §2 ends the packet with the
     * last value's NUL; some PXE ROMs pad). Checked in {@link TftpCodec#decode}, once per packet.
     */
    REQUEST_PADDING,
    /**
     * An ERROR without the NUL that ends its message (RFC 1350 §5): its meaning, "abort", is
     * clear, so the message ends at the packet's end. Checked in {@link TftpCodec#decode}.
     */
    UNTERMINATED_ERROR,
    /**
     * Bytes after the block number of an ACK (RFC 1350 §5: an ACK is 4 bytes) are ignored. Checked
     * in {@link TftpCodec#decode} and {@link TftpCodec#ackBlock}, the transfer's hot path.
     */
    ACK_TRAILER,
    /**
     * atftp aborts with "unexpected OACK" when it receives the OACK twice (RFC 1350 §2 expects a
     * peer to bear a duplicate), so a slow ACK 0 (RFC 2347 §2) must not be mistaken for a lost
     * one: the OACK is resent no sooner than {@code TftpTransfer.MIN_OACK_WAIT_MILLIS}. Checked in
     * {@code TftpTransfer.onAck}: counted when ACK 0 came after the unfloored timeout would already
     * have resent the OACK.
     */
    SLOW_ACK_OF_OACK,
    /**
     * atftp acknowledges a repeated block only once; while repeats keep arriving faster than its
     * own timeout it never acknowledges again (RFC 1350 §2 expects each duplicate to be
     * acknowledged). Retransmissions back off up to {@code TftpTransfer.MAX_BACKOFF_MILLIS} so its
     * timer fires (RFC 1123 §4.2.3.2). Checked in {@code TftpTransfer.onAck}: counted when a window
     * is acknowledged after two or more backed-off timeouts in a row.
     */
    SINGLE_REACK
}

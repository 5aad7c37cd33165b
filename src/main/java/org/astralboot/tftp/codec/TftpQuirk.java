package org.astralboot.tftp.codec;


/**
 * Client behaviours outside the letter of the RFCs that this server tolerates, each seen from a
 * real client. Listed in one place so they can be reviewed; each is applied where its javadoc says
 * and logged at debug level when it fires.
 */
public enum TftpQuirk {
    /**
     * A file name with one leading '/' ({@code /pxelinux.0}) means the TFTP root: many PXE
     * configs and tftp-hpa users write it so. Applied in {@code TftpSession.resolve}; a second
     * '/' is still an absolute path and refused.
     */
    LEADING_SLASH,
    /**
     * curl (7.x, 8.x) aborts the transfer when an OACK carries {@code tsize 0}, so an empty file's
     * size is left out of the OACK (RFC 2347 lets a server leave any option out). Applied in
     * {@code TftpNegotiation.negotiate}.
     */
    NO_ZERO_TSIZE,
    /** NUL padding after the last option of a request or OACK. Applied in {@link TftpCodec}. */
    REQUEST_PADDING,
    /** An ERROR without its terminating NUL: its meaning, "abort", is clear. Applied in {@link TftpCodec}. */
    UNTERMINATED_ERROR,
    /** Bytes after the block number of an ACK are ignored. Applied in {@link TftpCodec}. */
    ACK_TRAILER,
    /**
     * atftp aborts with "unexpected OACK" when it receives the OACK twice, so a slow ACK 0 must not
     * be mistaken for a lost one: the OACK is resent no sooner than
     * {@code TftpTransfer.MIN_OACK_WAIT_MILLIS}. Applied in {@code TftpTransfer}.
     */
    SLOW_ACK_OF_OACK,
    /**
     * atftp acknowledges a repeated block only once; while repeats keep arriving faster than its
     * own timeout it never acknowledges again. Retransmissions back off up to
     * {@code TftpTransfer.MAX_BACKOFF_MILLIS} so its timer fires. Applied in {@code TftpTransfer}.
     */
    SINGLE_REACK
}

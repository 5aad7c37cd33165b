package org.astralboot.tftp.engine;

import java.time.Duration;
import org.astralboot.tftp.codec.TftpPacket;

/**
 * What the server grants and how hard it tries: the settings of the engine, built from the
 * {@code [tftp]} config keys by the transport ({@code TftpService}), plus the protocol's fixed
 * bounds. The engine sees this record, never the whole config.
 *
 * @param maxBlksize     largest blksize granted (RFC 2348 allows 8-65464; clamp to the MTU)
 * @param maxWindowsize  largest windowsize granted (RFC 7440 allows 1-65535)
 * @param timeout        retransmission timeout when the client asks for none (RFC 2349)
 * @param retries        retransmissions of one window (or OACK) before the transfer is abandoned
 * @param ackSpinMicros  how long a transfer polls its socket for the ACK before sleeping in epoll
 * @param maxClientTimeout largest timeout a client may choose (RFC 2349); a larger request is declined
 * @param firstAckTimeout  longest wait, in all, for the client's first ACK: a request followed by
 *                         silence (a spoofed or hostile client) holds a transfer no longer than this
 */
public record TftpLimits(int maxBlksize, int maxWindowsize, Duration timeout, int retries, int ackSpinMicros,
        Duration maxClientTimeout, Duration firstAckTimeout) {
    /** RFC 2348 §2: smallest valid blksize. */
    public static final int MIN_BLKSIZE = 8;
    /** RFC 1350: block size when no blksize option is negotiated. */
    public static final int DEFAULT_BLKSIZE = 512;
    /** RFC 7440 §3: largest valid windowsize. */
    public static final int MAX_WINDOWSIZE_RFC = 65535;
    /**
     * Bytes one window may span. Bounds the memory a transfer holds for retransmission (stream
     * sources keep the unacknowledged window) whatever the config says.
     */
    public static final int MAX_WINDOW_BYTES = 1 << 20;
    /**
     * Blocks in flight stay below half the 16-bit block-number space, so an ACK number always
     * names exactly one block even across rollover.
     */
    public static final int MAX_WINDOW_BLOCKS = 32768;

    public TftpLimits {
        if (maxBlksize < MIN_BLKSIZE || maxBlksize > TftpPacket.MAX_BLKSIZE) {
            throw new IllegalArgumentException("max_blksize must be 8-65464, not " + maxBlksize);
        }
        if (maxWindowsize < 1 || maxWindowsize > MAX_WINDOWSIZE_RFC) {
            throw new IllegalArgumentException("max_windowsize must be 1-65535, not " + maxWindowsize);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
        if (ackSpinMicros < 0) {
            throw new IllegalArgumentException("ack_spin_us must not be negative");
        }
        if (maxClientTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("max_client_timeout must be at least 1 s");
        }
        if (firstAckTimeout.isNegative() || firstAckTimeout.isZero()) {
            throw new IllegalArgumentException("first_ack_timeout must be positive");
        }
    }
}

/**
 * Read-only TFTP server (RFC 1350) with option negotiation (RFC 2347), blksize (RFC 2348), tsize and
 * timeout (RFC 2349) and windowsize (RFC 7440), serving {@code tftp/} of the boot tree.
 *
 * <p>Three layers, as in {@code org.astralboot.dhcp}:
 * <ul>
 *   <li>{@link org.astralboot.tftp.codec}: {@link org.astralboot.tftp.codec.TftpPacket} records and
 *       {@link org.astralboot.tftp.codec.TftpCodec}, bytes to records and back, no I/O; malformed input
 *       raises only {@link org.astralboot.tftp.codec.TftpCodecException}; netascii conversion of a
 *       byte stream;</li>
 *   <li>{@link org.astralboot.tftp.engine}: {@link org.astralboot.tftp.engine.TftpNegotiation} and the
 *       per-transfer state machine {@link org.astralboot.tftp.engine.TftpTransfer}, pure decisions on
 *       an injected clock, configured by {@link org.astralboot.tftp.engine.TftpLimits} (never the whole
 *       config);</li>
 *   <li>transport, this package: {@link org.astralboot.tftp.TftpService} (listener, admission,
 *       building the limits from the config) and one {@code TftpSession} per transfer on its own port
 *       (the socket loop), reading blocks from the boot store with bounded memory through the block
 *       sources.</li>
 * </ul>
 * Codecs and engines import no Netty, no {@code java.nio.channels} and nothing of the config.
 * Every failure is a {@link org.astralboot.tftp.codec.TftpException} carrying the ERROR code and
 * message the client receives.
 */
package org.astralboot.tftp;

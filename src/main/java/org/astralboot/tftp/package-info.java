/**
 * Read-only TFTP server (RFC 1350) with option negotiation (RFC 2347), blksize (RFC 2348), tsize and
 * timeout (RFC 2349) and windowsize (RFC 7440), serving {@code tftp/} of the boot tree.
 *
 * <p>Three layers:
 * <ul>
 *   <li>codec: {@link org.astralboot.tftp.TftpPacket} records and {@link org.astralboot.tftp.TftpCodec},
 *       bytes to records and back, no I/O; malformed input raises only
 *       {@link org.astralboot.tftp.TftpCodecException};</li>
 *   <li>engine: {@link org.astralboot.tftp.TftpNegotiation} and the per-transfer state machine
 *       {@link org.astralboot.tftp.TftpTransfer}, pure decisions on an injected clock;</li>
 *   <li>transport: {@link org.astralboot.tftp.TftpService} (listener, limits, timers) and one
 *       {@code TftpSession} per transfer on its own port, reading blocks from the boot store
 *       with bounded memory.</li>
 * </ul>
 * Every failure is a {@link org.astralboot.tftp.TftpException} carrying the ERROR code and message
 * the client receives.
 */
package org.astralboot.tftp;

package org.astralboot.tftp.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astralboot.net.QuirkSink;
import org.astralboot.tftp.codec.TftpCodec;
import org.astralboot.tftp.codec.TftpErrorCode;
import org.astralboot.tftp.codec.TftpException;
import org.astralboot.tftp.codec.TftpMode;
import org.astralboot.tftp.codec.TftpOption;
import org.astralboot.tftp.codec.TftpPacket;
import org.astralboot.tftp.codec.TftpQuirk;

/**
 * The outcome of option negotiation for one read request (RFC 2347 §2-3): the parameters of the
 * transfer and the OACK to send, if any option was accepted.
 *
 * @param blksize      DATA payload size (RFC 2348)
 * @param windowsize   blocks sent per ACK (RFC 7440); 1 is RFC 1350 lock-step
 * @param timeoutMillis retransmission timeout (RFC 2349 timeout, or the configured default)
 * @param fixedTimeout  true when the client chose the timeout (RFC 2349): it is then used as is;
 *                      the configured default backs off instead (RFC 1123 §4.2.3.2)
 * @param oack         the option acknowledgement, empty when no option was accepted (then the
 *                     first DATA block answers the request, RFC 2347 §3)
 */
public record TftpNegotiation(int blksize, int windowsize, long timeoutMillis, boolean fixedTimeout,
        Optional<TftpPacket.Oack> oack) {

    /**
     * Negotiates the options of {@code rrq} for a file of {@code size} bytes.
     * <ul>
     *   <li>blksize: 8-65464, granted up to {@link TftpLimits#maxBlksize()} (RFC 2348 lets the
     *       server answer a smaller value).</li>
     *   <li>tsize: answered with the real size in octet mode (RFC 2349 §3); not acknowledged in
     *       netascii mode, where the transferred size differs from the file's, nor for an empty
     *       file (curl refuses an OACK carrying tsize 0).</li>
     *   <li>timeout: 1-255 seconds, echoed unchanged and used (RFC 2349 §2) up to
     *       {@link TftpLimits#maxClientTimeout()}; a longer one is declined: left out of the OACK,
     *       the server's own timeout applies.</li>
     *   <li>windowsize: 1-65535, granted up to {@link TftpLimits#maxWindowsize()} and to what
     *       {@link TftpLimits#MAX_WINDOW_BYTES} allows at the granted blksize (RFC 7440 §3).</li>
     *   <li>Unknown options are ignored, as RFC 2347 §3 requires.</li>
     * </ul>
     *
     * @throws TftpException ERROR 8 for a value that is not a number or is outside its RFC range
     */
    public static TftpNegotiation negotiate(TftpPacket.Rrq rrq, long size, TftpLimits limits) throws TftpException {
        return negotiate(rrq, size, limits, QuirkSink.none());
    }

    /**
     * As {@link #negotiate(TftpPacket.Rrq, long, TftpLimits)}, reporting
     * {@link TftpQuirk#NO_ZERO_TSIZE} to {@code quirks} when it leaves an empty file's tsize out.
     */
    public static TftpNegotiation negotiate(TftpPacket.Rrq rrq, long size, TftpLimits limits,
            QuirkSink<TftpQuirk> quirks) throws TftpException {
        int blksize = TftpLimits.DEFAULT_BLKSIZE;
        int windowsize = 1;
        long timeoutMillis = limits.timeout().toMillis();
        boolean fixedTimeout = false;
        boolean zeroTsize = false;
        List<TftpOption> ack = new ArrayList<>();
        // blksize first: the window cap depends on it.
        Optional<TftpOption> b = rrq.option("blksize");
        if (b.isPresent()) {
            long v = number(b.get(), TftpLimits.MIN_BLKSIZE, Long.MAX_VALUE, "8-65464");
            blksize = (int) Math.min(v, Math.min(limits.maxBlksize(), TftpPacket.MAX_BLKSIZE));
        }
        for (TftpOption o : rrq.options()) {
            switch (o.key()) {
                case "blksize" -> ack.add(new TftpOption(o.name(), Integer.toString(blksize)));
                case "tsize" -> {
                    number(o, 0, Long.MAX_VALUE, "0 or more");
                    // Quirk: curl (7.x, 8.x) aborts on "tsize 0" in an OACK, so an empty file's
                    // size is left unsaid; RFC 2347 lets a server leave any option out.
                    if (rrq.mode() == TftpMode.OCTET && size > 0) {
                        ack.add(new TftpOption(o.name(), Long.toString(size)));
                    } else if (rrq.mode() == TftpMode.OCTET) {
                        zeroTsize = true;
                    }
                }
                case "timeout" -> {
                    long v = number(o, 1, 255, "1-255 seconds");
                    // RFC 2349 §2: a server that does not accept the value leaves the option out of
                    // the OACK and keeps its own timeout. A long one would let a silent client hold a
                    // transfer for retries x 255 s.
                    if (v * 1000 <= limits.maxClientTimeout().toMillis()) {
                        timeoutMillis = v * 1000;
                        fixedTimeout = true;
                        ack.add(new TftpOption(o.name(), Long.toString(v)));
                    }
                }
                case "windowsize" -> {
                    long v = number(o, 1, TftpLimits.MAX_WINDOWSIZE_RFC, "1-65535");
                    int byBytes = Math.max(1, TftpLimits.MAX_WINDOW_BYTES / blksize);
                    windowsize = (int) Math.min(v, Math.min(limits.maxWindowsize(),
                            Math.min(byBytes, TftpLimits.MAX_WINDOW_BLOCKS)));
                    ack.add(new TftpOption(o.name(), Integer.toString(windowsize)));
                }
                default -> {
                    // RFC 2347 §3: options the server does not support are left out of the OACK.
                }
            }
        }
        if (zeroTsize) { // reported only once the whole request was accepted
            quirks.tolerated(TftpQuirk.NO_ZERO_TSIZE);
        }
        Optional<TftpPacket.Oack> oack = ack.isEmpty() ? Optional.empty() : Optional.of(new TftpPacket.Oack(ack));
        return new TftpNegotiation(blksize, windowsize, timeoutMillis, fixedTimeout, oack);
    }

    private static long number(TftpOption o, long min, long max, String range) throws TftpException {
        String v = o.value();
        boolean digits = !v.isEmpty() && v.length() <= 18;
        for (int i = 0; digits && i < v.length(); i++) {
            digits = v.charAt(i) >= '0' && v.charAt(i) <= '9';
        }
        if (!digits) {
            throw new TftpException(TftpErrorCode.OPTION_REFUSED,
                    "option " + TftpCodec.printable(o.name()) + " value '" + TftpCodec.printable(v) + "' is not a number");
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            throw new TftpException(TftpErrorCode.OPTION_REFUSED,
                    "option " + TftpCodec.printable(o.name()) + " " + n + " outside " + range);
        }
        return n;
    }
}

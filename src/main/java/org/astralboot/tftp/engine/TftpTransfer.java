package org.astralboot.tftp.engine;

import java.time.Clock;
import org.astralboot.net.QuirkSink;
import org.astralboot.tftp.codec.TftpCodec;
import org.astralboot.tftp.codec.TftpCodecException;
import org.astralboot.tftp.codec.TftpErrorCode;
import org.astralboot.tftp.codec.TftpPacket;
import org.astralboot.tftp.codec.TftpQuirk;

/**
 * The sending side of one read transfer as a pure state machine: it decides what to send and
 * when, and never touches a socket or a file. Time comes from the injected {@link Clock}; the
 * transport calls {@link #onTimeout()} once {@link #deadline()} has passed.
 *
 * <p>Blocks are numbered by a 0-based {@code long} index; the wire block number is
 * {@code (index + 1) mod 65536}, so after 65535 comes 0 and files of any size can be sent
 * (the rollover every common client expects; RFC 1350 itself stops at 65535 blocks).
 *
 * <p>Rules:
 * <ul>
 *   <li>With an OACK, data starts after ACK 0 (RFC 2347 §2).</li>
 *   <li>A window of {@code windowsize} blocks is sent back to back; an ACK of block k makes the
 *       next window start at k+1, so an ACK inside the window (the receiver saw a gap) resends
 *       from there (RFC 7440 §4). With windowsize 1 this is RFC 1350 lock-step.</li>
 *   <li>An ACK of a block that was already acknowledged is ignored: answering duplicates is the
 *       Sorcerer's Apprentice bug (RFC 1123 §4.2.3.1). Only a timeout retransmits.</li>
 *   <li>A timeout resends the OACK or the unacknowledged window, at most {@code retries} times in
 *       a row; then the transfer ends with ERROR 0. Unless the client chose the timeout (RFC 2349),
 *       the timeout adapts to the measured round trip (RFC 1123 §4.2.3.2 asks for an adaptive
 *       timeout; the estimator is RFC 6298's, sampled only from windows sent once, bounded by
 *       {@link #MIN_RTO_MILLIS} and the configured timeout), so a window whose tail was lost is
 *       resent after milliseconds rather than a second. The OACK waits the configured timeout, and
 *       at least {@link #MIN_OACK_WAIT_MILLIS}: a resent OACK makes atftp abort. The wait doubles after each timeout, up
 *       to {@link #MAX_BACKOFF_MILLIS}: the later, longer gaps let a client's own timer fire. atftp needs that: it acknowledges a repeated block only once, and while
 *       repeats keep arriving faster than its timeout (5 s by default) it never acknowledges again.
 *       The doubled wait stays in force after progress until a window sent only once is acknowledged
 *       (Karn's algorithm, RFC 6298 §5.7): a client that became slower than the timeout would otherwise
 *       get every window twice, since the ACK of a resent window gives no sample to raise it.</li>
 *   <li>The client's first ACK (of the OACK, or of block 1 without options) must come within
 *       {@code firstAckMillis} of {@link #begin()}, retries or not; then the transfer ends with
 *       ERROR 0. A request from a forged or hostile source followed by silence thus holds a
 *       transfer for seconds, not for {@code retries} x its timeout.</li>
 *   <li>The file ends with a block shorter than blksize, empty if the size is a multiple of it
 *       (RFC 1350 §6); the ACK of that block completes the transfer.</li>
 *   <li>A repeated request from the client (same address and port) before anything was
 *       acknowledged resends the OACK or the first window at once: the client lost our answer
 *       (RFC 1350 §2: the requester retransmits its request; its retransmission is the fastest
 *       signal of that). Each such resend spends one of the {@code retries}, like a timeout, and
 *       the first-ACK limit still holds: repeating the request never holds a transfer longer or
 *       draws more packets than silence would. Without a retry left, a repeat is ignored.</li>
 *   <li>A request from the client's TID that is not a repeat (another file, mode or options; or
 *       any request once every block is sent and something acknowledged) starts a new
 *       conversation: this transfer ends silently ({@link #onSuperseded()}), since anything it still
 *       sent would reach the new one. Firmware that reuses its UDP port for the next file, or a
 *       client whose final ACK was lost and whose port a new process took, looks like this
 *       (RFC 1350 §4: a TID pair identifies a transfer only while it lasts).</li>
 *   <li>An ERROR from the client (8 included: it refused the OACK) ends the transfer without a reply
 *       (RFC 1350 §7). Any other packet type from the client is an illegal operation.</li>
 * </ul>
 */
public final class TftpTransfer {

    /** How a transfer ended. */
    public enum Outcome {
        /** The client acknowledged the last block. */
        COMPLETE,
        /** The client sent ERROR 8: it refused our OACK (RFC 2347 §2). */
        OPTIONS_REJECTED,
        /** The client sent another ERROR. */
        CLIENT_ERROR,
        /** No ACK after the last retry. */
        TIMED_OUT,
        /** The client sent a packet that has no place in a read transfer. */
        PROTOCOL_ERROR,
        /** Reading the file failed. */
        SOURCE_ERROR,
        /**
         * The client's address and port sent a new request, so this conversation is over: see
         * {@link TftpTransfer#takesRepeatedRequest(boolean)}.
         */
        SUPERSEDED
    }

    /** What the transport must do next. */
    public sealed interface Step {
        /** (Re)send the OACK. */
        record SendOack() implements Step {
        }

        /**
         * Send blocks {@code first} .. {@code first + count - 1}, stopping early after a block
         * shorter than blksize (then report it with {@link TftpTransfer#endsAt(long)}).
         */
        record SendBlocks(long first, int count) implements Step {
        }

        /** Nothing to send; keep waiting until {@link TftpTransfer#deadline()}. */
        record Wait() implements Step {
        }

        /** The transfer is over; send {@code reply} first when it is not {@code null}. */
        record Finish(Outcome outcome, String detail, TftpPacket.Error reply) implements Step {
        }
    }

    /**
     * The OACK is resent no sooner than this: atftp aborts on a second OACK, so a slow ACK 0 (a
     * busy client) must not be mistaken for a lost one.
     */
    static final long MIN_OACK_WAIT_MILLIS = 2000;
    /** Floor of the adaptive retransmission timeout. */
    static final long MIN_RTO_MILLIS = 50;
    /** Backoff stops doubling here (or at the configured timeout, if that is longer). */
    static final long MAX_BACKOFF_MILLIS = 8000;
    private static final Step.Wait WAIT = new Step.Wait();
    private static final Step.SendOack SEND_OACK = new Step.SendOack();

    private final TftpNegotiation negotiation;
    private final int retries;
    private final long firstAckMillis;
    private final Clock clock;
    private final QuirkSink<TftpQuirk> quirks;

    private long lastAcked = -1;
    private long nextToSend;
    /** Index of the final (short) block, {@link Long#MAX_VALUE} until known. */
    private long lastIndex;
    private boolean oackPending;
    private boolean finished;
    private int retriesLeft;
    private long deadline;
    /** Clock millis by which the first ACK must have come. */
    private long firstAckDeadline = Long.MAX_VALUE;
    private long retransmissions;
    /** Resends that answered a repeated request. */
    private long repeatsAnswered;
    /**
     * Doublings of the wait in force: one more at each timeout; back to 0 only when a window sent
     * once is acknowledged (Karn, RFC 6298 §5.7), or the OACK is.
     */
    private int backoffs;
    /** Timeouts since the last progress. */
    private int timeoutsInARow;
    /** The code of the ERROR that ended the transfer, sent or received; -1 while none. */
    private int errorCode = -1;
    /** RFC 6298 state, in milliseconds; srtt < 0 until the first sample. */
    private long srtt = -1;
    private long rttvar;
    private long rto;
    private long windowSentAt;
    private boolean windowResent;
    /**
     * Clock millis from which an ACK 0 is later than the OACK timeout would be without
     * {@link #MIN_OACK_WAIT_MILLIS}: then the floor spared a second OACK
     * ({@link TftpQuirk#SLOW_ACK_OF_OACK}). {@link Long#MAX_VALUE} when the floor changes nothing.
     */
    private long oackFloorFrom = Long.MAX_VALUE;

    /**
     * @param size    the number of bytes to send, or -1 when unknown until the source ends
     *                (netascii conversion); see {@link #endsAt(long)}
     * @param retries retransmissions of one window before giving up
     * @param firstAckMillis longest wait in all for the client's first ACK
     */
    public TftpTransfer(TftpNegotiation negotiation, long size, int retries, long firstAckMillis, Clock clock) {
        this(negotiation, size, retries, firstAckMillis, clock, QuirkSink.none());
    }

    /**
     * As {@link #TftpTransfer(TftpNegotiation, long, int, long, Clock)}, reporting
     * {@link TftpQuirk#SLOW_ACK_OF_OACK} and {@link TftpQuirk#SINGLE_REACK} to {@code quirks}.
     */
    public TftpTransfer(TftpNegotiation negotiation, long size, int retries, long firstAckMillis, Clock clock,
            QuirkSink<TftpQuirk> quirks) {
        if (firstAckMillis <= 0) {
            throw new IllegalArgumentException("firstAckMillis must be positive");
        }
        this.negotiation = negotiation;
        this.retries = retries;
        this.firstAckMillis = firstAckMillis;
        this.clock = clock;
        this.quirks = quirks;
        this.retriesLeft = retries;
        this.lastIndex = size < 0 ? Long.MAX_VALUE : size / negotiation.blksize();
        this.rto = negotiation.timeoutMillis();
    }

    /** The wire block number of block {@code index} ({@code -1} gives 0, the OACK's ACK). */
    public static int wireBlock(long index) {
        return (int) ((index + 1) & 0xFFFF);
    }

    /** The first step: the OACK, or the first window when no option was accepted. */
    public Step begin() {
        long now = clock.millis();
        firstAckDeadline = now > Long.MAX_VALUE - firstAckMillis ? Long.MAX_VALUE : now + firstAckMillis;
        if (negotiation.oack().isPresent()) {
            oackPending = true;
            arm();
            return SEND_OACK;
        }
        return sendFrom(0);
    }

    /** Dispatches a packet that came from the client's TID. */
    public Step onPacket(TftpPacket p) {
        return switch (p) {
            case TftpPacket.Ack a -> onAck(a.block());
            case TftpPacket.Error e -> onError(e);
            default -> finish(Outcome.PROTOCOL_ERROR, p.opcode() + " during a read transfer",
                    new TftpPacket.Error(TftpErrorCode.ILLEGAL_OPERATION,
                            "illegal TFTP operation: " + p.opcode() + " during a read transfer"));
        };
    }

    /** An ACK with wire block number {@code block}. */
    public Step onAck(int block) {
        if (finished) {
            return WAIT;
        }
        if (oackPending) {
            if (block != 0) {
                return WAIT; // stray; the OACK timeout covers a lost ACK 0
            }
            if (clock.millis() >= oackFloorFrom) {
                quirks.tolerated(TftpQuirk.SLOW_ACK_OF_OACK);
            }
            oackPending = false;
            retriesLeft = retries;
            timeoutsInARow = 0;
            backoffs = 0; // the OACK's wait has its own base; the data starts from the round-trip estimate
            return sendFrom(0);
        }
        int delta = (block - wireBlock(lastAcked)) & 0xFFFF;
        if (delta == 0) {
            return WAIT; // duplicate ACK: never answered (Sorcerer's Apprentice)
        }
        long acked = lastAcked + delta;
        if (acked >= nextToSend) {
            return WAIT; // not sent yet, or an old ACK from before a rollover
        }
        lastAcked = acked;
        if (timeoutsInARow >= 2 && !negotiation.fixedTimeout()) {
            quirks.tolerated(TftpQuirk.SINGLE_REACK); // progress only after the backoff let the client's timer fire
        }
        timeoutsInARow = 0;
        retriesLeft = retries;
        if (!windowResent) {
            sample(clock.millis() - windowSentAt); // Karn: never from a resent window
            backoffs = 0; // a valid sample: the estimate holds again
        }
        windowResent = false;
        if (acked >= lastIndex) {
            return finish(Outcome.COMPLETE, "complete", null);
        }
        return sendFrom(acked + 1);
    }

    /**
     * The client sent its read request again (same TID): it has not seen our first answer, so the
     * OACK or the first window is resent now rather than at the timeout. Once the client has
     * acknowledged anything, a repeated request is a stale duplicate and changes nothing. The resend
     * spends a retry (and is a {@link #repeatsAnswered()}, not a timeout); with none left the repeat
     * is ignored and the timer ends the transfer. The first-ACK deadline is never moved.
     */
    public Step onRequestRepeated() {
        if (finished || !awaitingFirstAck()) {
            return WAIT; // the client has acknowledged something: this request is an old copy
        }
        if (retriesLeft == 0) {
            return WAIT; // the budget is spent: a client repeating its request gets no more than a silent one
        }
        retriesLeft--;
        repeatsAnswered++;
        if (oackPending) {
            arm();
            return SEND_OACK;
        }
        windowResent = true; // its ACK may answer either copy: no round-trip sample (Karn)
        return sendFrom(0);
    }

    /**
     * Whether a request identical to this transfer's, from the same TID, is a copy of it (to be
     * answered by {@link #onRequestRepeated()}) rather than a new conversation. It is not once every
     * block has been sent and the client has acknowledged something: a client copies its request only
     * until our first answer reaches it, and its later ACKs arrive after those copies, so a request
     * now comes from a client that has (nearly) the whole file and started over, or from a new
     * process that got the port of one that has gone. Serving it at once matters: the old transfer
     * would keep resending its final block to that port, and the new client takes the first DATA it
     * gets for its own.
     *
     * @param sameRequest the new request names the same file, mode and options
     */
    public boolean takesRepeatedRequest(boolean sameRequest) {
        return sameRequest && !finished && (awaitingFirstAck() || !allSent());
    }

    /**
     * A new request came from the client's TID: the transfer ends without a reply (an ERROR would
     * reach the new conversation). {@link Outcome#SUPERSEDED}; the detail says whether every block
     * had been sent.
     */
    public Step onSuperseded() {
        if (finished) {
            return WAIT;
        }
        return finish(Outcome.SUPERSEDED, "a new request from the client's port; " + (allSent()
                ? "every block sent, the final ACK not seen" : (lastAcked + 1) + " blocks acknowledged"), null);
    }

    /** Whether every block has been sent at least once (the final one included). */
    public boolean allSent() {
        return lastIndex != Long.MAX_VALUE && nextToSend > lastIndex;
    }

    /** An ERROR from the client ends the transfer; nothing is sent back (RFC 1350 §7). */
    public Step onError(TftpPacket.Error e) {
        if (finished) {
            return WAIT;
        }
        Outcome o = e.errorCode() == TftpErrorCode.OPTION_REFUSED ? Outcome.OPTIONS_REJECTED : Outcome.CLIENT_ERROR;
        errorCode = e.code();
        return finish(o, "client sent ERROR " + e.code() + " '" + TftpCodec.printable(e.message()) + "'", null);
    }

    /** A malformed datagram from the client's TID. */
    public Step onMalformed(TftpCodecException e) {
        if (finished) {
            return WAIT;
        }
        return finish(Outcome.PROTOCOL_ERROR, e.getMessage(),
                new TftpPacket.Error(TftpErrorCode.ILLEGAL_OPERATION, "illegal TFTP operation: " + e.getMessage()));
    }

    /** Reading the file failed: ERROR 0 with {@code message}. */
    public Step onSourceError(String message) {
        return finish(Outcome.SOURCE_ERROR, message, new TftpPacket.Error(TftpErrorCode.NOT_DEFINED, message));
    }

    /** Called once {@link #deadline()} has passed without progress. */
    public Step onTimeout() {
        if (finished) {
            return WAIT;
        }
        if (clock.millis() < deadline) {
            return WAIT;
        }
        if (awaitingFirstAck() && clock.millis() >= firstAckDeadline) {
            String what = oackPending ? "ACK of the OACK" : "ACK of block 1";
            return finish(Outcome.TIMED_OUT, "no " + what + " within " + firstAckMillis + " ms",
                    new TftpPacket.Error(TftpErrorCode.NOT_DEFINED, "timed out waiting for " + what));
        }
        if (retriesLeft == 0) {
            String what = oackPending ? "ACK of the OACK" : "ACK of block " + wireBlock(lastAcked + 1);
            return finish(Outcome.TIMED_OUT, "no " + what + " after " + retries + " retries",
                    new TftpPacket.Error(TftpErrorCode.NOT_DEFINED, "timed out waiting for " + what));
        }
        retriesLeft--;
        retransmissions++;
        timeoutsInARow++;
        if (backoffs < 20) {
            backoffs++;
        }
        if (oackPending) {
            arm();
            return SEND_OACK;
        }
        windowResent = true;
        return sendFrom(lastAcked + 1);
    }

    /** The transport found that block {@code index} is the final, short one. */
    public void endsAt(long index) {
        if (index < lastIndex) {
            lastIndex = index;
        }
        if (nextToSend > index + 1) {
            nextToSend = index + 1;
        }
    }

    private Step sendFrom(long first) {
        // lastIndex is Long.MAX_VALUE while the end is unknown: compare before adding 1.
        long left = lastIndex - first;
        long count = left < negotiation.windowsize() ? left + 1 : negotiation.windowsize();
        nextToSend = first + count;
        windowSentAt = clock.millis();
        arm();
        return new Step.SendBlocks(first, (int) count);
    }

    private void arm() {
        int doublings = backoffs;
        long configured = negotiation.timeoutMillis();
        long wait;
        if (negotiation.fixedTimeout()) {
            wait = configured;
        } else {
            long base = oackPending ? Math.max(configured, MIN_OACK_WAIT_MILLIS) : rto;
            wait = Math.min(base << doublings, Math.max(configured, MAX_BACKOFF_MILLIS));
        }
        deadline = clock.millis() + wait;
        if (oackPending && !negotiation.fixedTimeout() && configured < MIN_OACK_WAIT_MILLIS) {
            long unfloored = Math.min(configured << doublings, Math.max(configured, MAX_BACKOFF_MILLIS));
            oackFloorFrom = unfloored < wait ? clock.millis() + unfloored : Long.MAX_VALUE;
        }
        if (awaitingFirstAck() && deadline > firstAckDeadline) {
            deadline = firstAckDeadline;
        }
    }

    /** Nothing acknowledged yet: neither the OACK nor block 1. */
    private boolean awaitingFirstAck() {
        return oackPending || (lastAcked < 0 && negotiation.oack().isEmpty());
    }

    /** RFC 6298 §2: smoothed round trip and variance, then RTO = SRTT + 4 RTTVAR, bounded. */
    private void sample(long r) {
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = Math.max(MIN_RTO_MILLIS, Math.min(negotiation.timeoutMillis(), srtt + Math.max(1, 4 * rttvar)));
    }

    /** The current adaptive retransmission timeout in milliseconds. */
    public long rto() {
        return rto;
    }

    private Step finish(Outcome o, String detail, TftpPacket.Error reply) {
        finished = true;
        if (reply != null) {
            errorCode = reply.code();
        }
        return new Step.Finish(o, detail, reply);
    }

    /** Clock millis at which {@link #onTimeout()} is due. */
    public long deadline() {
        return deadline;
    }

    public boolean finished() {
        return finished;
    }

    /** Blocks acknowledged so far. */
    public long blocksAcked() {
        return lastAcked + 1;
    }

    /**
     * The TFTP error code (RFC 1350 §5) of the ERROR packet that ended the transfer, whether this
     * side sent it (time-out, protocol error, source error) or the client did; -1 when the
     * transfer has not ended with one.
     */
    public int errorCode() {
        return errorCode;
    }

    /** Timeouts that caused a resend. */
    public long retransmissions() {
        return retransmissions;
    }

    /** Resends of the first answer because the client repeated its request ({@link #onRequestRepeated()}). */
    public long repeatsAnswered() {
        return repeatsAnswered;
    }

    public TftpNegotiation negotiation() {
        return negotiation;
    }
}

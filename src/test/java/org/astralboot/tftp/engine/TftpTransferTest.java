package org.astralboot.tftp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.astralboot.testing.ManualClock;
import org.astralboot.tftp.codec.TftpCodecException;
import org.astralboot.tftp.codec.TftpErrorCode;
import org.astralboot.tftp.codec.TftpOption;
import org.astralboot.tftp.codec.TftpPacket;
import org.astralboot.tftp.engine.TftpTransfer.Outcome;
import org.astralboot.tftp.engine.TftpTransfer.Step;
import org.junit.jupiter.api.Test;

class TftpTransferTest {
    /** The wait for a first ACK: longer than any step these tests take. */
    static final long FIRST_ACK_MILLIS = 5_000;

    final ManualClock clock = new ManualClock(1_000_000);

    static TftpNegotiation neg(int blksize, int window, boolean oack) {
        return new TftpNegotiation(blksize, window, 1000, true,
                oack ? Optional.of(new TftpPacket.Oack(List.of(new TftpOption("blksize", "" + blksize)))) : Optional.empty());
    }

    static Step.SendBlocks blocks(long first, int count) {
        return new Step.SendBlocks(first, count);
    }

    @Test
    void lockStepWithoutOptions() {
        TftpTransfer t = new TftpTransfer(neg(512, 1, false), 1100, 5, FIRST_ACK_MILLIS, clock);
        assertEquals(blocks(0, 1), t.begin());
        assertEquals(blocks(1, 1), t.onAck(1));
        assertEquals(blocks(2, 1), t.onAck(2));
        Step.Finish f = assertInstanceOf(Step.Finish.class, t.onAck(3));
        assertEquals(Outcome.COMPLETE, f.outcome());
        assertNull(f.reply());
        assertTrue(t.finished());
    }

    @Test
    void sizeMultipleOfBlksizeEndsWithAnEmptyBlock() {
        TftpTransfer t = new TftpTransfer(neg(512, 1, false), 1024, 5, FIRST_ACK_MILLIS, clock);
        t.begin();
        t.onAck(1);
        assertEquals(blocks(2, 1), t.onAck(2)); // block 3, 0 bytes
        assertEquals(Outcome.COMPLETE, ((Step.Finish) t.onAck(3)).outcome());
    }

    @Test
    void emptyFileIsOneEmptyBlock() {
        TftpTransfer t = new TftpTransfer(neg(512, 4, true), 0, 5, FIRST_ACK_MILLIS, clock);
        assertInstanceOf(Step.SendOack.class, t.begin());
        assertEquals(blocks(0, 1), t.onAck(0));
        assertEquals(Outcome.COMPLETE, ((Step.Finish) t.onAck(1)).outcome());
    }

    @Test
    void oackThenDataAfterAck0AndOackResentOnTimeout() {
        TftpTransfer t = new TftpTransfer(neg(1468, 1, true), 5000, 2, FIRST_ACK_MILLIS, clock);
        assertInstanceOf(Step.SendOack.class, t.begin());
        assertInstanceOf(Step.Wait.class, t.onAck(3)); // stray ACK while waiting for ACK 0
        clock.advance(999);
        assertInstanceOf(Step.Wait.class, t.onTimeout());
        clock.advance(1);
        assertInstanceOf(Step.SendOack.class, t.onTimeout());
        assertEquals(blocks(0, 1), t.onAck(0));
    }

    @Test
    void aRepeatedRequestResendsTheFirstAnswerOnlyBeforeAnyAck() {
        TftpTransfer t = new TftpTransfer(neg(1468, 4, true), 100_000, 5, FIRST_ACK_MILLIS, clock);
        assertInstanceOf(Step.SendOack.class, t.begin());
        assertInstanceOf(Step.SendOack.class, t.onRequestRepeated());
        assertEquals(blocks(0, 4), t.onAck(0));
        assertInstanceOf(Step.Wait.class, t.onRequestRepeated()); // ACK 0 came: an old copy
        assertEquals(blocks(4, 4), t.onAck(4));
        assertInstanceOf(Step.Wait.class, t.onRequestRepeated()); // a stale duplicate by now
        TftpTransfer u = new TftpTransfer(neg(512, 1, false), 5000, 5, FIRST_ACK_MILLIS, clock);
        assertEquals(blocks(0, 1), u.begin());
        assertEquals(blocks(0, 1), u.onRequestRepeated());
        assertEquals(0, u.retransmissions());
    }

    /**
     * RFC 1350 §2 / RFC 2347: a client that lost our first answer repeats its request. Each repeat
     * resends that answer at once, but spends a retry like a timeout would: a client that keeps
     * repeating gets no more packets, and holds the transfer no longer, than a silent one.
     */
    @Test
    void aRequestIsARepeatUntilEveryBlockIsSentAndSomethingAcknowledged() {
        TftpTransfer t = new TftpTransfer(neg(512, 1, false), 1100, 5, FIRST_ACK_MILLIS, clock);
        t.begin();
        assertTrue(t.takesRepeatedRequest(true), "before any ACK: the client lost our first answer");
        assertFalse(t.takesRepeatedRequest(false), "another file, mode or options is a new conversation");
        t.onAck(1);
        assertTrue(t.takesRepeatedRequest(true), "mid-transfer: a copy delayed in transit");
        assertEquals(blocks(2, 1), t.onAck(2)); // the final, short block
        assertTrue(t.allSent());
        assertFalse(t.takesRepeatedRequest(true),
                "the client has (nearly) the whole file and asks again, or its port is a new client's");

        TftpTransfer w = new TftpTransfer(neg(512, 4, false), 1100, 5, FIRST_ACK_MILLIS, clock);
        w.begin(); // the whole file in the first window
        assertTrue(w.allSent());
        assertTrue(w.takesRepeatedRequest(true), "nothing acknowledged: the first answer was lost");
    }

    @Test
    void aSupersededTransferEndsSilently() {
        TftpTransfer t = new TftpTransfer(neg(512, 1, false), 1100, 5, FIRST_ACK_MILLIS, clock);
        t.begin();
        t.onAck(1);
        Step.Finish f = assertInstanceOf(Step.Finish.class, t.onSuperseded());
        assertEquals(Outcome.SUPERSEDED, f.outcome());
        assertNull(f.reply(), "an ERROR would reach the new conversation on the same port");
        assertTrue(f.detail().contains("1 blocks acknowledged"), f.detail());
        assertFalse(t.allSent());
        assertInstanceOf(Step.Wait.class, t.onSuperseded());
        assertFalse(t.takesRepeatedRequest(true));

        TftpTransfer u = new TftpTransfer(neg(512, 4, false), 1100, 5, FIRST_ACK_MILLIS, clock);
        u.begin(); // the whole file in the first window
        u.onAck(1);
        assertTrue(u.allSent());
        assertTrue(((Step.Finish) u.onSuperseded()).detail().contains("final ACK not seen"));
    }

    @Test
    void repeatedRequestsSpendTheRetryBudgetAndNeverMoveTheFirstAckDeadline() {
        long start = clock.millis();
        TftpTransfer t = new TftpTransfer(neg(512, 1, false), 5000, 2, FIRST_ACK_MILLIS, clock);
        assertEquals(blocks(0, 1), t.begin());
        assertEquals(blocks(0, 1), t.onRequestRepeated());
        clock.advance(10);
        assertEquals(blocks(0, 1), t.onRequestRepeated());
        clock.advance(10);
        assertInstanceOf(Step.Wait.class, t.onRequestRepeated(), "no retry left: the repeat is not answered");
        assertEquals(2, t.repeatsAnswered());
        assertEquals(0, t.retransmissions(), "a repeat is no timeout");
        // No retry left either for the timer: the transfer ends at the next deadline.
        clock.advance(t.deadline() - clock.millis());
        assertEquals(Outcome.TIMED_OUT, assertInstanceOf(Step.Finish.class, t.onTimeout()).outcome());

        // With options: the OACK is resent, and repeats right before the first-ACK limit do not move it.
        TftpTransfer u = new TftpTransfer(neg(1468, 4, true), 100_000, 50, FIRST_ACK_MILLIS, clock);
        start = clock.millis();
        assertInstanceOf(Step.SendOack.class, u.begin());
        for (long at = 1000; at < FIRST_ACK_MILLIS; at += 1000) {
            clock.advance(start + at - clock.millis());
            assertInstanceOf(Step.SendOack.class, u.onRequestRepeated());
            assertTrue(u.deadline() <= start + FIRST_ACK_MILLIS, "deadline " + (u.deadline() - start));
        }
        clock.advance(start + FIRST_ACK_MILLIS - clock.millis());
        assertEquals(Outcome.TIMED_OUT, assertInstanceOf(Step.Finish.class, u.onTimeout()).outcome());
    }

    /**
     * A client that was fast (the timeout fell to its floor) and then takes longer than that for
     * each window (slow firmware, an emulated machine): one spurious resend, then the timeout
     * follows it. Without keeping the backed-off wait until a clean sample (Karn, RFC 6298 §5.7),
     * every later window was sent twice: the ACK of a resent window gives no sample to raise it.
     */
    @Test
    void aClientThatTurnsSlowerThanTheTimeoutGetsOneSpuriousResendNotOnePerWindow() {
        TftpNegotiation n = new TftpNegotiation(1468, 16, 1000, false,
                Optional.of(new TftpPacket.Oack(List.of(new TftpOption("windowsize", "16")))));
        TftpTransfer t = new TftpTransfer(n, 1468L * 16 * 200, 5, FIRST_ACK_MILLIS, clock);
        t.begin();
        clock.advance(2);
        Step s = t.onAck(0);
        for (int i = 0; i < 20; i++) { // 2 ms per window: the timeout falls to its floor
            Step.SendBlocks b = assertInstanceOf(Step.SendBlocks.class, s);
            clock.advance(2);
            s = t.onAck(TftpTransfer.wireBlock(b.first() + b.count() - 1));
        }
        assertEquals(TftpTransfer.MIN_RTO_MILLIS, t.rto());
        long ackDelay = 80; // now each window takes 80 ms to be acknowledged
        for (int i = 0; i < 40; i++) {
            Step.SendBlocks b = assertInstanceOf(Step.SendBlocks.class, s);
            long ackAt = clock.millis() + ackDelay;
            while (t.deadline() <= ackAt) {
                clock.advance(t.deadline() - clock.millis());
                assertEquals(b, t.onTimeout());
            }
            clock.advance(ackAt - clock.millis());
            s = t.onAck(TftpTransfer.wireBlock(b.first() + b.count() - 1));
        }
        assertEquals(1, t.retransmissions(), "one spurious resend, then the timeout follows the client");
        assertTrue(t.rto() > ackDelay, "rto " + t.rto());
    }

    @Test
    void duplicateAcksNeverTriggerASend() {
        TftpTransfer t = new TftpTransfer(neg(512, 1, false), 10_000, 5, FIRST_ACK_MILLIS, clock);
        t.begin();
        assertEquals(blocks(1, 1), t.onAck(1));
        // The classic Sorcerer's Apprentice: a delayed duplicate of ACK 1 must not resend block 2.
        assertInstanceOf(Step.Wait.class, t.onAck(1));
        assertInstanceOf(Step.Wait.class, t.onAck(1));
        assertEquals(blocks(2, 1), t.onAck(2));
        // An ACK for a block not yet sent is ignored as well.
        assertInstanceOf(Step.Wait.class, t.onAck(9));
        assertEquals(0, t.retransmissions());
    }

    @Test
    void timeoutResendsTheUnacknowledgedWindowThenGivesUpWithError0() {
        TftpTransfer t = new TftpTransfer(neg(512, 4, false), 100_000, 2, FIRST_ACK_MILLIS, clock);
        assertEquals(blocks(0, 4), t.begin());
        assertEquals(blocks(4, 4), t.onAck(4));
        clock.advance(1000);
        assertEquals(blocks(4, 4), t.onTimeout());
        clock.advance(1000);
        assertEquals(blocks(4, 4), t.onTimeout());
        clock.advance(1000);
        Step.Finish f = assertInstanceOf(Step.Finish.class, t.onTimeout());
        assertEquals(Outcome.TIMED_OUT, f.outcome());
        assertEquals(0, f.reply().code());
        assertTrue(f.reply().message().contains("block 5"), f.reply().message());
        assertEquals(2, t.retransmissions());
    }

    @Test
    void configuredTimeoutBacksOffButANegotiatedOneDoesNot() {
        TftpNegotiation n = new TftpNegotiation(512, 1, 200, false, Optional.empty());
        // No first-ACK limit in the way: the backoff runs past it here.
        TftpTransfer t = new TftpTransfer(n, 100_000, 8, 60_000, clock);
        t.begin();
        long start = clock.millis();
        assertEquals(start + 200, t.deadline());
        long[] waits = {400, 800, 1600, 3200, 6400, 8000, 8000};
        for (long w : waits) {
            clock.advance(t.deadline() - clock.millis());
            assertEquals(blocks(0, 1), t.onTimeout());
            assertEquals(clock.millis() + w, t.deadline());
        }
        // Progress, but on a resent block: no round-trip sample, so the backed-off wait stays (Karn).
        assertEquals(blocks(1, 1), t.onAck(1));
        assertEquals(clock.millis() + 8000, t.deadline());
        clock.advance(5);
        assertEquals(blocks(2, 1), t.onAck(2)); // a block sent once and acknowledged: back to the estimate
        assertTrue(t.rto() <= 200, "rto " + t.rto());
        assertEquals(clock.millis() + t.rto(), t.deadline());
        TftpTransfer fixed = new TftpTransfer(neg(512, 1, false), 100_000, 6, FIRST_ACK_MILLIS, clock);
        fixed.begin();
        for (int i = 0; i < 4; i++) {
            clock.advance(1000);
            fixed.onTimeout();
            assertEquals(clock.millis() + 1000, fixed.deadline());
        }
    }

    @Test
    void aSilentClientIsAbandonedAtTheFirstAckTimeoutWhateverItsTimeout() {
        // A client that chose 255 s (were it granted) and then stays silent.
        TftpNegotiation slow = new TftpNegotiation(512, 1, 255_000, true,
                Optional.of(new TftpPacket.Oack(List.of(new TftpOption("timeout", "255")))));
        TftpTransfer t = new TftpTransfer(slow, 100_000, 5, 5000, clock);
        long start = clock.millis();
        assertInstanceOf(Step.SendOack.class, t.begin());
        assertEquals(start + 5000, t.deadline());
        clock.advance(5000);
        Step.Finish f = assertInstanceOf(Step.Finish.class, t.onTimeout());
        assertEquals(Outcome.TIMED_OUT, f.outcome());
        assertEquals(0, f.reply().code());
        assertTrue(f.reply().message().contains("OACK"), f.reply().message());

        // The server's own timeout: the OACK is resent once (2 s, then 4 s of backoff), and the
        // transfer ends at 5 s with retries left.
        TftpTransfer u = new TftpTransfer(new TftpNegotiation(1468, 1, 1000, false,
                Optional.of(new TftpPacket.Oack(List.of(new TftpOption("blksize", "1468"))))), 100_000, 5, 5000, clock);
        start = clock.millis();
        assertInstanceOf(Step.SendOack.class, u.begin());
        assertEquals(start + TftpTransfer.MIN_OACK_WAIT_MILLIS, u.deadline());
        clock.advance(TftpTransfer.MIN_OACK_WAIT_MILLIS);
        assertInstanceOf(Step.SendOack.class, u.onTimeout());
        assertEquals(start + 5000, u.deadline());
        clock.advance(u.deadline() - clock.millis());
        assertEquals(Outcome.TIMED_OUT, assertInstanceOf(Step.Finish.class, u.onTimeout()).outcome());

        // Without options: the first block is the first answer; ACK 1 must come within the limit.
        TftpTransfer w = new TftpTransfer(new TftpNegotiation(512, 1, 255_000, true, Optional.empty()), 100_000, 5,
                3000, clock);
        start = clock.millis();
        assertEquals(blocks(0, 1), w.begin());
        assertEquals(start + 3000, w.deadline());
        clock.advance(3000);
        Step.Finish g = assertInstanceOf(Step.Finish.class, w.onTimeout());
        assertTrue(g.reply().message().contains("block 1"), g.reply().message());
    }

    @Test
    void afterTheFirstAckTheClientsTimeoutAndRetriesApplyAgain() {
        TftpNegotiation n = new TftpNegotiation(512, 1, 4000, true,
                Optional.of(new TftpPacket.Oack(List.of(new TftpOption("timeout", "4")))));
        TftpTransfer t = new TftpTransfer(n, 100_000, 3, 5000, clock);
        assertInstanceOf(Step.SendOack.class, t.begin());
        clock.advance(3000);
        assertEquals(blocks(0, 1), t.onAck(0));
        // Three resends 4 s apart run well past the first-ACK limit.
        for (int i = 0; i < 3; i++) {
            assertEquals(clock.millis() + 4000, t.deadline());
            clock.advance(4000);
            assertEquals(blocks(0, 1), t.onTimeout());
        }
        clock.advance(4000);
        assertEquals(Outcome.TIMED_OUT, assertInstanceOf(Step.Finish.class, t.onTimeout()).outcome());
    }

    @Test
    void adaptiveTimeoutFollowsTheRoundTripButNotForTheOack() {
        TftpNegotiation n = new TftpNegotiation(1468, 16, 1000, false,
                Optional.of(new TftpPacket.Oack(List.of(new TftpOption("windowsize", "16")))));
        TftpTransfer t = new TftpTransfer(n, 1468L * 16 * 100, 5, FIRST_ACK_MILLIS, clock);
        t.begin();
        assertEquals(clock.millis() + TftpTransfer.MIN_OACK_WAIT_MILLIS, t.deadline()); // OACK: no adaptive timeout
        clock.advance(2);
        t.onAck(0);
        long block = 0;
        for (int i = 0; i < 20; i++) { // LAN-like: 2 ms per window
            clock.advance(2);
            block += 16;
            t.onAck(TftpTransfer.wireBlock(block - 1));
        }
        assertEquals(TftpTransfer.MIN_RTO_MILLIS, t.rto());
        assertEquals(clock.millis() + TftpTransfer.MIN_RTO_MILLIS, t.deadline());
        for (int i = 0; i < 20; i++) { // a slow client: 300 ms per window
            clock.advance(300);
            block += 16;
            t.onAck(TftpTransfer.wireBlock(block - 1));
        }
        assertTrue(t.rto() >= 300 && t.rto() <= 1000, "rto " + t.rto());
        // A resent window gives no sample (Karn), and the wait doubles.
        long rto = t.rto();
        clock.advance(t.deadline() - clock.millis());
        t.onTimeout();
        assertEquals(clock.millis() + 2 * rto, t.deadline());
        clock.advance(5000);
        block += 16;
        t.onAck(TftpTransfer.wireBlock(block - 1));
        assertEquals(rto, t.rto());
    }

    @Test
    void progressResetsTheRetryBudget() {
        TftpTransfer t = new TftpTransfer(neg(512, 1, false), 100_000, 1, FIRST_ACK_MILLIS, clock);
        t.begin();
        clock.advance(1000);
        assertEquals(blocks(0, 1), t.onTimeout());
        assertEquals(blocks(1, 1), t.onAck(1));
        clock.advance(1000);
        assertEquals(blocks(1, 1), t.onTimeout());
    }

    @Test
    void windowAckInsideTheWindowRestartsFromTheGap() {
        // RFC 7440 §4: the receiver acks the last block it got in order.
        TftpTransfer t = new TftpTransfer(neg(512, 8, false), 100_000, 5, FIRST_ACK_MILLIS, clock);
        assertEquals(blocks(0, 8), t.begin());
        assertEquals(blocks(3, 8), t.onAck(3));
        assertInstanceOf(Step.Wait.class, t.onAck(3)); // the same ACK again changes nothing
        assertEquals(blocks(11, 8), t.onAck(11));
        // A late ACK from before the rewind is ignored.
        assertInstanceOf(Step.Wait.class, t.onAck(8));
    }

    @Test
    void lastWindowIsShortAndItsAckCompletes() {
        TftpTransfer t = new TftpTransfer(neg(512, 16, false), 512 * 20 + 7, 5, FIRST_ACK_MILLIS, clock);
        assertEquals(blocks(0, 16), t.begin());
        assertEquals(blocks(16, 5), t.onAck(16)); // blocks 17..21, the 21st holds 7 bytes
        assertEquals(Outcome.COMPLETE, ((Step.Finish) t.onAck(21)).outcome());
    }

    @Test
    void blockNumbersRollOverPast65535() {
        long blocks = 70_000;
        TftpTransfer t = new TftpTransfer(neg(512, 1, false), 512 * blocks - 1, 5, FIRST_ACK_MILLIS, clock);
        t.begin();
        for (long idx = 0; idx < blocks - 1; idx++) {
            int wire = TftpTransfer.wireBlock(idx);
            assertEquals(blocks(idx + 1, 1), t.onAck(wire), "at index " + idx);
        }
        assertEquals(65535, TftpTransfer.wireBlock(65534));
        assertEquals(0, TftpTransfer.wireBlock(65535));
        assertEquals(1, TftpTransfer.wireBlock(65536));
        assertEquals(Outcome.COMPLETE, ((Step.Finish) t.onAck(TftpTransfer.wireBlock(blocks - 1))).outcome());
    }

    @Test
    void windowedRolloverMapsAcksToTheRightBlock() {
        TftpTransfer t = new TftpTransfer(neg(8, 64, false), 8L * 200_000, 5, FIRST_ACK_MILLIS, clock);
        Step s = t.begin();
        long next = 0;
        while (s instanceof Step.SendBlocks b) {
            assertEquals(next, b.first());
            long last = b.first() + b.count() - 1;
            next = last + 1;
            s = t.onAck(TftpTransfer.wireBlock(last));
        }
        assertEquals(Outcome.COMPLETE, ((Step.Finish) s).outcome());
        assertEquals(200_001, t.blocksAcked());
    }

    @Test
    void clientErrorEndsWithoutReply() {
        TftpTransfer t = new TftpTransfer(neg(1468, 1, true), 5000, 5, FIRST_ACK_MILLIS, clock);
        t.begin();
        Step.Finish f = (Step.Finish) t.onPacket(new TftpPacket.Error(TftpErrorCode.OPTION_REFUSED, "no thanks"));
        assertEquals(Outcome.OPTIONS_REJECTED, f.outcome());
        assertNull(f.reply());
        assertInstanceOf(Step.Wait.class, t.onAck(0));
        TftpTransfer u = new TftpTransfer(neg(512, 1, false), 5000, 5, FIRST_ACK_MILLIS, clock);
        u.begin();
        assertEquals(Outcome.CLIENT_ERROR, ((Step.Finish) u.onPacket(new TftpPacket.Error(0, "disk full"))).outcome());
    }

    @Test
    void otherPacketsFromTheClientAreIllegal() {
        TftpTransfer t = new TftpTransfer(neg(512, 1, false), 5000, 5, FIRST_ACK_MILLIS, clock);
        t.begin();
        Step.Finish f = (Step.Finish) t.onPacket(new TftpPacket.Data(1, new byte[3]));
        assertEquals(Outcome.PROTOCOL_ERROR, f.outcome());
        assertEquals(TftpErrorCode.ILLEGAL_OPERATION, f.reply().errorCode());
        TftpTransfer u = new TftpTransfer(neg(512, 1, false), 5000, 5, FIRST_ACK_MILLIS, clock);
        u.begin();
        Step.Finish g = (Step.Finish) u.onMalformed(new TftpCodecException("ACK of 3 bytes, expected 4"));
        assertEquals(4, g.reply().code());
    }

    @Test
    void unknownSizeEndsWhereTheSourceSays() {
        TftpTransfer t = new TftpTransfer(neg(512, 4, false), -1, 5, FIRST_ACK_MILLIS, clock);
        assertEquals(blocks(0, 4), t.begin());
        t.endsAt(2); // the transport found block index 2 short
        assertInstanceOf(Step.Wait.class, t.onAck(4)); // block 4 was never sent
        assertEquals(Outcome.COMPLETE, ((Step.Finish) t.onAck(3)).outcome());
    }
}

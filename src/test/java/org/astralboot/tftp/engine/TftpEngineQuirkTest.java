package org.astralboot.tftp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Optional;
import org.astralboot.net.QuirkCounter;
import org.astralboot.testing.ManualClock;
import org.astralboot.tftp.codec.TftpCodec;
import org.astralboot.tftp.codec.TftpCodecTest;
import org.astralboot.tftp.codec.TftpMode;
import org.astralboot.tftp.codec.TftpOption;
import org.astralboot.tftp.codec.TftpPacket;
import org.astralboot.tftp.codec.TftpQuirk;
import org.astralboot.tftp.engine.TftpTransfer.Step;
import org.junit.jupiter.api.Test;

/** The quirks the engine tolerates are counted once when they apply, and never for a client that keeps to the RFCs. */
class TftpEngineQuirkTest {
    final ManualClock clock = new ManualClock(1_000_000);
    final QuirkCounter<TftpQuirk> quirks = new QuirkCounter<>(TftpQuirk.class);

    static final TftpPacket.Oack OACK = new TftpPacket.Oack(List.of(new TftpOption("blksize", "1468")));

    // ---------------------------------------------------------------- NO_ZERO_TSIZE

    @Test
    void curlAskingTsizeOfAnEmptyFileIsCountedOnce() throws Exception {
        TftpPacket.Rrq curl = (TftpPacket.Rrq) TftpCodec.decode(TftpCodecTest.hex(TftpCodecTest.CURL));
        TftpNegotiation n = TftpNegotiation.negotiate(curl, 0, TftpNegotiationTest.LIMITS, quirks);
        assertEquals(Optional.empty(), n.oack().get().option("tsize"));
        assertEquals(1, quirks.count(TftpQuirk.NO_ZERO_TSIZE));
        assertEquals(1, quirks.total());
    }

    @Test
    void tsizeOfAFileWithBytesOrInNetasciiCountsNothing() throws Exception {
        TftpPacket.Rrq curl = (TftpPacket.Rrq) TftpCodec.decode(TftpCodecTest.hex(TftpCodecTest.CURL));
        TftpNegotiation.negotiate(curl, 1, TftpNegotiationTest.LIMITS, quirks);
        TftpPacket.Rrq ascii = new TftpPacket.Rrq("empty.txt", TftpMode.NETASCII, List.of(new TftpOption("tsize", "0")));
        TftpNegotiation.negotiate(ascii, 0, TftpNegotiationTest.LIMITS, quirks);
        TftpPacket.Rrq plain = new TftpPacket.Rrq("empty", TftpMode.OCTET, List.of(new TftpOption("blksize", "512")));
        TftpNegotiation.negotiate(plain, 0, TftpNegotiationTest.LIMITS, quirks);
        assertEquals(0, quirks.total());
    }

    // ---------------------------------------------------------------- SLOW_ACK_OF_OACK

    private TftpTransfer oackTransfer(boolean fixedTimeout) {
        return new TftpTransfer(new TftpNegotiation(1468, 1, 1000, fixedTimeout, Optional.of(OACK)), 100_000, 5,
                60_000, clock, quirks);
    }

    @Test
    void ackOfTheOackAfterThePlainTimeoutIsCountedOnce() {
        TftpTransfer t = oackTransfer(false);
        assertInstanceOf(Step.SendOack.class, t.begin());
        clock.advance(1500); // the 1 s timeout would have resent the OACK by now; the 2 s floor did not
        assertInstanceOf(Step.Wait.class, t.onTimeout());
        assertInstanceOf(Step.SendBlocks.class, t.onAck(0));
        assertEquals(1, quirks.count(TftpQuirk.SLOW_ACK_OF_OACK));
        t.onAck(1);
        assertEquals(1, quirks.total());
    }

    @Test
    void promptAckOfTheOackOrAClientChosenTimeoutCountsNothing() {
        TftpTransfer t = oackTransfer(false);
        t.begin();
        clock.advance(999);
        assertInstanceOf(Step.SendBlocks.class, t.onAck(0));
        TftpTransfer fixed = oackTransfer(true); // the client chose 1 s: no floor, so nothing is tolerated
        fixed.begin();
        clock.advance(1000);
        assertInstanceOf(Step.SendOack.class, fixed.onTimeout());
        clock.advance(500);
        assertInstanceOf(Step.SendBlocks.class, fixed.onAck(0));
        assertEquals(0, quirks.total());
    }

    // ---------------------------------------------------------------- SINGLE_REACK

    private TftpTransfer dataTransfer(boolean fixedTimeout) {
        return new TftpTransfer(new TftpNegotiation(512, 1, 1000, fixedTimeout, Optional.empty()), 100_000, 5,
                60_000, clock, quirks);
    }

    private void timeOut(TftpTransfer t) {
        clock.advance(t.deadline() - clock.millis());
        assertEquals(new Step.SendBlocks(0, 1), t.onTimeout());
    }

    @Test
    void progressAfterTwoBackedOffTimeoutsIsCountedOnce() {
        TftpTransfer t = dataTransfer(false);
        t.begin();
        timeOut(t);
        timeOut(t);
        assertEquals(new Step.SendBlocks(1, 1), t.onAck(1));
        assertEquals(1, quirks.count(TftpQuirk.SINGLE_REACK));
        assertEquals(new Step.SendBlocks(2, 1), t.onAck(2));
        assertEquals(1, quirks.total());
    }

    @Test
    void progressAfterOneTimeoutOrWithAFixedTimeoutCountsNothing() {
        TftpTransfer t = dataTransfer(false);
        t.begin();
        assertEquals(new Step.SendBlocks(1, 1), t.onAck(1));
        TftpTransfer once = dataTransfer(false);
        once.begin();
        timeOut(once);
        assertEquals(new Step.SendBlocks(1, 1), once.onAck(1));
        TftpTransfer fixed = dataTransfer(true); // no backoff: nothing was done for the client
        fixed.begin();
        timeOut(fixed);
        timeOut(fixed);
        assertEquals(new Step.SendBlocks(1, 1), fixed.onAck(1));
        assertEquals(0, quirks.total());
    }
}

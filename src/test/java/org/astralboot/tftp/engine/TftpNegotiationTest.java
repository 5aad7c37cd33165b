package org.astralboot.tftp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.astralboot.tftp.codec.TftpCodec;
import org.astralboot.tftp.codec.TftpCodecTest;
import org.astralboot.tftp.codec.TftpErrorCode;
import org.astralboot.tftp.codec.TftpException;
import org.astralboot.tftp.codec.TftpMode;
import org.astralboot.tftp.codec.TftpOption;
import org.astralboot.tftp.codec.TftpPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TftpNegotiationTest {
    static final TftpLimits LIMITS = new TftpLimits(1468, 64, Duration.ofSeconds(1), 5, 100, Duration.ofSeconds(10), Duration.ofSeconds(5));

    static TftpPacket.Rrq rrq(TftpMode mode, String... kv) {
        List<TftpOption> opts = new java.util.ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            opts.add(new TftpOption(kv[i], kv[i + 1]));
        }
        return new TftpPacket.Rrq("f", mode, opts);
    }

    @Test
    void noOptionsMeansRfc1350Defaults() throws Exception {
        TftpNegotiation n = TftpNegotiation.negotiate(rrq(TftpMode.OCTET), 100, LIMITS);
        assertEquals(512, n.blksize());
        assertEquals(1, n.windowsize());
        assertEquals(1000, n.timeoutMillis());
        assertTrue(!n.fixedTimeout());
        assertTrue(n.oack().isEmpty());
    }

    @Test
    void capturedOvmfRequestIsGrantedAsAsked() throws Exception {
        TftpPacket.Rrq r = (TftpPacket.Rrq) TftpCodec.decode(TftpCodecTest.hex(TftpCodecTest.OVMF));
        TftpNegotiation n = TftpNegotiation.negotiate(r, 1_047_552, LIMITS);
        assertEquals(1468, n.blksize());
        assertEquals(4, n.windowsize());
        // OACK echoes the client's order and spelling, tsize carries the real size.
        assertEquals(List.of(new TftpOption("tsize", "1047552"), new TftpOption("blksize", "1468"),
                new TftpOption("windowsize", "4")), n.oack().orElseThrow().options());
    }

    @Test
    void blksizeAndWindowsizeAreClampedToConfig() throws Exception {
        TftpNegotiation n = TftpNegotiation.negotiate(
                rrq(TftpMode.OCTET, "BLKSIZE", "65464", "windowsize", "65535", "timeout", "3"), 10, LIMITS);
        assertEquals(1468, n.blksize());
        assertEquals(64, n.windowsize());
        assertEquals(3000, n.timeoutMillis());
        assertTrue(n.fixedTimeout());
        assertEquals(List.of(new TftpOption("BLKSIZE", "1468"), new TftpOption("windowsize", "64"),
                new TftpOption("timeout", "3")), n.oack().orElseThrow().options());
    }

    @Test
    void blksizeAboveTheRfcMaximumIsClampedNotRefused() throws Exception {
        TftpLimits big = new TftpLimits(65464, 65535, Duration.ofSeconds(1), 5, 100, Duration.ofSeconds(10), Duration.ofSeconds(5));
        TftpNegotiation n = TftpNegotiation.negotiate(rrq(TftpMode.OCTET, "blksize", "99999", "windowsize", "65535"), 10, big);
        assertEquals(65464, n.blksize());
        // The window is bounded by memory: 1 MiB / 65464 bytes.
        assertEquals(TftpLimits.MAX_WINDOW_BYTES / 65464, n.windowsize());
        TftpNegotiation small = TftpNegotiation.negotiate(rrq(TftpMode.OCTET, "blksize", "8", "windowsize", "65535"), 10, big);
        assertEquals(TftpLimits.MAX_WINDOW_BLOCKS, small.windowsize());
    }

    @Test
    void aTimeoutAboveMaxClientTimeoutIsDeclinedAndTheServersOwnApplies() throws Exception {
        TftpLimits limits = new TftpLimits(1468, 64, Duration.ofSeconds(1), 5, 100, Duration.ofSeconds(10),
                Duration.ofSeconds(5));
        // RFC 2349 §2: left out of the OACK, the other options are still acknowledged.
        TftpNegotiation n = TftpNegotiation.negotiate(rrq(TftpMode.OCTET, "timeout", "255", "blksize", "1024"), 10,
                limits);
        assertEquals(1000, n.timeoutMillis());
        assertTrue(!n.fixedTimeout());
        assertEquals(List.of(new TftpOption("blksize", "1024")), n.oack().orElseThrow().options());
        // Alone, declined timeout means no OACK at all: the first DATA block answers.
        assertTrue(TftpNegotiation.negotiate(rrq(TftpMode.OCTET, "timeout", "11"), 10, limits).oack().isEmpty());
        // At the limit it is granted.
        TftpNegotiation at = TftpNegotiation.negotiate(rrq(TftpMode.OCTET, "timeout", "10"), 10, limits);
        assertEquals(10_000, at.timeoutMillis());
        assertTrue(at.fixedTimeout());
        assertEquals(List.of(new TftpOption("timeout", "10")), at.oack().orElseThrow().options());
        // The default limit is 10 s as well.
        assertTrue(TftpNegotiation.negotiate(rrq(TftpMode.OCTET, "timeout", "255"), 10, LIMITS).oack().isEmpty());
    }

    @Test
    void unknownOptionsAreIgnored() throws Exception {
        TftpNegotiation n = TftpNegotiation.negotiate(rrq(TftpMode.OCTET, "multicast", "", "rollover", "0"), 10, LIMITS);
        assertTrue(n.oack().isEmpty());
        TftpNegotiation m = TftpNegotiation.negotiate(rrq(TftpMode.OCTET, "multicast", "", "blksize", "1024"), 10, LIMITS);
        assertEquals(List.of(new TftpOption("blksize", "1024")), m.oack().orElseThrow().options());
    }

    @Test
    void tsizeIsLeftOutForNetasciiAndForEmptyFiles() throws Exception {
        assertTrue(TftpNegotiation.negotiate(rrq(TftpMode.NETASCII, "tsize", "0"), 100, LIMITS).oack().isEmpty());
        // curl 7.88 aborts on "tsize 0" in an OACK.
        TftpNegotiation n = TftpNegotiation.negotiate(rrq(TftpMode.OCTET, "tsize", "0", "blksize", "512"), 0, LIMITS);
        assertEquals(List.of(new TftpOption("blksize", "512")), n.oack().orElseThrow().options());
    }

    @ParameterizedTest
    @CsvSource({
        "blksize, 7, outside 8-65464",
        "blksize, 0, outside",
        "blksize, -1, not a number",
        "blksize, 1k, not a number",
        "blksize, '', not a number",
        "blksize, 99999999999999999999, not a number",
        "timeout, 0, outside 1-255",
        "timeout, 256, outside 1-255",
        "windowsize, 0, outside 1-65535",
        "windowsize, 65536, outside 1-65535",
        "tsize, x, not a number",
    })
    void invalidValuesAreRefusedWithError8(String name, String value, String msg) {
        TftpException e = assertThrows(TftpException.class,
                () -> TftpNegotiation.negotiate(rrq(TftpMode.OCTET, name, value), 10, LIMITS));
        assertEquals(TftpErrorCode.OPTION_REFUSED, e.code());
        assertTrue(e.getMessage().contains(msg), e.getMessage());
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }
}

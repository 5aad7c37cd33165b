package org.astralboot.tftp.codec;

import static org.astralboot.tftp.codec.TftpCodecTest.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.stream.Stream;
import org.astralboot.net.QuirkCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each quirk the codec tolerates is reported exactly once per packet; well-formed packets report none. */
class TftpCodecQuirkTest {
    final QuirkCounter<TftpQuirk> quirks = new QuirkCounter<>(TftpQuirk.class);

    static Stream<Arguments> odd() {
        return Stream.of(
                // iPXE BIOS request with three NULs after its last option.
                Arguments.of(TftpCodecTest.IPXE_BIOS + "000000", TftpQuirk.REQUEST_PADDING),
                // A padded WRQ (tftp-hpa put) is padding too.
                Arguments.of(TftpCodecTest.TFTP_HPA_PUT + "00", TftpQuirk.REQUEST_PADDING),
                // An OACK "blksize 1468" followed by two NULs.
                Arguments.of("0006626c6b73697a650031343638000000", TftpQuirk.REQUEST_PADDING),
                // ERROR 8 "no" without its terminating NUL.
                Arguments.of("000500086e6f", TftpQuirk.UNTERMINATED_ERROR),
                // ERROR 0 with neither message nor NUL.
                Arguments.of("00050000", TftpQuirk.UNTERMINATED_ERROR),
                // ACK 5 with one byte too many.
                Arguments.of("0004000500", TftpQuirk.ACK_TRAILER));
    }

    @ParameterizedTest
    @MethodSource("odd")
    void eachQuirkIsCountedOnce(String packet, TftpQuirk quirk) throws Exception {
        TftpPacket strict = TftpCodec.decode(hex(packet));
        assertEquals(strict, TftpCodec.decode(ByteBuffer.wrap(hex(packet)), quirks)); // same packet, counted
        assertEquals(1, quirks.count(quirk));
        assertEquals(1, quirks.total());
    }

    @Test
    void ackTrailerIsCountedOnTheHotPathToo() {
        assertEquals(5, TftpCodec.ackBlock(ByteBuffer.wrap(hex("0004000500")), quirks));
        assertEquals(Map.of(TftpQuirk.ACK_TRAILER, 1L), nonZero());
        assertEquals(0xFFFF, TftpCodec.ackBlock(ByteBuffer.wrap(hex("0004ffff")), quirks));
        assertEquals(-1, TftpCodec.ackBlock(ByteBuffer.wrap(hex("000400")), quirks));
        assertEquals(-1, TftpCodec.ackBlock(ByteBuffer.wrap(hex("000500086e6f00")), quirks));
        assertEquals(1, quirks.total());
    }

    @Test
    void wellFormedPacketsCountNothing() throws Exception {
        for (String p : new String[] {TftpCodecTest.ATFTP, TftpCodecTest.ATFTP_WINDOW, TftpCodecTest.TFTP_HPA,
            TftpCodecTest.TFTP_HPA_ASCII, TftpCodecTest.TFTP_HPA_PUT, TftpCodecTest.CURL, TftpCodecTest.CURL_BLKSIZE,
            TftpCodecTest.IPXE_BIOS, TftpCodecTest.OVMF, TftpCodecTest.OVMF_GET, TftpCodecTest.IPXE_EFI,
            "00040005", "000500086e6f00", "0005000000", "0006626c6b73697a65003134363800", "0003000109"}) {
            TftpCodec.decode(hex(p), 0, hex(p).length, quirks);
        }
        assertEquals(0, quirks.total(), quirks.snapshot().toString());
    }

    private Map<TftpQuirk, Long> nonZero() {
        Map<TftpQuirk, Long> m = new java.util.EnumMap<>(TftpQuirk.class);
        quirks.snapshot().forEach((k, v) -> {
            if (v != 0) {
                m.put(k, v);
            }
        });
        return m;
    }
}

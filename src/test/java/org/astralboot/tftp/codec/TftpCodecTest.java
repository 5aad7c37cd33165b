package org.astralboot.tftp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Codec tests from real bytes: each request below was captured on a veth pair (or a QEMU tap) from
 * the named client, UDP payload only.
 */
public class TftpCodecTest {

    /** atftp 0.8.0: {@code --option "blksize 1468" --option "tsize 0" -g -r undionly.kpxe}. */
    static final String ATFTP = "0001756e64696f6e6c792e6b707865006f63746574007473697a65003000626c6b73697a65003134363800";
    /** atftp 0.8.0 with timeout 2, blksize 1468, windowsize 16 for pxe/ipxe.efi. */
    static final String ATFTP_WINDOW = "00017078652f697078652e656669006f637465740074696d656f7574003200626c6b73697a6500"
            + "313436380077696e646f7773697a6500313600";
    /** tftp-hpa 5.2: {@code get /boot/undionly.kpxe}, binary mode, no options. */
    static final String TFTP_HPA = "00012f626f6f742f756e64696f6e6c792e6b707865006f6374657400";
    /** tftp-hpa 5.2: {@code -m ascii get readme.txt}. */
    static final String TFTP_HPA_ASCII = "0001726561646d652e747874006e6574617363696900";
    /** tftp-hpa 5.2: {@code put up.txt} (a WRQ). */
    static final String TFTP_HPA_PUT = "000275702e747874006f6374657400";
    /** curl 7.88.1 {@code tftp://host/undionly.kpxe}: tsize 0, blksize 512, timeout 6. */
    public static final String CURL = "0001756e64696f6e6c792e6b707865006f63746574007473697a65003000626c6b73697a650035313200"
            + "74696d656f7574003600";
    /** curl 7.88.1 with {@code --tftp-blksize 1468}. */
    static final String CURL_BLKSIZE = "0001697078652e656669006f63746574007473697a65003000626c6b73697a650031343638007469"
            + "6d656f7574003600";
    /** QEMU 7.2 virtio-net option ROM, iPXE 1.0.0+git-20190125 (BIOS PXE). */
    static final String IPXE_BIOS = "0001756e64696f6e6c792e6b707865006f6374657400626c6b73697a650031343332007473697a65003000";
    /** OVMF (EDK2, Debian 12) UEFI PXE, first request: tsize 0, blksize 1468, windowsize 4. */
    public static final String OVMF = "0001697078652e656669006f63746574007473697a65003000626c6b73697a6500313436380077696e646f"
            + "7773697a65003400";
    /** OVMF second request (the download after the size probe): blksize 1468, windowsize 4. */
    static final String OVMF_GET = "0001697078652e656669006f6374657400626c6b73697a6500313436380077696e646f7773697a65003400";
    /** iPXE EFI (ipxe.efi, the chainloaded stage) fetching ipxe.efi again. */
    static final String IPXE_EFI = "0001697078652e656669006f6374657400626c6b73697a650031343332007473697a65003000";

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static Stream<Arguments> captured() {
        return Stream.of(
                Arguments.of(ATFTP, "undionly.kpxe", TftpMode.OCTET, List.of(o("tsize", "0"), o("blksize", "1468"))),
                Arguments.of(ATFTP_WINDOW, "pxe/ipxe.efi", TftpMode.OCTET,
                        List.of(o("timeout", "2"), o("blksize", "1468"), o("windowsize", "16"))),
                Arguments.of(TFTP_HPA, "/boot/undionly.kpxe", TftpMode.OCTET, List.of()),
                Arguments.of(TFTP_HPA_ASCII, "readme.txt", TftpMode.NETASCII, List.of()),
                Arguments.of(CURL, "undionly.kpxe", TftpMode.OCTET,
                        List.of(o("tsize", "0"), o("blksize", "512"), o("timeout", "6"))),
                Arguments.of(CURL_BLKSIZE, "ipxe.efi", TftpMode.OCTET,
                        List.of(o("tsize", "0"), o("blksize", "1468"), o("timeout", "6"))),
                Arguments.of(IPXE_BIOS, "undionly.kpxe", TftpMode.OCTET, List.of(o("blksize", "1432"), o("tsize", "0"))),
                Arguments.of(OVMF, "ipxe.efi", TftpMode.OCTET,
                        List.of(o("tsize", "0"), o("blksize", "1468"), o("windowsize", "4"))),
                Arguments.of(OVMF_GET, "ipxe.efi", TftpMode.OCTET, List.of(o("blksize", "1468"), o("windowsize", "4"))),
                Arguments.of(IPXE_EFI, "ipxe.efi", TftpMode.OCTET, List.of(o("blksize", "1432"), o("tsize", "0"))));
    }

    static TftpOption o(String n, String v) {
        return new TftpOption(n, v);
    }

    @ParameterizedTest
    @MethodSource("captured")
    void decodesCapturedRequestsAndEncodesThemBackByteForByte(String hex, String file, TftpMode mode,
            List<TftpOption> options) throws Exception {
        byte[] wire = hex(hex);
        TftpPacket p = TftpCodec.decode(wire);
        TftpPacket.Rrq rrq = assertInstanceOf(TftpPacket.Rrq.class, p);
        assertEquals(file, rrq.filename());
        assertEquals(mode, rrq.mode());
        assertEquals(options, rrq.options());
        assertArrayEquals(wire, TftpCodec.encode(p));
        assertEquals(wire.length, TftpCodec.encodedLength(p));
    }

    @Test
    void decodesCapturedWriteRequest() throws Exception {
        TftpPacket.Wrq w = assertInstanceOf(TftpPacket.Wrq.class, TftpCodec.decode(hex(TFTP_HPA_PUT)));
        assertEquals("up.txt", w.filename());
        assertEquals(TftpMode.OCTET, w.mode());
        assertArrayEquals(hex(TFTP_HPA_PUT), TftpCodec.encode(w));
    }

    @Test
    void optionLookupIgnoresCase() throws Exception {
        byte[] b = hex("0001" + "6100" + "4f4354455400" + "426c4b53697a4500" + "3130323400"); // a, OCTET, BlKSizE 1024
        TftpPacket.Rrq r = (TftpPacket.Rrq) TftpCodec.decode(b);
        assertEquals(TftpMode.OCTET, r.mode());
        assertEquals("1024", r.option("blksize").orElseThrow().value());
        assertEquals("BlKSizE", r.option("BLKSIZE").orElseThrow().name());
    }

    @Test
    void roundTripsEveryPacketType() throws Exception {
        List<TftpPacket> packets = List.of(
                new TftpPacket.Rrq("pxelinux.cfg/default", TftpMode.NETASCII, List.of(o("tsize", "0"))),
                new TftpPacket.Wrq("x", TftpMode.OCTET, List.of()),
                new TftpPacket.Data(1, new byte[] {1, 2, 3}),
                new TftpPacket.Data(65535, new byte[512]),
                new TftpPacket.Data(0, new byte[0]),
                new TftpPacket.Data(7, new byte[TftpPacket.MAX_BLKSIZE]),
                new TftpPacket.Ack(0),
                new TftpPacket.Ack(65535),
                new TftpPacket.Error(TftpErrorCode.FILE_NOT_FOUND, "file not found: x"),
                new TftpPacket.Error(0, ""),
                new TftpPacket.Oack(List.of(o("blksize", "1468"), o("tsize", "70345"), o("windowsize", "16"))));
        for (TftpPacket p : packets) {
            byte[] b = TftpCodec.encode(p);
            assertEquals(TftpCodec.encodedLength(p), b.length, p.toString());
            assertEquals(p, TftpCodec.decode(b), p.toString());
            assertEquals(p, TftpCodec.decode(ByteBuffer.wrap(b)), p.toString());
        }
    }

    @Test
    void knownServerPacketsEncodeToTheirRfcBytes() {
        assertEquals("00040000", HexFormat.of().formatHex(TftpCodec.encode(new TftpPacket.Ack(0))));
        assertEquals("0003ffff41", HexFormat.of().formatHex(TftpCodec.encode(new TftpPacket.Data(65535, new byte[] {0x41}))));
        // ERROR 1 "nf" -> 00 05 00 01 6e 66 00
        assertEquals("000500016e6600", HexFormat.of().formatHex(TftpCodec.encode(new TftpPacket.Error(1, "nf"))));
        // OACK blksize 1468 -> 00 06 "blksize" 00 "1468" 00
        assertEquals("0006626c6b73697a6500313436380" + "0",
                HexFormat.of().formatHex(TftpCodec.encode(new TftpPacket.Oack(List.of(o("blksize", "1468"))))));
    }

    @Test
    void errorMessagesGoOutAsPrintableAscii() throws Exception {
        byte[] b = TftpCodec.encode(new TftpPacket.Error(1, "caf\u00e9\nx"));
        assertEquals("caf??x", ((TftpPacket.Error) TftpCodec.decode(b)).message());
    }

    @Test
    void dataHeaderHelperMatchesTheCodec() throws Exception {
        byte[] b = new byte[6];
        TftpCodec.putDataHeader(b, 0xABCD);
        b[4] = 9;
        b[5] = 8;
        assertEquals(new TftpPacket.Data(0xABCD, new byte[] {9, 8}), TftpCodec.decode(b));
        assertEquals(3, TftpCodec.peekOpcode(b, 6));
        assertEquals(-1, TftpCodec.peekOpcode(b, 1));
    }

    @Test
    void toleratedQuirks() throws Exception {
        // NUL padding after the last option (seen from some PXE ROMs).
        TftpPacket.Rrq r = (TftpPacket.Rrq) TftpCodec.decode(hex(IPXE_BIOS + "000000"));
        assertEquals(2, r.options().size());
        // ERROR without a terminating NUL.
        TftpPacket.Error e = (TftpPacket.Error) TftpCodec.decode(hex("000500086e6f"));
        assertEquals(8, e.code());
        assertEquals("no", e.message());
        // ERROR with no message at all.
        assertEquals("", ((TftpPacket.Error) TftpCodec.decode(hex("00050000"))).message());
        // ACK with trailing bytes.
        assertEquals(new TftpPacket.Ack(5), TftpCodec.decode(hex("0004000500")));
        // Mode in upper case.
        assertEquals(TftpMode.OCTET, ((TftpPacket.Rrq) TftpCodec.decode(hex("00016100" + "4f4354455400"))).mode());
        // Unknown error codes are kept as numbers.
        TftpPacket.Error odd = (TftpPacket.Error) TftpCodec.decode(hex("0005002a7800"));
        assertEquals(42, odd.code());
        assertEquals(null, odd.errorCode());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("", "shorter than an opcode"),
                Arguments.of("00", "shorter than an opcode"),
                Arguments.of("0000", "unknown opcode 0"),
                Arguments.of("0007", "unknown opcode 7"),
                Arguments.of("ff01", "unknown opcode 65281"),
                Arguments.of("0001", "missing file name"),
                Arguments.of("000161", "file name is not NUL-terminated"),
                Arguments.of("00010000", "empty file name"),
                Arguments.of("00016100", "missing mode"),
                Arguments.of("000161006f63746574", "mode is not NUL-terminated"),
                Arguments.of("00016100666f6f00", "unknown transfer mode 'foo'"),
                Arguments.of("0001610000", "unknown transfer mode ''"),
                Arguments.of("000161006f6374657400626c6b73697a65", "option name is not NUL-terminated"),
                Arguments.of("000161006f6374657400626c6b73697a6500", "option blksize has no value"),
                Arguments.of("000161006f6374657400626c6b73697a650031", "option blksize is not NUL-terminated"),
                Arguments.of("000161006f637465740000310031", "empty option name"),
                Arguments.of("000161006f6374657400626c6b73697a6500313000424c4b53495a45003200", "duplicate option BLKSIZE"),
                Arguments.of("000161006f6374657400620a00310000", "option name contains a non-ASCII or control byte"),
                Arguments.of("000161006f637465740062003180ff00", "option value contains a non-ASCII or control byte"),
                Arguments.of("0003", "DATA of 2 bytes has no block number"),
                Arguments.of("000300", "DATA of 3 bytes has no block number"),
                Arguments.of("0004", "ACK of 2 bytes, expected 4"),
                Arguments.of("000400", "ACK of 3 bytes, expected 4"),
                Arguments.of("0005", "ERROR of 2 bytes has no error code"),
                Arguments.of("000500", "ERROR of 3 bytes has no error code"),
                Arguments.of("0006626c6b73697a65", "option name is not NUL-terminated"),
                Arguments.of("0006626c6b73697a6500", "option blksize has no value"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void refusesMalformedPackets(String hex, String message) {
        TftpCodecException e = assertThrows(TftpCodecException.class, () -> TftpCodec.decode(hex(hex)));
        assertTrue(e.getMessage().contains(message), () -> e.getMessage() + " should contain " + message);
        assertEquals(TftpErrorCode.ILLEGAL_OPERATION, e.code());
    }

    /** Not UTF-8 (a bad continuation, an overlong '.', a lone Latin-1 byte): no such file, ERROR 1. */
    @ParameterizedTest
    @ValueSource(strings = {"0001c328006f6374657400", "0001c0ae006f6374657400", "000163616fe9006f6374657400"})
    void fileNameThatIsNotUtf8IsNotFound(String hex) {
        TftpCodecException e = assertThrows(TftpCodecException.class, () -> TftpCodec.decode(hex(hex)));
        assertEquals(TftpErrorCode.FILE_NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void refusesOversizedPackets() {
        byte[] data = new byte[4 + TftpPacket.MAX_BLKSIZE + 1];
        data[1] = 3;
        assertThrows(TftpCodecException.class, () -> TftpCodec.decode(data));
        // A request longer than 512 bytes (RFC 2347 §2).
        byte[] rrq = new byte[513];
        rrq[1] = 1;
        java.util.Arrays.fill(rrq, 2, 505, (byte) 'a');
        System.arraycopy("\0octet\0".getBytes(), 0, rrq, 505, 7);
        TftpCodecException e = assertThrows(TftpCodecException.class, () -> TftpCodec.decode(rrq));
        assertTrue(e.getMessage().contains("longer than 512"), e.getMessage());
    }

    @Test
    void tooManyOptionsAreRefused() {
        StringBuilder sb = new StringBuilder("000161006f6374657400");
        for (int i = 0; i < TftpCodec.MAX_OPTIONS + 1; i++) {
            sb.append(HexFormat.of().formatHex(("o" + i + "\0" + "1\0").getBytes()));
        }
        TftpCodecException e = assertThrows(TftpCodecException.class, () -> TftpCodec.decode(hex(sb.toString())));
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
    }

    /**
     * Mutations of real packets and random bytes: decoding either succeeds, and then the result
     * encodes and decodes to itself, or fails with {@link TftpCodecException}. Nothing else.
     */
    @Test
    void fuzzedInputOnlyEverRaisesTheCodecException() throws Exception {
        Random rnd = new Random(20261121L);
        List<byte[]> seeds = Stream.of(ATFTP, ATFTP_WINDOW, TFTP_HPA, TFTP_HPA_ASCII, TFTP_HPA_PUT, CURL, IPXE_BIOS, OVMF,
                "00030001616263", "00040001", "000500016e6600", "0006626c6b73697a650031343638007473697a6500313000")
                .map(TftpCodecTest::hex).toList();
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (i % 10 == 0) {
                b = new byte[rnd.nextInt(40)];
                rnd.nextBytes(b);
                if (b.length > 1 && rnd.nextBoolean()) {
                    b[0] = 0;
                    b[1] = (byte) rnd.nextInt(8);
                }
            } else {
                byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                int len = rnd.nextInt(4) == 0 ? rnd.nextInt(seed.length + 1) : seed.length;
                b = java.util.Arrays.copyOf(seed, len + (rnd.nextInt(8) == 0 ? rnd.nextInt(8) : 0));
                int flips = 1 + rnd.nextInt(3);
                for (int f = 0; f < flips && b.length > 0; f++) {
                    int at = rnd.nextInt(b.length);
                    b[at] = switch (rnd.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> (byte) 0xFF;
                        case 2 -> (byte) (b[at] ^ (1 << rnd.nextInt(8)));
                        default -> (byte) rnd.nextInt(256);
                    };
                }
            }
            TftpPacket p;
            try {
                p = TftpCodec.decode(b);
            } catch (TftpCodecException e) {
                refused++;
                continue;
            }
            decoded++;
            assertEquals(p, TftpCodec.decode(TftpCodec.encode(p)), () -> HexFormat.of().formatHex(b));
        }
        assertTrue(decoded > 10_000 && refused > 10_000, "decoded " + decoded + ", refused " + refused);
    }
}

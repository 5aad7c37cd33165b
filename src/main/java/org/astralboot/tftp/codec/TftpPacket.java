package org.astralboot.tftp.codec;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable TFTP packet (RFC 1350 §5, OACK RFC 2347 §2). Block numbers and error codes are
 * unsigned 16-bit values held in an {@code int}; {@link TftpCodec} converts to and from bytes.
 */
public sealed interface TftpPacket {

    TftpOpcode opcode();

    /** The largest DATA payload any negotiation can produce (RFC 2348 §2). */
    int MAX_BLKSIZE = 65464;

    /** Read request: {@code | 01 | filename | 0 | mode | 0 | [opt | 0 | value | 0]* |}. */
    record Rrq(String filename, TftpMode mode, List<TftpOption> options) implements TftpPacket {
        public Rrq {
            Request.check(filename, mode);
            options = Request.checkOptions(options);
        }

        @Override
        public TftpOpcode opcode() {
            return TftpOpcode.RRQ;
        }

        /** The first option named {@code name} (case-insensitive). */
        public Optional<TftpOption> option(String name) {
            return Request.find(options, name);
        }
    }

    /** Write request; same layout as RRQ. This server answers every one with ERROR 2. */
    record Wrq(String filename, TftpMode mode, List<TftpOption> options) implements TftpPacket {
        public Wrq {
            Request.check(filename, mode);
            options = Request.checkOptions(options);
        }

        @Override
        public TftpOpcode opcode() {
            return TftpOpcode.WRQ;
        }
    }

    /** {@code | 03 | block | data (0..blksize bytes) |}. The payload array is copied in and out. */
    record Data(int block, byte[] data) implements TftpPacket {
        public Data {
            Request.checkBlock(block);
            if (data.length > MAX_BLKSIZE) {
                throw new IllegalArgumentException("DATA payload of " + data.length + " bytes exceeds " + MAX_BLKSIZE);
            }
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        public int length() {
            return data.length;
        }

        @Override
        public TftpOpcode opcode() {
            return TftpOpcode.DATA;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data d && d.block == block && Arrays.equals(d.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * block + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Data[block=" + block + ", " + data.length + " bytes"
                    + (data.length <= 16 ? " " + HexFormat.of().formatHex(data) : "") + "]";
        }
    }

    /** {@code | 04 | block |}. */
    record Ack(int block) implements TftpPacket {
        public Ack {
            Request.checkBlock(block);
        }

        @Override
        public TftpOpcode opcode() {
            return TftpOpcode.ACK;
        }
    }

    /**
     * {@code | 05 | code | message | 0 |}. {@code code} is the raw unsigned value: peers may send
     * codes outside 0-8, which {@link #errorCode()} maps to {@code null}.
     */
    record Error(int code, String message) implements TftpPacket {
        public Error {
            Request.checkBlock(code);
            Objects.requireNonNull(message, "message");
            if (message.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NUL in error message");
            }
        }

        public Error(TftpErrorCode code, String message) {
            this(code.code(), message);
        }

        public TftpErrorCode errorCode() {
            return TftpErrorCode.of(code);
        }

        @Override
        public TftpOpcode opcode() {
            return TftpOpcode.ERROR;
        }
    }

    /** Option acknowledgement {@code | 06 | [opt | 0 | value | 0]* |} (RFC 2347 §2). */
    record Oack(List<TftpOption> options) implements TftpPacket {
        public Oack {
            options = Request.checkOptions(options);
        }

        @Override
        public TftpOpcode opcode() {
            return TftpOpcode.OACK;
        }

        public Optional<TftpOption> option(String name) {
            return Request.find(options, name);
        }
    }

    /** Shared checks of the record constructors. */
    final class Request {
        private Request() {
        }

        static void check(String filename, TftpMode mode) {
            Objects.requireNonNull(filename, "filename");
            Objects.requireNonNull(mode, "mode");
            if (filename.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NUL in file name");
            }
        }

        static List<TftpOption> checkOptions(List<TftpOption> options) {
            List<TftpOption> copy = List.copyOf(options);
            for (int i = 0; i < copy.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (copy.get(i).is(copy.get(j).name())) {
                        throw new IllegalArgumentException("duplicate option " + copy.get(i).name());
                    }
                }
            }
            return copy;
        }

        static Optional<TftpOption> find(List<TftpOption> options, String name) {
            for (TftpOption o : options) {
                if (o.is(name)) {
                    return Optional.of(o);
                }
            }
            return Optional.empty();
        }

        static void checkBlock(int v) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("not an unsigned 16-bit value: " + v);
            }
        }
    }
}

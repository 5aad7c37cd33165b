package org.astralboot.ipfs.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link Varint}: encodings at each length boundary read back, and agree between the two writers. */
class VarintTest {
    @Test
    void writtenValuesReadBackWithTheirLength() {
        long[] values = {0, 1, 127, 128, 255, 16_383, 16_384, 262_144, 262_158, (1L << 35) - 1, Long.MAX_VALUE};
        int[] lengths = {1, 1, 1, 2, 2, 2, 3, 3, 3, 5, 9};
        for (int i = 0; i < values.length; i++) {
            byte[] b = new byte[12];
            int end = Varint.write(values[i], b, 1);
            assertEquals(lengths[i], end - 1, "bytes of " + values[i]);
            assertEquals(lengths[i], Varint.length(values[i]), "length of " + values[i]);
            int[] after = new int[1];
            assertEquals(values[i], Varint.read(b, 1, end, after));
            assertEquals(end, after[0]);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Varint.write(values[i], out);
            assertArrayEquals(Arrays.copyOfRange(b, 1, end), out.toByteArray(), "both writers of " + values[i]);
        }
        assertArrayEquals(new byte[] {(byte) 0x80, (byte) 0x80, 0x10}, Arrays.copyOf(writeOf(262_144), 3),
                "256 KiB as Kubo writes it");
        assertThrows(IllegalArgumentException.class, () -> Varint.write(-1, new byte[9], 0));
    }

    private static byte[] writeOf(long v) {
        byte[] b = new byte[9];
        Varint.write(v, b, 0);
        return b;
    }
}

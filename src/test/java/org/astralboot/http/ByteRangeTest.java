package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

class ByteRangeTest {

    private static ByteRange partial(String h, long size) {
        return assertInstanceOf(ByteRange.Partial.class, ByteRange.parse(h, size)).range();
    }

    @Test
    void singleRanges() {
        assertEquals(new ByteRange(0, 99), partial("bytes=0-99", 1000));
        assertEquals(new ByteRange(10, 999), partial("bytes=10-", 1000));
        assertEquals(new ByteRange(900, 999), partial("bytes=-100", 1000));
        assertEquals(new ByteRange(0, 999), partial("bytes=-5000", 1000)); // suffix longer than file
        assertEquals(new ByteRange(990, 999), partial("bytes=990-5000", 1000)); // last clipped
        assertEquals(new ByteRange(5, 5), partial("BYTES=5-5", 1000));
        assertEquals("bytes 0-99/1000", new ByteRange(0, 99).contentRange(1000));
        assertEquals(100, new ByteRange(0, 99).length());
    }

    @Test
    void unsatisfiable() {
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=1000-", 1000));
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=5000-6000", 1000));
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=-0", 1000));
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=0-", 0));
    }

    @Test
    void ignoredHeadersSendTheWholeFile() {
        for (String h : new String[] {null, "", "items=0-1", "bytes=", "bytes=a-b", "bytes=5-1", "bytes=0-1,5-6",
            "bytes=-", "bytes=1-2-3", "bytes=99999999999999999999-", "bytes=+1-2"}) {
            assertInstanceOf(ByteRange.Full.class, ByteRange.parse(h, 1000), String.valueOf(h));
        }
    }
}

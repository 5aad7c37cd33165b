package org.astralboot.dhcp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The options set: packet order, one value per code, and a built set unchanged by later builder changes. */
class DhcpOptionsTest {

    @Test
    void keepsFirstAppearanceOrderAndReplacesInPlace() {
        DhcpOptions o = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, 1).putInt(DhcpOption.LEASE_TIME, 60)
                .put(DhcpOption.SERVER_ID, new byte[] {1, 2, 3, 4}).putInt(DhcpOption.LEASE_TIME, 120).build();
        assertArrayEquals(new int[] {53, 51, 54}, o.codes());
        assertEquals(120, o.intValue(DhcpOption.LEASE_TIME, -1));
        assertEquals(4, o.length(54));
        assertEquals(3, o.byteAt(54, 2));
        assertEquals(-1, o.length(55));
        assertNull(o.get(55));
        assertFalse(o.has(0));
        assertFalse(o.has(255));
    }

    @Test
    void builtSetIsNotChangedByTheBuilderAfterwards() {
        DhcpOptions.Builder b = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, 1)
                .putInt(DhcpOption.LEASE_TIME, 60).putInt(DhcpOption.SERVER_ID, 7);
        DhcpOptions first = b.build();
        b.remove(DhcpOption.MESSAGE_TYPE.code).putInt(DhcpOption.LEASE_TIME, 99).putInt(DhcpOption.RENEWAL_TIME, 30);
        b.append(DhcpOption.SERVER_ID.code, new byte[] {9}, 0, 1);
        DhcpOptions second = b.build();

        assertArrayEquals(new int[] {53, 51, 54}, first.codes());
        assertEquals(60, first.intValue(DhcpOption.LEASE_TIME, -1));
        assertEquals(4, first.length(54));
        assertFalse(first.has(DhcpOption.RENEWAL_TIME));

        assertArrayEquals(new int[] {51, 54, 58}, second.codes());
        assertFalse(second.has(DhcpOption.MESSAGE_TYPE));
        assertEquals(99, second.intValue(DhcpOption.LEASE_TIME, -1));
        assertArrayEquals(new byte[] {0, 0, 0, 7, 9}, second.get(DhcpOption.SERVER_ID));
        assertEquals(30, second.intValue(DhcpOption.RENEWAL_TIME, -1));
        assertNotEquals(first, second);
    }

    @Test
    void removeKeepsTheOthersFindable() {
        DhcpOptions.Builder b = DhcpOptions.builder();
        for (int code = 1; code <= 254; code++) {
            b.put(code, new byte[] {(byte) code});
        }
        b.remove(100).remove(1);
        DhcpOptions o = b.build();
        assertEquals(252, o.size());
        for (int code = 2; code <= 254; code++) {
            assertEquals(code != 100, o.has(code), "code " + code);
            if (code != 100) {
                assertEquals(code, o.byteAt(code, 0), "code " + code);
            }
        }
        assertNotEquals(DhcpOptions.EMPTY, o);
    }

    @Test
    void equalityIsByOrderAndValues() {
        DhcpOptions a = DhcpOptions.builder().putInt(DhcpOption.LEASE_TIME, 1).putByte(DhcpOption.MESSAGE_TYPE, 2).build();
        DhcpOptions b = DhcpOptions.builder().putInt(DhcpOption.LEASE_TIME, 1).putByte(DhcpOption.MESSAGE_TYPE, 2).build();
        DhcpOptions c = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, 2).putInt(DhcpOption.LEASE_TIME, 1).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
        assertTrue(DhcpOptions.EMPTY.equals(DhcpOptions.builder().build()));
    }
}

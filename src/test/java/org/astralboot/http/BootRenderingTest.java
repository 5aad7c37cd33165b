package org.astralboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.astralboot.boot.BootDecision;
import org.junit.jupiter.api.Test;

/** The replies {@link BootHandler} writes in code: decisions without a template, the machine status JSON. */
class BootRenderingTest {

    @Test
    void bootWithoutViewIsAPlainScriptWithNamedInitrds() {
        String s = IpxeScripts.plain(new BootDecision.Boot("static $kernel", "http://192.0.2.1/k",
                List.of("http://192.0.2.1/a", "http://192.0.2.1/b"), "console=ttyS0", null));
        assertEquals("""
                #!ipxe
                echo Astralboot: booting static ?kernel
                kernel http://192.0.2.1/k initrd=initrd0 initrd=initrd1 console=ttyS0 || goto failed
                initrd --name initrd0 http://192.0.2.1/a || goto failed
                initrd --name initrd1 http://192.0.2.1/b || goto failed
                boot || goto failed
                :failed
                echo Astralboot: booting static ?kernel failed (see above).
                prompt --timeout 10000 Press any key to return to the menu ||
                exit 1
                """, s);
        String bare = IpxeScripts.plain(new BootDecision.Boot("x", "http://192.0.2.1/k", List.of(), "", null));
        assertTrue(bare.startsWith("#!ipxe\necho Astralboot: booting x\nkernel http://192.0.2.1/k || goto failed\nboot || goto failed\n"),
                bare);
    }

    @Test
    void localDiskWithoutView() {
        assertEquals("""
                #!ipxe
                echo Astralboot: debian installed; booting from local disk.
                iseq ${platform} efi && exit ||
                sanboot --no-describe --drive 0x80 || exit
                """, IpxeScripts.plain(new BootDecision.LocalDisk("debian", null)));
        assertThrows(IllegalArgumentException.class, () -> IpxeScripts.plain(new BootDecision.Script("#!ipxe\n")));
    }

    /** The bytes the string-built JSON of earlier versions wrote, field for field. */
    @Test
    void machineStatusJsonKeepsItsBytes() throws Exception {
        assertEquals("{\"mac\":\"52:54:00:12:34:56\",\"state\":\"chosen\",\"os\":\"flatcar\",\"class\":\"worker\","
                + "\"ip\":\"192.0.2.10\",\"hostname\":\"node10\",\"first_seen\":\"2026-01-02T03:04:05Z\","
                + "\"updated\":\"2026-01-02T03:04:06.500Z\"}\n",
                BootHandler.json(new BootHandler.MachineStatus("52:54:00:12:34:56", "chosen", "flatcar", "worker",
                        "192.0.2.10", "node10", "2026-01-02T03:04:05Z", "2026-01-02T03:04:06.500Z")));
        assertEquals("{\"mac\":\"52:54:00:12:34:56\",\"state\":\"new\",\"os\":\"\",\"class\":\"\",\"ip\":\"\","
                + "\"hostname\":\"a\\\"b\\\\c\",\"first_seen\":\"x\",\"updated\":\"y\"}\n",
                BootHandler.json(new BootHandler.MachineStatus("52:54:00:12:34:56", "new", "", "", "", "a\"b\\c", "x", "y")));
    }
}

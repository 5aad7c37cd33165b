package org.astralboot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Case 5: sticky choice and install-once, with a VM that has a local disk whose boot code prints
 * {@value BootLab#LOCAL_DISK}.
 * <ol>
 * <li>First boot: the menu times out to {@code marker2}; that choice is recorded for the MAC.</li>
 * <li>Astralboot restarts with no menu default (the menu would wait forever): the machine boots
 * {@code marker2} again without the menu.</li>
 * <li>The installer end hook (the {@code installed_url} the OS got on its command line) is called
 * from the machine's network, as a preseed late command would.</li>
 * <li>Next boot: iPXE leaves to the local disk, which prints its marker.</li>
 * </ol>
 */
class AstralbootStickyInstallIT {
    static final String MAC = "52:54:00:e2:05:01";
    private static final Pattern HOOK = Pattern.compile("e2e\\.installed=(\\S+)");

    @Test
    void chosenOsIsStickyAndInstalledMachineBootsLocalDisk() throws Exception {
        try (BootLab lab = BootLab.create("AstralbootStickyInstallIT")) {
            lab.startAstralboot(lab.config(TestOs.tree(), "full", TestOs.OS2, 2), "-l");
            BootResult first = lab.boot(Firmware.BIOS_IPXE_ROM, MAC, true, Duration.ofSeconds(180));
            assertEquals(Optional.of(TestOs.OS2), first.bootedOs(), "first boot: menu default");
            assertTrue(first.console().contains("E2E test OS marker (busybox marker)"), "first boot showed the menu");

            lab.stopAstralboot();
            lab.startAstralboot(lab.config(TestOs.tree(), "full", "", 10), "-l");
            BootResult second = lab.boot(Firmware.BIOS_IPXE_ROM, MAC, true, Duration.ofSeconds(180));
            assertEquals(Optional.of(TestOs.OS2), second.bootedOs(), "second boot: the recorded choice, no menu");
            assertFalse(second.console().contains("E2E test OS marker (busybox marker)"), "no menu on the second boot");

            Matcher m = HOOK.matcher(second.cmdline().orElseThrow());
            assertTrue(m.find(), "installer end-hook URL on the command line: " + second.cmdline().orElseThrow());
            lab.httpGet(m.group(1));

            BootResult third = lab.boot(Firmware.BIOS_IPXE_ROM, MAC, true, Duration.ofSeconds(120), BootLab.LOCAL_DISK);
            assertEquals(BootLab.LOCAL_DISK, third.matched(), "installed machine left iPXE to the local disk");
            assertEquals(Optional.empty(), third.bootedOs(), "no network OS booted after install");
            lab.passed();
        }
    }
}

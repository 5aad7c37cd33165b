package org.astralboot.dhcp.engine;

import org.astralboot.config.Config;

/**
 * The boot file for a client's firmware.
 *
 * @param file    file name under the TFTP root, or a full HTTP URL
 * @param tftp    fetched over TFTP from this server (siaddr and option 66 are set)
 * @param http    a UEFI HTTP Boot client: reply carries vendor class {@code HTTPClient}
 */
public record BootChoice(String file, boolean tftp, boolean http) {

    /**
     * Picks the boot file: iPXE gets {@code <http.url>/boot.ipxe}; HTTP Boot clients get the HTTP URL of
     * the EFI iPXE; PXE firmware gets the iPXE build for its architecture over TFTP. {@code null} for a
     * client that is not PXE or has an architecture we have no binary for.
     */
    public static BootChoice of(Firmware fw, Config cfg) {
        if (!fw.pxe()) {
            return null;
        }
        Config.Dhcp d = cfg.dhcp();
        String base = cfg.http().base();
        if (fw.ipxe()) {
            return new BootChoice(base + "/boot.ipxe", false, false);
        }
        if (fw.httpClient()) {
            String bin = switch (fw.arch()) {
                case Firmware.ARCH_HTTP_IA32 -> d.efiIa32Binary();
                case Firmware.ARCH_HTTP_ARM64, Firmware.ARCH_EFI_ARM64 -> d.arm64Binary();
                default -> d.efiBinary();
            };
            return new BootChoice(base + "/tftp/" + bin, false, true);
        }
        String bin = switch (fw.arch()) {
            case Firmware.ARCH_BIOS -> d.biosBinary();
            case Firmware.ARCH_EFI_IA32 -> d.efiIa32Binary();
            case Firmware.ARCH_EFI_X64, Firmware.ARCH_EFI_BC -> d.efiBinary();
            case Firmware.ARCH_EFI_ARM64 -> d.arm64Binary();
            default -> null;
        };
        return bin == null ? null : new BootChoice(bin, true, false);
    }
}

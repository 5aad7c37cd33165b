package org.astralboot.dhcp.engine;

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
    public static BootChoice of(Firmware fw, DhcpSettings.BootFiles d) {
        if (!fw.pxe()) {
            return null;
        }
        String base = d.httpBase();
        if (fw.ipxe()) {
            return new BootChoice(base + "/boot.ipxe", false, false);
        }
        if (fw.httpClient()) {
            String bin = switch (fw.arch()) {
                case Firmware.ARCH_HTTP_IA32 -> d.efiIa32();
                case Firmware.ARCH_HTTP_ARM64, Firmware.ARCH_EFI_ARM64 -> d.arm64();
                default -> d.efi();
            };
            return new BootChoice(base + "/tftp/" + bin, false, true);
        }
        String bin = switch (fw.arch()) {
            case Firmware.ARCH_BIOS -> d.bios();
            case Firmware.ARCH_EFI_IA32 -> d.efiIa32();
            case Firmware.ARCH_EFI_X64, Firmware.ARCH_EFI_BC -> d.efi();
            case Firmware.ARCH_EFI_ARM64 -> d.arm64();
            default -> null;
        };
        return bin == null ? null : new BootChoice(bin, true, false);
    }
}

package org.astralboot.e2e;

/** How the virtual machine network-boots. */
enum Firmware {
    /** SeaBIOS with QEMU's iPXE option ROM on the NIC: the first DHCP already carries user class "iPXE". */
    BIOS_IPXE_ROM,
    /**
     * OVMF with a NIC that has no option ROM: the firmware's own PXE (option 93 = 7) fetches an EFI iPXE
     * over TFTP, which then does its own DHCP.
     */
    UEFI_FIRMWARE_PXE,
    /**
     * OVMF's own UEFI HTTP boot over IPv4 (arch 16, vendor class HTTPClient): its PXE boot options
     * switched off ({@code opt/org.tianocore/IPv4PXESupport}, {@code IPv6PXESupport} = n), so the
     * first network boot option is HTTP over IPv4.
     */
    UEFI_HTTP_BOOT,
    /** OVMF's PXE over IPv6 (DHCPv6, TFTP over IPv6): PXE over IPv4 switched off. */
    UEFI_PXE_IPV6,
    /** OVMF's UEFI HTTP boot over IPv6: both PXE options off; HTTP over IPv4 gets no DHCPv4 answer first. */
    UEFI_HTTP_BOOT_IPV6;

    /** OVMF with its own network boot (no option ROM on the NIC). */
    boolean ovmf() {
        return this != BIOS_IPXE_ROM;
    }
}

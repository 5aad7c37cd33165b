package org.astralboot.e2e;

/** How the virtual machine network-boots. */
enum Firmware {
    /** SeaBIOS with QEMU's iPXE option ROM on the NIC: the first DHCP already carries user class "iPXE". */
    BIOS_IPXE_ROM,
    /**
     * OVMF with a NIC that has no option ROM: the firmware's own PXE (option 93 = 7) fetches an EFI iPXE
     * over TFTP, which then does its own DHCP.
     */
    UEFI_FIRMWARE_PXE
}

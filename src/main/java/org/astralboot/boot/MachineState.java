package org.astralboot.boot;

/**
 * Life cycle of a machine record. {@code NEW → CHOSEN} when an OS (and class) is picked in the menu;
 * {@code CHOSEN → INSTALLED} when the installer calls the end hook; picking again from the menu
 * goes back to {@code CHOSEN} (a deliberate reinstall).
 */
public enum MachineState {
    /** Seen at {@code /boot.ipxe}, no OS chosen yet: gets the menu. */
    NEW,
    /** OS (and class) chosen: boots that OS again (diskless OSes stay here for good). */
    CHOSEN,
    /** The installer reported success: boots from the local disk, with a menu escape. */
    INSTALLED
}

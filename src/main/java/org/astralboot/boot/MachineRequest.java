package org.astralboot.boot;

import java.util.Optional;
import org.astralboot.net.MacAddress;

/**
 * One machine asking what to boot: the input of a {@link BootPolicy}. Pixiecore's {@code Machine}
 * (MAC and architecture) plus what the boot services already know of it. Identity is the MAC of
 * the URL; nothing here comes from request headers.
 *
 * @param mac      the boot NIC
 * @param sourceIp source address of the request, or ""
 * @param key      the machine's {@link MachineKeys key} when {@link MachineAccess} ties the request
 *                 to the machine, else "": it goes only into the machine's own URLs
 * @param machine  its record in the {@link MachineRegistry}, if it has one
 * @param arch     firmware architecture ({@code bios}, {@code efi64}, ...), or "" when the request
 *                 does not say (the HTTP routes carry only the MAC today)
 */
public record MachineRequest(MacAddress mac, String sourceIp, String key, Optional<Machine> machine, String arch) {

    public MachineRequest {
        sourceIp = sourceIp == null ? "" : sourceIp;
        key = key == null ? "" : key;
        arch = arch == null ? "" : arch;
    }
}

package org.astralboot.dhcp6.engine;

import org.astralboot.dhcp.engine.Firmware;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Dhcp6Option;

/**
 * Classifies a DHCPv6 client's boot firmware into the IPv4 engine's {@link Firmware}: the
 * architecture from CLIENT_ARCH_TYPE (RFC 5970 §3.3, the first, most preferred type), else from the
 * {@code Arch:xxxxx} field of a {@code PXEClient} vendor class (EDK2 sends both); UEFI HTTP boot by
 * vendor class {@code HTTPClient} (EDK2 HttpBootDxe) or arch 15/16/19; iPXE by user class {@code iPXE}.
 */
public final class Dhcp6Firmware {
    private Dhcp6Firmware() {
    }

    /** Never fails: a client with none of these is "not PXE". */
    public static Firmware of(Dhcp6Message m) {
        int arch = m.first(Dhcp6Option.ClientArch.class).map(a -> a.types().get(0)).orElse(-1);
        boolean pxeClass = false;
        boolean httpClass = false;
        for (Dhcp6Option.VendorClass v : m.all(Dhcp6Option.VendorClass.class)) {
            for (String d : v.data()) {
                pxeClass |= d.startsWith("PXEClient");
                httpClass |= d.startsWith("HTTPClient");
                if (arch < 0 && (d.startsWith("PXEClient") || d.startsWith("HTTPClient"))) {
                    arch = Firmware.archFromVendorClass(d);
                }
            }
        }
        boolean ipxe = m.all(Dhcp6Option.UserClass.class).stream().anyMatch(u -> u.classes().contains("iPXE"));
        boolean pxe = pxeClass || httpClass || arch >= 0;
        boolean http = httpClass || arch == Firmware.ARCH_HTTP_X64 || arch == Firmware.ARCH_HTTP_IA32
                || arch == Firmware.ARCH_HTTP_ARM64;
        if (!pxe && !ipxe) {
            return new Firmware(false, -1, false, false);
        }
        return new Firmware(true, arch, http, ipxe);
    }
}

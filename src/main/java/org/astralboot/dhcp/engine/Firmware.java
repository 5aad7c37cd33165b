package org.astralboot.dhcp.engine;

import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpOptions;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.codec.DhcpQuirk;
import org.astralboot.net.QuirkSink;

/**
 * What a client's boot firmware is, from its request: PXE or not, the client architecture (RFC 4578
 * §2.1 option 93, falling back to the {@code Arch:xxxxx} field of option 60 for EDK2 stacks that omit
 * 93), UEFI HTTP Boot ({@code HTTPClient}) and iPXE (user class 77 {@code iPXE}).
 *
 * @param pxe        the client asks for a boot file (vendor class PXEClient/HTTPClient or option 93)
 * @param arch       IANA processor architecture type, -1 when unknown
 * @param httpClient UEFI HTTP Boot client (vendor class HTTPClient or arch 15/16/19)
 * @param ipxe       iPXE is already running (user class iPXE): hand it the boot script
 */
public record Firmware(boolean pxe, int arch, boolean httpClient, boolean ipxe) {

    /** Arch codes from the IANA "Processor Architecture Types" registry used here. */
    public static final int ARCH_BIOS = 0;
    public static final int ARCH_EFI_IA32 = 6;
    public static final int ARCH_EFI_X64 = 7;
    public static final int ARCH_EFI_BC = 9;
    public static final int ARCH_EFI_ARM64 = 11;
    public static final int ARCH_HTTP_IA32 = 15;
    public static final int ARCH_HTTP_X64 = 16;
    public static final int ARCH_HTTP_ARM64 = 19;

    static final Firmware NONE = new Firmware(false, -1, false, false);

    /** Classifies {@code p}. Never fails: odd values just make the client "not PXE" or arch unknown. */
    public static Firmware of(DhcpPacket p) {
        return of(p, QuirkSink.none());
    }

    /**
     * Classifies {@code p}, reporting {@link DhcpQuirk#ARCH_FROM_VENDOR_CLASS} when option 93 was
     * missing and the vendor class gave the architecture, and {@link DhcpQuirk#RAW_USER_CLASS} when
     * a bare user class identified iPXE.
     */
    public static Firmware of(DhcpPacket p, QuirkSink<DhcpQuirk> quirks) {
        DhcpOptions o = p.options();
        String vc = o.text(DhcpOption.VENDOR_CLASS).orElse("");
        boolean pxeClass = vc.startsWith("PXEClient");
        boolean httpClass = vc.startsWith("HTTPClient");
        int arch = -1;
        if (o.length(DhcpOption.CLIENT_ARCH.code) >= 2) {
            // RFC 4578 §2.1 allows a list; the first entry is the one that matters.
            arch = (o.byteAt(DhcpOption.CLIENT_ARCH.code, 0) << 8) | o.byteAt(DhcpOption.CLIENT_ARCH.code, 1);
        } else if (pxeClass || httpClass) {
            arch = archFromVendorClass(vc);
            if (arch >= 0) {
                quirks.tolerated(DhcpQuirk.ARCH_FROM_VENDOR_CLASS);
            }
        }
        boolean ipxe = isIpxe(o, quirks);
        boolean pxe = pxeClass || httpClass || arch >= 0;
        boolean http = httpClass || arch == ARCH_HTTP_X64 || arch == ARCH_HTTP_IA32 || arch == ARCH_HTTP_ARM64;
        if (!pxe && !ipxe) {
            return NONE;
        }
        return new Firmware(pxe || ipxe, arch, http, ipxe);
    }

    /** {@code PXEClient:Arch:00007:UNDI:003016} → 7; -1 when the field is missing or not a number. */
    public static int archFromVendorClass(String vc) {
        int i = vc.indexOf(":Arch:");
        if (i < 0 || vc.length() < i + 11) {
            return -1;
        }
        String digits = vc.substring(i + 6, i + 11);
        for (int k = 0; k < 5; k++) {
            if (digits.charAt(k) < '0' || digits.charAt(k) > '9') {
                return -1;
            }
        }
        int v = Integer.parseInt(digits);
        return v <= 0xFFFF ? v : -1;
    }

    /**
     * iPXE sends user class {@code iPXE} as the raw option value; RFC 3004 clients wrap each class in
     * a length byte. Both forms are accepted; the bare one is reported as {@link DhcpQuirk#RAW_USER_CLASS}.
     */
    static boolean isIpxe(DhcpOptions o, QuirkSink<DhcpQuirk> quirks) {
        byte[] v = o.get(DhcpOption.USER_CLASS);
        if (v == null) {
            return false;
        }
        if (matches(v, 0, v.length)) {
            quirks.tolerated(DhcpQuirk.RAW_USER_CLASS);
            return true;
        }
        int i = 0;
        while (i < v.length) {
            int l = v[i] & 0xFF;
            if (l == 0 || i + 1 + l > v.length) {
                return false;
            }
            if (matches(v, i + 1, l)) {
                return true;
            }
            i += 1 + l;
        }
        return false;
    }

    private static boolean matches(byte[] v, int off, int len) {
        return len == 4 && v[off] == 'i' && v[off + 1] == 'P' && v[off + 2] == 'X' && v[off + 3] == 'E';
    }

    /** Short text for logs: {@code arch 7}, {@code iPXE}, {@code HTTP boot}. */
    public String describe() {
        if (ipxe) {
            return "iPXE";
        }
        return (httpClient ? "HTTP boot, " : "") + "arch " + (arch < 0 ? "?" : Integer.toString(arch));
    }

    /**
     * The firmware as boot events and the {@code firmware} label of the boot metrics name it:
     * {@code bios}, {@code efi-x64}, {@code efi-ia32}, {@code efi-arm64}, {@code http-x64} (UEFI
     * HTTP Boot) ..., {@code ipxe} when only the user class tells, {@code arch-N} for others; ""
     * for a client that is no network boot firmware. The same names for DHCP and DHCPv6.
     */
    public String eventName() {
        return switch (arch) {
            case ARCH_BIOS -> "bios";
            case ARCH_EFI_IA32 -> "efi-ia32";
            case ARCH_EFI_X64, ARCH_EFI_BC -> "efi-x64";
            case ARCH_EFI_ARM64 -> "efi-arm64";
            case ARCH_HTTP_IA32 -> "http-ia32";
            case ARCH_HTTP_X64 -> "http-x64";
            case ARCH_HTTP_ARM64 -> "http-arm64";
            case -1 -> ipxe ? "ipxe" : "";
            default -> "arch-" + arch;
        };
    }

    /**
     * The architecture as a boot API's {@code ?arch=} names it (RFC 4578 §2.1 option 93 codes, the
     * HTTP boot codes of the IANA registry folded into their PXE peers): {@code bios}, {@code
     * efi32}, {@code efi64}, {@code arm64}, or "" for a code without a name.
     */
    public String archName() {
        return switch (arch) {
            case ARCH_BIOS -> "bios";
            case ARCH_EFI_IA32, ARCH_HTTP_IA32 -> "efi32";
            case ARCH_EFI_X64, ARCH_EFI_BC, ARCH_HTTP_X64 -> "efi64";
            case ARCH_EFI_ARM64, ARCH_HTTP_ARM64 -> "arm64";
            default -> "";
        };
    }
}

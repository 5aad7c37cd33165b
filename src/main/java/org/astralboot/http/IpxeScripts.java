package org.astralboot.http;

import org.astralboot.boot.BootDecision;
import org.astralboot.boot.BootDecision.Boot;
import org.astralboot.boot.BootDecision.LocalDisk;

/**
 * iPXE scripts written in code rather than from templates: the error script of {@link
 * BootHandler}'s one error path, and the script of a decision that brings no
 * {@link BootDecision.View} (a boot source other than the boot tree).
 */
final class IpxeScripts {
    private IpxeScripts() {
    }

    /**
     * The script of {@code d}, a {@link Boot} or {@link LocalDisk}. The initrds are named
     * {@code initrd0}, {@code initrd1}... on the kernel line, as an EFI-stub kernel needs; URLs and
     * command line are the decision's, unchanged.
     */
    static String plain(BootDecision d) {
        return switch (d) {
            case Boot b -> {
                String label = ipxeSafe(b.label());
                StringBuilder s = new StringBuilder("#!ipxe\necho Astralboot: booting " + label + "\nkernel ")
                        .append(b.kernel());
                for (int i = 0; i < b.initrds().size(); i++) {
                    s.append(" initrd=initrd").append(i);
                }
                s.append(b.cmdline().isEmpty() ? "" : " " + b.cmdline()).append(" || goto failed\n");
                for (int i = 0; i < b.initrds().size(); i++) {
                    s.append("initrd --name initrd").append(i).append(' ').append(b.initrds().get(i)).append(" || goto failed\n");
                }
                yield s.append("boot || goto failed\n:failed\n")
                        .append("echo Astralboot: booting ").append(label).append(" failed (see above).\n")
                        .append("prompt --timeout 10000 Press any key to return to the menu ||\nexit 1\n").toString();
            }
            case LocalDisk l -> "#!ipxe\n"
                    + "echo Astralboot: " + ipxeSafe(l.os()) + " installed; booting from local disk.\n"
                    + "iseq ${platform} efi && exit ||\n"
                    + "sanboot --no-describe --drive 0x80 || exit\n";
            default -> throw new IllegalArgumentException("no plain script for " + d.getClass().getSimpleName());
        };
    }

    /** An iPXE script printing the reason, then returning failure to the script that chained it. */
    static String error(int status, String reason) {
        String r = ipxeSafe(reason);
        String wait = status == 503 ? "Retrying in 10 seconds" : "Press any key to return to the menu";
        return "#!ipxe\n"
                + "echo Astralboot error " + status + ": " + r + "\n"
                + "prompt --timeout 10000 " + wait + "... ||\n"
                + "exit 1\n";
    }

    /** Text safe on an iPXE {@code echo} line: no settings expansion, no line breaks. */
    static String ipxeSafe(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && i < 300; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || " ._:/,'()=+-[]@#_".indexOf(c) >= 0;
            sb.append(ok ? c : '?');
        }
        return sb.toString();
    }
}

package org.astralboot.dhcp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real boot firmware in QEMU (software emulation) on a tap in a namespace: QEMU's iPXE ROM (BIOS)
 * takes its address and boot script URL from Astralboot in full mode, and OVMF's own UEFI PXE,
 * beside dnsmasq as the site's DHCP server, gets its boot file through proxyDHCP and the port-4011
 * step. The test stops at the DHCP result printed by the firmware (what it then fetches is the
 * TFTP/HTTP tests' business).
 */
class DhcpFirmwareIT {
    @TempDir
    Path dir;

    @Test
    void ipxeRomGetsAddressAndScriptUrl() throws Exception {
        String tap = "abdt" + DhcpItSupport.suffix();
        try (Netns srv = Netns.create("abd")) {
            srv.run(Duration.ofSeconds(5), "ip", "tuntap", "add", "dev", tap, "mode", "tap").check();
            srv.run(Duration.ofSeconds(5), "ip", "addr", "add", "198.18.28.1/24", "dev", tap).check();
            srv.run(Duration.ofSeconds(5), "ip", "link", "set", tap, "up").check();
            DhcpItSupport.config(dir, tap, """
                    range_start = "198.18.28.10"
                    range_end = "198.18.28.20"
                    """);
            Path log = dir.resolve("server.log");
            DhcpItSupport.startServer(srv, dir, log);
            Path serial = dir.resolve("bios.serial");
            srv.start(dir.resolve("qemu.log"), "timeout", "60", "qemu-system-x86_64", "-m", "256", "-nographic",
                    "-no-reboot", "-boot", "n", "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
                    "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:28:00:01", "-display", "none",
                    "-serial", "file:" + serial, "-monitor", "none");
            Netns.awaitLog(serial, "net0: 198.18.28.10/255.255.255.0 gw 198.18.28.1", Duration.ofSeconds(50));
            Netns.awaitLog(serial, "Filename: http://198.18.28.1:8080/boot.ipxe", Duration.ofSeconds(10));
            Netns.awaitLog(log, "dhcp ACK 198.18.28.10 to 52:54:00:28:00:01 (iPXE, http://198.18.28.1:8080/boot.ipxe)",
                    Duration.ofSeconds(5));
        }
    }

    @Test
    void ovmfPxeBesideDnsmasqGetsEfiBinaryThroughPort4011() throws Exception {
        String tap = "abdt" + DhcpItSupport.suffix();
        try (Netns srv = Netns.create("abd")) {
            srv.run(Duration.ofSeconds(5), "ip", "tuntap", "add", "dev", tap, "mode", "tap").check();
            srv.run(Duration.ofSeconds(5), "ip", "addr", "add", "198.18.29.1/24", "dev", tap).check();
            srv.run(Duration.ofSeconds(5), "ip", "link", "set", tap, "up").check();
            srv.start(dir.resolve("dnsmasq.log"), "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                    "--no-ping", "--log-dhcp", "--interface=" + tap, "--bind-interfaces",
                    "--dhcp-range=198.18.29.100,198.18.29.150,1h",
                    "--dhcp-leasefile=" + dir.resolve("dnsmasq.leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"));
            DhcpItSupport.config(dir, tap, """
                    mode = "proxy"
                    """);
            Path log = dir.resolve("server.log");
            DhcpItSupport.startServer(srv, dir, log);
            Path vars = dir.resolve("vars.fd");
            Files.copy(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), vars);
            Path serial = dir.resolve("ovmf.serial");
            srv.start(dir.resolve("qemu.log"), "timeout", "90", "qemu-system-x86_64", "-m", "256", "-nographic",
                    "-no-reboot", "-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
                    "-drive", "if=pflash,format=raw,file=" + vars,
                    "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
                    "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:29:00:07,romfile=", "-display", "none",
                    "-serial", "file:" + serial, "-monitor", "none");
            Netns.awaitLog(serial, "Station IP address is 198.18.29.1", Duration.ofSeconds(80)); // from dnsmasq
            Netns.awaitLog(serial, "NBP filename is ipxe.efi", Duration.ofSeconds(10)); // from us, via 4011
            Netns.awaitLog(log, "dhcp proxy OFFER to 52:54:00:29:00:07 (arch 7, boot file on port 4011)",
                    Duration.ofSeconds(5));
            Netns.awaitLog(log, "dhcp proxy ACK (port 4011) to 52:54:00:29:00:07 (arch 7, ipxe.efi)", Duration.ofSeconds(5));
        }
    }
}

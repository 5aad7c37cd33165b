package org.astralboot.dhcp;

import static org.astralboot.dhcp.DhcpItSupport.probe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.astralboot.testing.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * proxyDHCP beside dnsmasq as the site's DHCP server on the same link: dnsmasq hands out addresses,
 * Astralboot answers PXE clients only, with boot information and no address; UEFI firmware gets its
 * file from the port-4011 step.
 */
class DhcpProxyIT {
    @TempDir
    Path dir;

    static String only(List<String> replies, String fromAndYiaddr) {
        return replies.stream().filter(l -> l.contains(fromAndYiaddr)).findFirst()
                .orElseThrow(() -> new AssertionError(fromAndYiaddr + " not in " + replies));
    }

    @Test
    void proxyBesideDnsmasq() throws Exception {
        String sfx = DhcpItSupport.suffix();
        String sif = "abds" + sfx;
        String cif = "abdc" + sfx;
        try (Netns srv = Netns.create("abd"); Netns cli = Netns.create("abd")) {
            Netns.veth(srv, sif, "198.18.20.1/24", cli, cif, "198.18.20.250/24");
            cli.run(Duration.ofSeconds(5), "ip", "route", "add", "255.255.255.255", "dev", cif).check();
            srv.start(dir.resolve("dnsmasq.log"), "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0",
                    "--no-ping", "--log-dhcp", "--interface=" + sif, "--bind-interfaces",
                    "--dhcp-range=198.18.20.100,198.18.20.150,1h",
                    "--dhcp-leasefile=" + dir.resolve("dnsmasq.leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"));
            Netns.awaitLog(dir.resolve("dnsmasq.log"), "DHCP, IP range", Duration.ofSeconds(10));
            DhcpItSupport.config(dir, sif, """
                    mode = "proxy"
                    """);
            Path log = dir.resolve("server.log");
            DhcpItSupport.startServer(srv, dir, log);

            // A plain client: only dnsmasq answers.
            List<String> plain = probe(cli, "mac=52:54:00:20:00:01", "wait=1500");
            assertEquals(1, plain.size(), plain.toString());
            assertTrue(plain.get(0).contains("yiaddr=198.18.20.1"), plain.toString());

            // UEFI firmware PXE (arch 7): our offer has no address, no file, no option 43 ...
            List<String> efi = probe(cli, "mac=52:54:00:20:00:07", "arch=7", "vendor=PXEClient:Arch:00007:UNDI:003016",
                    "wait=1500");
            assertEquals(2, efi.size(), efi.toString());
            only(efi, "yiaddr=198.18.20.1");
            String ours = only(efi, "yiaddr=0.0.0.0");
            assertTrue(ours.contains(" file= ") && ours.contains(" o43= ") && ours.contains(" vc=PXEClient ")
                    && ours.contains(" sid=198.18.20.1 "), ours);
            // ... so the firmware asks the boot server on 4011 and gets the EFI iPXE there.
            List<String> binl = probe(cli, "mac=52:54:00:20:00:07", "type=request", "arch=7",
                    "vendor=PXEClient:Arch:00007:UNDI:003016", "ciaddr=198.18.20.250", "dest=198.18.20.1",
                    "port=4011", "sport=4011", "wait=1500");
            assertEquals(1, binl.size(), binl.toString());
            assertTrue(binl.get(0).startsWith("REPLY ACK from=198.18.20.1 port=4011 yiaddr=0.0.0.0 siaddr=198.18.20.1 "
                    + "file=ipxe.efi "), binl.get(0));

            // BIOS PXE: the boot file and discovery control right in the proxy offer.
            List<String> bios = probe(cli, "mac=52:54:00:20:00:00", "arch=0", "vendor=PXEClient:Arch:00000:UNDI:002001",
                    "wait=1500");
            String b = only(bios, "yiaddr=0.0.0.0");
            assertTrue(b.contains(" file=undionly.kpxe ") && b.contains(" o43=060108ff ")
                    && b.contains(" siaddr=198.18.20.1 "), b);

            // iPXE: the boot script URL.
            List<String> ipxe = probe(cli, "mac=52:54:00:20:00:99", "arch=7", "vendor=PXEClient:Arch:00007:UNDI:003016",
                    "userclass=iPXE", "wait=1500");
            assertTrue(only(ipxe, "yiaddr=0.0.0.0").contains(" file=http://198.18.20.1:8080/boot.ipxe "), ipxe.toString());
        }
    }
}

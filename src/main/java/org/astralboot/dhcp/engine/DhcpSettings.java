package org.astralboot.dhcp.engine;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.astralboot.net.Ipv4Subnet;

/**
 * What the {@link DhcpEngine} needs to know about this server and its pools: the {@code [dhcp]}
 * keys plus the interface's address, subnet and domain and the HTTP base URL, already validated
 * and with defaults applied. Built from the configuration by the wiring ({@code DhcpService}), so
 * the engine does not depend on the config package.
 *
 * @param address          this server's address: server identifier (option 54) and TFTP server (66)
 * @param subnet           the interface's subnet, the main pool's scope
 * @param domain           domain name (option 15), or empty for none
 * @param mode             full or proxy (off never reaches an engine, but is answered with silence)
 * @param proxyPort        PXE boot-server port (4011), for the log of proxy replies
 * @param leaseTime        lease duration (option 51, RFC 2132 §9.2)
 * @param gateway          router of the main subnet (option 3), or {@code null} for none
 * @param dns              DNS servers (option 6) of the main subnet
 * @param declineProbation how long a DECLINEd address (RFC 2131 §4.3.3) stays out of the pool
 * @param relays           relayed subnets in configuration order; {@code relays[k]} is lease table scope k+1
 * @param bootFiles        the first-stage boot files by firmware
 */
public record DhcpSettings(Inet4Address address, Ipv4Subnet subnet, String domain, Mode mode, int proxyPort,
        Duration leaseTime, Inet4Address gateway, List<Inet4Address> dns, Duration declineProbation,
        List<Relay> relays, BootFiles bootFiles) {

    public DhcpSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(leaseTime, "leaseTime");
        Objects.requireNonNull(declineProbation, "declineProbation");
        Objects.requireNonNull(bootFiles, "bootFiles");
        dns = List.copyOf(dns);
        relays = List.copyOf(relays);
    }

    /** Operating mode. */
    public enum Mode {
        /** Allocates addresses from the pool. */
        FULL,
        /** proxyDHCP (PXE 2.1): boot information only, beside the site's DHCP server. */
        PROXY,
        /** No DHCP: every request is ignored. */
        OFF
    }

    /**
     * A subnet behind a relay agent (RFC 2131 §4.1).
     *
     * @param subnet  the relayed subnet
     * @param gateway its router (option 3), or {@code null}: the relay's giaddr
     * @param dns     its DNS servers (option 6), or {@code null}: the main {@link DhcpSettings#dns()}
     */
    public record Relay(Ipv4Subnet subnet, Inet4Address gateway, List<Inet4Address> dns) {
        public Relay {
            Objects.requireNonNull(subnet, "subnet");
            dns = dns == null ? null : List.copyOf(dns);
        }
    }

    /**
     * Boot files handed out by {@link BootChoice}.
     *
     * @param httpBase base URL of the HTTP boot service, no trailing slash
     * @param bios     iPXE for BIOS PXE firmware, under {@code tftp/}
     * @param efi      iPXE for x64 UEFI firmware
     * @param efiIa32  iPXE for IA32 UEFI firmware
     * @param arm64    iPXE for ARM64 UEFI firmware
     */
    public record BootFiles(String httpBase, String bios, String efi, String efiIa32, String arm64) {
    }
}

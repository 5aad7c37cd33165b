package org.astralboot.config;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.astralboot.net.Ipv4;

/**
 * Writes a {@link Config} as TOML in the layout of {@code config.toml.dist}: every key, derived
 * values included, so the "implied config" shows an operator everything they could set, and the
 * wizard's output is a complete, loadable file.
 */
public final class ConfigWriter {
    private ConfigWriter() {
    }

    public static String toToml(Config c) {
        StringBuilder b = new StringBuilder();
        b.append("interface = ").append(q(c.iface())).append('\n');
        b.append("address = ").append(q(Ipv4.text(c.address()))).append("   # subnet ").append(c.subnet()).append('\n');
        b.append("domain = ").append(q(c.domain())).append('\n');
        b.append("data = ").append(q(c.data().toString())).append('\n');
        b.append("database = ").append(q(c.database().toString())).append('\n');
        b.append("cache = ").append(q(c.cache().toString())).append('\n');
        b.append("cache_max = ").append(q(size(c.cacheMaxBytes()))).append('\n');
        b.append("ipfs = ").append(c.ipfs()).append('\n');
        b.append("ipfs_api = ").append(q(c.ipfsApi().toString())).append('\n');
        if (c.ipfsGateway() != null) {
            b.append("ipfs_gateway = ").append(q(c.ipfsGateway().toString())).append('\n');
        }
        b.append("refs = ").append(q(c.refs().toString())).append('\n');
        b.append("\n[http]\n");
        b.append("port = ").append(c.http().port()).append('\n');
        b.append("bind = ").append(q(Ipv4.text(c.http().bind()))).append('\n');
        b.append("url = ").append(q(c.http().base())).append('\n');
        b.append("file_threads = ").append(c.http().fileThreads()).append('\n');
        b.append("script_threads = ").append(c.http().scriptThreads()).append('\n');
        b.append("min_send_rate = ").append(q(size(c.http().minSendRate()))).append('\n');
        b.append("send_rate_window = ").append(q(duration(c.http().sendRateWindow()))).append('\n');
        b.append("max_connections_per_client = ").append(c.http().maxConnectionsPerClient()).append('\n');
        b.append("\n[tftp]\n");
        Config.Tftp t = c.tftp();
        b.append("port = ").append(t.port()).append('\n');
        b.append("max_blksize = ").append(t.maxBlksize()).append('\n');
        b.append("max_windowsize = ").append(t.maxWindowsize()).append('\n');
        b.append("max_transfers = ").append(t.maxTransfers()).append('\n');
        b.append("timeout = ").append(q(duration(t.timeout()))).append('\n');
        b.append("retries = ").append(t.retries()).append('\n');
        b.append("ack_spin_us = ").append(t.ackSpinMicros()).append('\n');
        b.append("max_client_timeout = ").append(q(duration(t.maxClientTimeout()))).append('\n');
        b.append("first_ack_timeout = ").append(q(duration(t.firstAckTimeout()))).append('\n');
        b.append("max_transfers_per_client = ").append(t.maxTransfersPerClient()).append('\n');
        b.append("\n[dhcp]\n");
        Config.Dhcp d = c.dhcp();
        b.append("mode = ").append(q(d.mode().name().toLowerCase(java.util.Locale.ROOT))).append('\n');
        b.append("port = ").append(d.port()).append('\n');
        b.append("proxy_port = ").append(d.proxyPort()).append('\n');
        b.append("range_start = ").append(q(Ipv4.text(d.rangeStart()))).append('\n');
        b.append("range_end = ").append(q(Ipv4.text(d.rangeEnd()))).append('\n');
        b.append("lease_time = ").append(q(duration(d.leaseTime()))).append('\n');
        b.append("gateway = ").append(q(d.gateway() == null ? "" : Ipv4.text(d.gateway()))).append('\n');
        b.append("dns = ").append(ips(d.dns())).append('\n');
        b.append("hostname_pattern = ").append(q(d.hostnamePattern())).append('\n');
        b.append("bios_binary = ").append(q(d.biosBinary())).append('\n');
        b.append("efi_binary = ").append(q(d.efiBinary())).append('\n');
        b.append("efi_ia32_binary = ").append(q(d.efiIa32Binary())).append('\n');
        b.append("arm64_binary = ").append(q(d.arm64Binary())).append('\n');
        b.append("decline_probation = ").append(q(duration(d.declineProbation()))).append('\n');
        b.append("shed_backlog = ").append(d.shedBacklog()).append('\n');
        for (Config.Reservation r : d.reservations()) {
            b.append("\n[[dhcp.reservation]]\n");
            b.append("mac = ").append(q(r.mac().toString())).append('\n');
            b.append("address = ").append(q(Ipv4.text(r.address()))).append('\n');
            if (r.hostname() != null) {
                b.append("hostname = ").append(q(r.hostname())).append('\n');
            }
        }
        for (Config.Relay r : d.relays()) {
            b.append("\n[[dhcp.relay]]\n");
            b.append("subnet = ").append(q(r.subnet().toString())).append('\n');
            b.append("range_start = ").append(q(Ipv4.text(r.rangeStart()))).append('\n');
            b.append("range_end = ").append(q(Ipv4.text(r.rangeEnd()))).append('\n');
            if (r.gateway() != null) {
                b.append("gateway = ").append(q(Ipv4.text(r.gateway()))).append('\n');
            } else {
                b.append("# gateway: the relay agent's address (giaddr)\n");
            }
            if (r.dns() != null) {
                b.append("dns = ").append(ips(r.dns())).append('\n');
            } else {
                b.append("# dns: as [dhcp] dns\n");
            }
        }
        b.append("\n[menu]\n");
        b.append("default = ").append(q(c.menu().defaultOs())).append('\n');
        b.append("timeout = ").append(c.menu().timeoutSeconds()).append('\n');
        return b.toString();
    }

    /** A TOML basic string. */
    public static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (ch < 0x20 || ch == 0x7F) {
                        b.append(String.format("\\u%04X", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static String ips(List<Inet4Address> l) {
        return l.stream().map(a -> q(Ipv4.text(a))).collect(Collectors.joining(", ", "[", "]"));
    }

    /** The shortest exact form: 12h, 90s, 500ms. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    static String size(long bytes) {
        String[] units = {"", "K", "M", "G", "T"};
        int u = 0;
        while (u < 4 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            u++;
        }
        return bytes + units[u];
    }
}

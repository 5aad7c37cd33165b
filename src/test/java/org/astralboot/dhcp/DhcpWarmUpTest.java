package org.astralboot.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.astralboot.config.Config;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.net.Ipv4;
import org.junit.jupiter.api.Test;

class DhcpWarmUpTest {
    static Config config(Config.DhcpMode mode) {
        Config c = Config.defaults("abd0", Ipv4.parse("192.0.2.1"), 24, Path.of("/nonexistent"));
        Config.Dhcp d = c.dhcp();
        return c.withDhcp(new Config.Dhcp(mode, d.port(), d.proxyPort(), Ipv4.parse("192.0.2.10"),
                Ipv4.parse("192.0.2.12"), Duration.ofHours(1), Ipv4.parse("192.0.2.254"), List.of(), "node{n}",
                d.biosBinary(), d.efiBinary(), d.efiIa32Binary(), d.arm64Binary(), List.of(), Duration.ofMinutes(10)));
    }

    /** The whole exchange ran, both for the firmware and for iPXE: the engine answered every request. */
    @Test
    void fullModeRunsDiscoverAndRequestForFirmwareAndIpxe() {
        assertEquals(List.of(DhcpMessageType.OFFER, DhcpMessageType.ACK, DhcpMessageType.OFFER, DhcpMessageType.ACK),
                DhcpWarmUp.run(config(Config.DhcpMode.FULL), Clock.systemUTC()));
    }

    @Test
    void proxyModeRunsTheProxyOffers() {
        assertEquals(List.of(DhcpMessageType.OFFER, DhcpMessageType.OFFER),
                DhcpWarmUp.run(config(Config.DhcpMode.PROXY), Clock.systemUTC()));
    }
}

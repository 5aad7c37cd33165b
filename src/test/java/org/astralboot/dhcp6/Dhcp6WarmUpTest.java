package org.astralboot.dhcp6;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.astralboot.dhcp.engine.DhcpSettings;
import org.astralboot.dhcp6.codec.Dhcp6MessageType;
import org.astralboot.dhcp6.codec.Duid;
import org.astralboot.dhcp6.engine.Dhcp6Settings;
import org.junit.jupiter.api.Test;

class Dhcp6WarmUpTest {
    static Dhcp6Settings settings(Dhcp6Settings.Mode mode) throws Exception {
        Inet6Address server = (Inet6Address) InetAddress.getByName("2001:db8:7::1");
        return new Dhcp6Settings(server, Duid.ll(HexFormat.of().parseHex("525400060001")), mode,
                (Inet6Address) InetAddress.getByName("2001:db8:7::100"),
                (Inet6Address) InetAddress.getByName("2001:db8:7::1ff"), Duration.ofHours(1), List.of(server), 80,
                new DhcpSettings.BootFiles("http://192.0.2.1", "undionly.kpxe", "ipxe.efi", "ipxe-ia32.efi",
                        "ipxe-arm64.efi"));
    }

    /** The whole exchange ran: the engine advertised and bound (in its scratch table) the one address. */
    @Test
    void fullModeRunsSolicitAndRequest() throws Exception {
        assertEquals(List.of(Dhcp6MessageType.ADVERTISE, Dhcp6MessageType.REPLY),
                Dhcp6WarmUp.run(settings(Dhcp6Settings.Mode.FULL), Clock.systemUTC()));
    }

    @Test
    void statelessModeRunsAnInformationRequest() throws Exception {
        assertEquals(List.of(Dhcp6MessageType.REPLY),
                Dhcp6WarmUp.run(settings(Dhcp6Settings.Mode.STATELESS), Clock.systemUTC()));
    }
}

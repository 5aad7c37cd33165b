package org.astralboot.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.astralboot.config.Config;
import org.astralboot.db.Database;
import org.astralboot.net.HostInfo;
import org.astralboot.net.HostLookup;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.store.LocalBootStore;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MachineContext#hostByAddress}: the MAC behind a request's source, IPv4 lease or DHCPv6 binding. */
class MachineContextHostTest {
    static final MacAddress V4 = MacAddress.parse("52:54:00:a1:00:01");
    static final MacAddress V6 = MacAddress.parse("52:54:00:e2:06:12");

    @Test
    void ipv4LeaseAndIpv6Binding(@TempDir Path tmp) throws Exception {
        Inet6Address bound = (Inet6Address) InetAddress.getByName("2001:db8:e2::1a0");
        HostLookup hosts = new HostLookup() {
            @Override
            public Optional<HostInfo> byMac(MacAddress mac) {
                return Optional.empty();
            }

            @Override
            public Optional<HostInfo> byAddress(Inet4Address address) {
                return Ipv4.text(address).equals("192.0.2.10") ? Optional.of(new HostInfo(V4, address, "m"))
                        : Optional.empty();
            }

            @Override
            public Optional<MacAddress> macAtIpv6(Inet6Address address) {
                return address.equals(bound) ? Optional.of(V6) : Optional.empty();
            }
        };
        try (Database db = Database.open(tmp.resolve("a.db"))) {
            MachineRegistry registry = new MachineRegistry(db, new ManualClock(1_780_000_000_000L));
            Config cfg = Config.defaults("lo", Ipv4.parse("192.0.2.1"), 24, tmp);
            MachineContext c = new MachineContext(cfg, hosts, registry, new Templates(new LocalBootStore(tmp)),
                    new MachineAccess(false, hosts, ip -> Set.of(), registry.keys()));
            assertEquals(Optional.of(V4), c.hostByAddress("192.0.2.10"));
            assertEquals(Optional.empty(), c.hostByAddress("192.0.2.11"));
            // As the HTTP request names an IPv6 source: before, this threw (Ipv4.parse), and the
            // file log and events of a machine booting over IPv6 said "unknown MAC".
            assertEquals(Optional.of(V6), c.hostByAddress("2001:db8:e2:0:0:0:0:1a0"));
            assertEquals(Optional.empty(), c.hostByAddress("2001:db8:e2:0:0:0:0:1a1"));
        }
    }
}

package org.astralboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.astralboot.dhcp6.codec.Duid;
import org.astralboot.dhcp6.lease.Lease6;
import org.astralboot.net.HostLookup;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;

/**
 * The DHCPv6 side of serve's host lookup: the running server's lease report and the MAC of an IPv6
 * address; and serve's decision when the lease database breaks.
 */
class ServeCommandTest {
    static final MacAddress MAC = MacAddress.parse("52:54:00:17:00:01");
    static final Inet6Address BOUND = (Inet6Address) InetAddress.ofLiteral("2001:db8:17::100");

    static HostLookup hosts(List<Lease6> bindings, boolean full) {
        return ServeCommand.withIpv6(HostLookup.NONE, () -> bindings,
                a -> a.equals(BOUND) ? Optional.of(MAC) : Optional.empty(), full);
    }

    @Test
    void theRunningServersLeaseReportListsTheDhcp6Bindings() {
        Lease6 l = new Lease6(Duid.ll(HexFormat.of().parseHex("525400170001")), 1, BOUND, Lease6.State.BOUND, 1,
                System.currentTimeMillis() + 60_000);
        String report = hosts(List.of(l), true).leaseReport(false).orElseThrow();
        assertTrue(report.lines().anyMatch(x -> x.startsWith("2001:db8:17::100 ") && x.contains("52:54:00:17:00:01")
                && x.contains(" bound ")), report);
        assertEquals("0 DHCPv6 bindings", hosts(List.of(), true).leaseReport(false).orElseThrow().strip().lines()
                .reduce((a, b) -> b).orElseThrow(), "full mode without bindings says so");
        assertEquals(Optional.empty(), hosts(List.of(), false).leaseReport(false), "stateless: nothing to list");
    }

    @Test
    void anEventsIpv6AddressFindsItsMachineInTheBindings() {
        var macOf = ServeCommand.macsByAddress(hosts(List.of(), true));
        // As TFTP writes it (InetAddress.getHostAddress: uncompressed, maybe with a zone).
        assertEquals("52:54:00:17:00:01", macOf.apply("2001:db8:17:0:0:0:0:100"));
        assertEquals("52:54:00:17:00:01", macOf.apply("2001:db8:17::100%2"));
        assertEquals("", macOf.apply("2001:db8:17::101"));
        assertEquals("", macOf.apply("192.0.2.10"), "no IPv4 lease");
        assertEquals("", macOf.apply("not an address"));
    }

    /**
     * Issue 11: a lease database that cannot commit stops the process with exit 1, never a silent
     * stall. The DHCP writer only reports it; serve's handler names the file, and releases serve's
     * wait so that it closes the services and returns {@link ExitCode#FAILURE}.
     */
    @Test
    void aBrokenLeaseStoreNamesTheFileAndEndsServeWithExitOne() {
        java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<String> broken = new java.util.concurrent.atomic.AtomicReference<>();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.nio.file.Path file = java.nio.file.Path.of("/var/lib/astralboot/astralboot.db");
        var handler = ServeCommand.storeFailure(file, broken, stop,
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        handler.accept("dhcp lease commit failed (No space left on device): stopping");
        assertEquals(0, stop.getCount(), "serve stops waiting");
        assertEquals("dhcp lease commit failed (No space left on device): stopping", broken.get());
        String said = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(said.contains("/var/lib/astralboot/astralboot.db") && said.contains("exit 1")
                && said.contains("No space left on device"), said);
        handler.accept("a second failure");
        assertEquals("dhcp lease commit failed (No space left on device): stopping", broken.get(), "the first cause kept");
        assertEquals(1, said.lines().count());
        assertEquals(1, ExitCode.FAILURE);
    }
}

package org.astralboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.astralboot.db.Database;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseStore;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LeasesCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new LeasesCommand()).execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void printsTheLeaseTable() throws Exception {
        Path cfg = dir.resolve("config.toml");
        Files.writeString(cfg, """
                interface = "abdnone0"
                address = "192.0.2.1"
                database = "./leases.db"
                ipfs = false
                """);
        long future = System.currentTimeMillis() + 3_600_000;
        try (Database db = Database.open(dir.resolve("leases.db"))) {
            LeaseStore s = new LeaseStore(db);
            s.put(new Lease(Ipv4.toInt(Ipv4.parse("192.0.2.10")), MacAddress.parse("52:54:00:00:00:01"), "node10",
                    LeaseState.BOUND, future, 1));
            s.put(new Lease(Ipv4.toInt(Ipv4.parse("192.0.2.11")), MacAddress.parse("52:54:00:00:00:02"), "node11",
                    LeaseState.BOUND, 1000, 1));
            s.put(new Lease(Ipv4.toInt(Ipv4.parse("192.0.2.12")), null, "", LeaseState.FREE, 0, 0));
            db.commit();

            // The server holds the database: refused with a clear message.
            Run locked = run("-c", cfg.toString());
            assertEquals(1, locked.code());
            assertTrue(locked.err().contains("in use by another Astralboot process"), locked.err());
        }
        Run r = run("-c", cfg.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("ADDRESS"), r.out());
        assertTrue(lines[1].matches("192\\.0\\.2\\.10 +52:54:00:00:00:01 +node10 +bound +\\d{4}-.*Z"), lines[1]);
        assertTrue(lines[2].matches("192\\.0\\.2\\.11 +52:54:00:00:00:02 +node11 +expired +.*"), lines[2]);
        assertFalse(r.out().contains("192.0.2.12 "), "free addresses only with --all");
        assertTrue(run("-c", cfg.toString(), "--all").out().contains("192.0.2.12 "));
    }

    @Test
    void printsTheDhcp6BindingsAfterTheIpv4Leases() throws Exception {
        Path cfg = dir.resolve("config.toml");
        String base = """
                interface = "abdnone0"
                address = "192.0.2.1"
                database = "./leases.db"
                ipfs = false
                """;
        Files.writeString(cfg, base);
        long future = System.currentTimeMillis() + 3_600_000;
        org.astralboot.dhcp6.codec.Duid ll = org.astralboot.dhcp6.codec.Duid.ll(java.util.HexFormat.of().parseHex("525400170001"));
        org.astralboot.dhcp6.codec.Duid uuid = org.astralboot.dhcp6.codec.Duid.of(java.util.HexFormat.of().parseHex(
                "0004" + "11".repeat(16)));
        try (Database db = Database.open(dir.resolve("leases.db"))) {
            new LeaseStore(db).put(new Lease(Ipv4.toInt(Ipv4.parse("192.0.2.10")), MacAddress.parse("52:54:00:00:00:01"),
                    "node10", LeaseState.BOUND, future, 1));
            org.astralboot.dhcp6.lease.Lease6Store s6 = new org.astralboot.dhcp6.lease.Lease6Store(db);
            s6.put(new org.astralboot.dhcp6.lease.Lease6(ll, 1, (java.net.Inet6Address) java.net.InetAddress.ofLiteral(
                    "2001:db8:17::101"), org.astralboot.dhcp6.lease.Lease6.State.BOUND, 1, future));
            s6.put(new org.astralboot.dhcp6.lease.Lease6(uuid, 7, (java.net.Inet6Address) java.net.InetAddress.ofLiteral(
                    "2001:db8:17::100"), org.astralboot.dhcp6.lease.Lease6.State.RELEASED, 1, 2));
            db.commit();
        }
        Run r = run("-c", cfg.toString());
        assertEquals(0, r.code(), r.err());
        java.util.List<String> lines = r.out().lines().toList();
        int v6 = lines.indexOf(lines.stream().filter(l -> l.startsWith("IPV6 ADDRESS")).findFirst().orElseThrow());
        assertTrue(v6 > 1 && lines.get(1).startsWith("192.0.2.10 "), r.out());
        assertTrue(lines.get(v6).matches("IPV6 ADDRESS +MAC +DUID +IAID +STATE +EXPIRES"), lines.get(v6));
        assertTrue(lines.get(v6 + 1).matches("2001:db8:17::100 +- +0004(11){16} +00000007 +released +-"),
                lines.get(v6 + 1));
        assertTrue(lines.get(v6 + 2).matches("2001:db8:17::101 +52:54:00:17:00:01 +00030001525400170001 +00000001 +bound"
                + " +\\d{4}-.*Z"), lines.get(v6 + 2));
        assertEquals("2 DHCPv6 bindings", lines.get(v6 + 3));

        // No bindings: no IPv6 table, unless DHCPv6 hands out addresses (then an empty one says so).
        try (Database db = Database.open(dir.resolve("empty.db"))) {
            db.commit();
        }
        Files.writeString(cfg, base.replace("./leases.db", "./empty.db"));
        assertFalse(run("-c", cfg.toString()).out().contains("DHCPv6"));
        Files.writeString(cfg, base.replace("./leases.db", "./empty.db") + "[ipv6]\ndhcp = \"full\"\n");
        assertTrue(run("-c", cfg.toString()).out().contains("0 DHCPv6 bindings"));
    }

    @Test
    void aDamagedDatabaseIsAClearErrorAndStaysInPlace() throws Exception {
        Path cfg = dir.resolve("config.toml");
        Files.writeString(cfg, """
                interface = "abdnone0"
                address = "192.0.2.1"
                database = "./leases.db"
                ipfs = false
                """);
        byte[] junk = new byte[1 << 20];
        new java.util.Random(11).nextBytes(junk);
        Path db = dir.resolve("leases.db");
        Files.write(db, junk);
        Run r = run("-c", cfg.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("database " + db + " is damaged") && r.err().contains("left in place"), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one paragraph: " + r.err());
        assertTrue(java.util.Arrays.equals(junk, Files.readAllBytes(db)), "the file is left as it was");
    }
}

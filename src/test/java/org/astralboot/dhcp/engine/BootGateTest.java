package org.astralboot.dhcp.engine;

import static org.astralboot.dhcp.engine.DhcpEngineTest.pxe;
import static org.astralboot.dhcp.engine.Requests.req;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.astralboot.config.Config;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.DhcpService;
import org.astralboot.dhcp.lease.LeaseTable;
import org.astralboot.net.MacAddress;
import org.astralboot.testing.ManualClock;
import org.junit.jupiter.api.Test;

/** A boot source's say at the DHCP step: proxy mode is silent for a machine it does not boot, full mode leases plainly. */
class BootGateTest {
    static final MacAddress YES = MacAddress.parse("52:54:00:00:01:01");
    static final MacAddress NO = MacAddress.parse("52:54:00:00:01:02");
    static final MacAddress LATER = MacAddress.parse("52:54:00:00:01:03");
    static final String BIOS = "PXEClient:Arch:00000:UNDI:002001";

    final List<String> asked = new ArrayList<>();
    final BootGate gate = (mac, fw) -> {
        asked.add(mac + " " + fw.archName());
        return Map.of(YES, BootGate.Verdict.BOOT, NO, BootGate.Verdict.NO).getOrDefault(mac, BootGate.Verdict.PENDING);
    };

    DhcpEngine engine(Config.DhcpMode mode) {
        Config cfg = DhcpEngineTest.config("192.0.2.10", "192.0.2.12", mode, List.of());
        LeaseTable t = new LeaseTable(DhcpService.pool(cfg).addresses(), DhcpService.pool(cfg).reservations(),
                List.of(), DhcpService.pool(cfg).hostnames(), l -> { });
        return new DhcpEngine(DhcpService.settings(cfg), t, new ManualClock(1_700_000_000_000L), gate);
    }

    @Test
    void proxyAnswersOnlyWhatTheSourceBoots() {
        DhcpEngine e = engine(Config.DhcpMode.PROXY);
        assertEquals("undionly.kpxe", e.handle(req(YES, DhcpMessageType.DISCOVER, 0, 0, pxe(0, BIOS)), false, 0, 68)
                .orElseThrow().packet().file());
        assertEquals(null, e.silence(), "a reply: no silence to tell");
        assertTrue(e.handle(req(NO, DhcpMessageType.DISCOVER, 0, 0, pxe(0, BIOS)), false, 0, 68).isEmpty());
        assertEquals("no proxy offer: the boot source does not boot this machine", e.silence());
        assertTrue(e.silenceRefuses());
        assertTrue(e.handle(req(LATER, DhcpMessageType.DISCOVER, 0, 0, pxe(7, "PXEClient:Arch:00007:UNDI:003016")), false, 0, 68).isEmpty());
        assertTrue(e.silence().startsWith("no proxy offer yet: the boot source has not answered"), e.silence());
        assertTrue(!e.silenceRefuses(), "a wait, not a refusal");
        assertTrue(e.handle(req(NO, DhcpMessageType.REQUEST, 0, 0, pxe(0, BIOS)), true, 0, 68).isEmpty(), "port 4011 too");
        assertEquals(List.of(YES + " bios", NO + " bios", LATER + " efi64", NO + " bios"), asked);
    }

    @Test
    void fullModeLeasesWithoutABootFile() {
        DhcpEngine e = engine(Config.DhcpMode.FULL);
        DhcpPacket yes = e.handle(req(YES, DhcpMessageType.DISCOVER, 0, 0, pxe(0, BIOS)), false, 0, 68).orElseThrow().packet();
        DhcpPacket no = e.handle(req(NO, DhcpMessageType.DISCOVER, 0, 0, pxe(0, BIOS)), false, 0, 68).orElseThrow().packet();
        assertEquals("undionly.kpxe", yes.file());
        assertEquals("", no.file());
        assertTrue(no.yiaddr() != 0, "a plain lease");
        assertTrue(e.handle(req(LATER, DhcpMessageType.DISCOVER, 0, 0, pxe(0, BIOS)), false, 0, 68).isEmpty(),
                "no OFFER while the source has not answered: a PXE client would take an address without a boot file");
        assertTrue(e.silence().startsWith("no OFFER yet: the boot source has not answered"), e.silence());
        assertTrue(!e.silenceRefuses());
        DhcpPacket plain = e.handle(req(LATER, DhcpMessageType.DISCOVER, 0, 0, Requests.opts()), false, 0, 68)
                .orElseThrow().packet();
        assertEquals("", plain.file(), "a client that is not PXE is not asked about");
    }

    /**
     * The engine never waits for the source: an undecided client gets no reply now and a stage to
     * wait for; once the source decides, the same request run again gives the reply the decision
     * calls for (built by the same engine code), and a source with nothing under way gives no stage.
     */
    @Test
    void anUndecidedClientIsAnsweredWhenTheSourceDecides() {
        for (Config.DhcpMode mode : List.of(Config.DhcpMode.PROXY, Config.DhcpMode.FULL)) {
            java.util.Map<MacAddress, BootGate.Verdict> verdicts = new java.util.HashMap<>();
            java.util.Map<MacAddress, java.util.concurrent.CompletableFuture<Void>> lookups = new java.util.HashMap<>();
            BootGate source = new BootGate() {
                @Override
                public Verdict check(MacAddress mac, Firmware fw) {
                    return verdicts.getOrDefault(mac, Verdict.PENDING);
                }

                @Override
                public java.util.concurrent.CompletionStage<?> whenDecided(MacAddress mac) {
                    return lookups.get(mac);
                }
            };
            Config cfg = DhcpEngineTest.config("192.0.2.10", "192.0.2.12", mode, List.of());
            LeaseTable t = new LeaseTable(DhcpService.pool(cfg).addresses(), DhcpService.pool(cfg).reservations(),
                    List.of(), DhcpService.pool(cfg).hostnames(), l -> { });
            DhcpEngine e = new DhcpEngine(DhcpService.settings(cfg), t, new ManualClock(1_700_000_000_000L), source);
            lookups.put(YES, new java.util.concurrent.CompletableFuture<>());
            lookups.put(NO, new java.util.concurrent.CompletableFuture<>());
            DhcpPacket yes = req(YES, DhcpMessageType.DISCOVER, 0, 0, pxe(0, BIOS));
            DhcpPacket no = req(NO, DhcpMessageType.DISCOVER, 0, 0, pxe(0, BIOS));

            DhcpEngine.Answer first = e.answer(yes, false, 0, 68);
            assertTrue(first.reply().isEmpty(), mode + ": no reply while undecided");
            assertTrue(first.deferred() == lookups.get(YES), mode + ": the source's stage to wait for");
            DhcpEngine.Answer firstNo = e.answer(no, false, 0, 68);
            assertTrue(firstNo.reply().isEmpty() && firstNo.deferred() == lookups.get(NO), mode.toString());
            DhcpEngine.Answer nothing = e.answer(req(LATER, DhcpMessageType.DISCOVER, 0, 0, pxe(0, BIOS)), false, 0, 68);
            assertTrue(nothing.reply().isEmpty() && nothing.deferred() == null, mode + ": nothing under way, nothing to wait for");
            assertTrue(e.answer(req(YES, DhcpMessageType.DISCOVER, 0, 0, Requests.opts()), false, 0, 68).deferred() == null,
                    mode + ": a client that is not PXE is never deferred");

            verdicts.put(YES, BootGate.Verdict.BOOT);
            lookups.get(YES).complete(null);
            verdicts.put(NO, BootGate.Verdict.NO);
            lookups.get(NO).complete(null);
            DhcpEngine.Answer then = e.answer(yes, false, 0, 68);
            assertEquals("undionly.kpxe", then.reply().orElseThrow().packet().file(), mode.toString());
            assertTrue(then.deferred() == null);
            DhcpEngine.Answer thenNo = e.answer(no, false, 0, 68);
            if (mode == Config.DhcpMode.PROXY) {
                assertTrue(thenNo.reply().isEmpty() && thenNo.deferred() == null, "proxy: silence for a machine not booted");
            } else {
                assertEquals("", thenNo.reply().orElseThrow().packet().file(), "full: a plain lease");
                assertTrue(thenNo.reply().orElseThrow().packet().yiaddr() != 0);
            }
        }
    }
}

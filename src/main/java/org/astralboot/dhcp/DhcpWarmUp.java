package org.astralboot.dhcp;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astralboot.config.Config;
import org.astralboot.dhcp.codec.DhcpCodec;
import org.astralboot.dhcp.codec.DhcpCodecException;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOp;
import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpOptions;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.codec.DhcpQuirk;
import org.astralboot.dhcp.engine.BootGate;
import org.astralboot.dhcp.engine.DhcpEngine;
import org.astralboot.dhcp.engine.DhcpReply;
import org.astralboot.dhcp.lease.LeasePool;
import org.astralboot.dhcp.lease.LeaseTable;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.net.QuirkCounter;

/**
 * The DHCP path run once in memory before the service says it listens, so that the first machine
 * after {@code Astralboot ready} is not the one that pays for loading and initialising the codec's
 * and the engine's classes (measured: its OFFER came 0.2-1 s after its DISCOVER, the next ones in
 * milliseconds; see {@code DhcpFirstAnswerIT}).
 *
 * <p>What runs is the code of a real exchange — {@link DhcpCodec#decode} of an encoded request,
 * {@link DhcpEngine#answer}, {@link DhcpCodec#encode} of the reply — for a DISCOVER then a REQUEST
 * of a UEFI PXE client and of iPXE, but on instances of its own: a {@link LeaseTable} holding one
 * pool address whose changes are discarded, {@link BootGate#ALL} (a boot API is never asked), its
 * own quirk counter. Nothing is sent, stored, committed or reported to the events: the service's
 * lease table, database, counters and admin page are as if it had not run.
 */
final class DhcpWarmUp {
    private DhcpWarmUp() {
    }

    /** A locally administered MAC (IEEE 802 bit 1 of the first octet): no real NIC has it. */
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");

    /**
     * Runs the exchanges for {@code cfg}'s mode (full: with a scratch lease table; proxy: none) and
     * returns the types of the replies the engine made, in order (a DHCPREQUEST's ACK only in full
     * mode, as a proxy does not answer it on port 67).
     */
    static List<DhcpMessageType> run(Config cfg, Clock clock) {
        LeaseTable scratch = null;
        if (cfg.dhcp().mode() == Config.DhcpMode.FULL) {
            LeasePool pool = DhcpService.pool(cfg);
            int[] all = pool.addresses();
            int[] one = all.length == 0 ? all : new int[] {all[0]};
            scratch = new LeaseTable(one, List.of(), List.of(), pool.hostnames(), l -> { }, List.of());
        }
        DhcpEngine engine = new DhcpEngine(DhcpService.settings(cfg), scratch, clock, BootGate.ALL).quiet();
        QuirkCounter<DhcpQuirk> quirks = new QuirkCounter<>(DhcpQuirk.class);
        engine.reportQuirksTo(quirks);
        List<DhcpMessageType> replies = new ArrayList<>();
        int server = Ipv4.toInt(cfg.address());
        for (boolean ipxe : new boolean[] {false, true}) {
            Optional<DhcpReply> offer = exchange(engine, quirks, request(DhcpMessageType.DISCOVER, ipxe, 0, 0), replies);
            if (offer.isPresent() && offer.get().packet().yiaddr() != 0) {
                exchange(engine, quirks, request(DhcpMessageType.REQUEST, ipxe, offer.get().packet().yiaddr(), server),
                        replies);
            }
        }
        return replies;
    }

    /** Encode, decode, answer, encode: the receiving thread's work for one datagram. */
    private static Optional<DhcpReply> exchange(DhcpEngine engine, QuirkCounter<DhcpQuirk> quirks, DhcpPacket p,
            List<DhcpMessageType> replies) {
        byte[] in = DhcpCodec.encode(p);
        DhcpPacket req;
        try {
            req = DhcpCodec.decode(in, 0, in.length, quirks);
        } catch (DhcpCodecException e) {
            throw new IllegalStateException("dhcp warm-up: the codec cannot read its own request: " + e.getMessage(), e);
        }
        Optional<DhcpReply> r = engine.answer(req, false, 0, 68).reply();
        r.ifPresent(reply -> {
            DhcpCodec.encode(reply.packet());
            replies.add(reply.packet().messageType());
        });
        return r;
    }

    /** A broadcast request of a UEFI PXE client (arch 7), with iPXE's user class if {@code ipxe}. */
    private static DhcpPacket request(DhcpMessageType type, boolean ipxe, int requested, int server) {
        DhcpOptions.Builder o = DhcpOptions.builder().putByte(DhcpOption.MESSAGE_TYPE, type.code);
        if (requested != 0) {
            o.put(DhcpOption.REQUESTED_ADDRESS, Ipv4.fromInt(requested).getAddress());
            o.put(DhcpOption.SERVER_ID, Ipv4.fromInt(server).getAddress());
        }
        o.put(DhcpOption.PARAMETER_LIST, new byte[] {1, 3, 6, 12, 15, 43, 60, 66, 67, 97});
        o.putText(DhcpOption.VENDOR_CLASS, "PXEClient:Arch:00007:UNDI:003016");
        o.put(DhcpOption.CLIENT_ARCH, new byte[] {0, 7});
        o.put(DhcpOption.CLIENT_UUID, new byte[17]);
        if (ipxe) {
            o.putText(DhcpOption.USER_CLASS, "iPXE");
        }
        return new DhcpPacket(DhcpOp.BOOTREQUEST, 1, 6, 0, ipxe ? 2 : 1, 0, DhcpPacket.FLAG_BROADCAST, 0, 0, 0, 0,
                DhcpPacket.chaddrOf(MAC), "", "", o.build());
    }
}

package org.astralboot.dhcp6;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.astralboot.dhcp6.codec.Dhcp6Codec;
import org.astralboot.dhcp6.codec.Dhcp6Decoded;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Dhcp6MessageType;
import org.astralboot.dhcp6.codec.Dhcp6Option;
import org.astralboot.dhcp6.codec.Duid;
import org.astralboot.dhcp6.engine.Dhcp6Engine;
import org.astralboot.dhcp6.engine.Dhcp6Firmware;
import org.astralboot.dhcp6.engine.Dhcp6Reply;
import org.astralboot.dhcp6.engine.Dhcp6Settings;
import org.astralboot.dhcp6.lease.Lease6Table;

/**
 * The DHCPv6 path run once in memory before the service says it listens, as {@code DhcpWarmUp}
 * does for DHCPv4: the first machine after {@code Astralboot ready} does not pay for loading the
 * codec's and the engine's classes. {@link Dhcp6Codec#decode} of an encoded UEFI PXE Solicit, then
 * (full mode) Request, {@link Dhcp6Engine#answer}, {@link Dhcp6Codec#encode} of the reply, on an
 * engine of its own with a one-address {@link Lease6Table} whose changes are discarded. Nothing is
 * sent, stored, committed or reported to the events.
 */
final class Dhcp6WarmUp {
    private Dhcp6WarmUp() {
    }

    /** DUID-LL of a locally administered MAC: no real client has it. */
    static final Duid CLIENT = Duid.ll(new byte[] {0x02, 0, 0, 0, 0, 0x01});

    /**
     * Runs the exchange for {@code s}'s mode and returns the types of the engine's replies in order:
     * Advertise and Reply in full mode, Reply to an Information-request in stateless mode.
     */
    static List<Dhcp6MessageType> run(Dhcp6Settings s, Clock clock) {
        boolean full = s.mode() == Dhcp6Settings.Mode.FULL;
        Lease6Table scratch = full ? new Lease6Table(s.rangeStart(), s.rangeStart(), List.of(), l -> { }) : null;
        Dhcp6Engine engine = new Dhcp6Engine(s, scratch, clock).quiet();
        List<Dhcp6MessageType> replies = new ArrayList<>();
        if (!full) {
            exchange(engine, message(Dhcp6MessageType.INFORMATION_REQUEST, null, null), replies);
            return replies;
        }
        Dhcp6Reply adv = exchange(engine, message(Dhcp6MessageType.SOLICIT, null, null), replies);
        if (adv != null) {
            Dhcp6Option.IaNa ia = adv.message().first(Dhcp6Option.IaNa.class).orElse(null);
            if (ia != null && !ia.addresses().isEmpty()) {
                exchange(engine, message(Dhcp6MessageType.REQUEST, s.serverId(), ia), replies);
            }
        }
        return replies;
    }

    /** Encode, decode, answer, encode: the receiving thread's work for one datagram. */
    private static Dhcp6Reply exchange(Dhcp6Engine engine, Dhcp6Message m, List<Dhcp6MessageType> replies) {
        byte[] in = Dhcp6Codec.encode(m);
        if (!(Dhcp6Codec.decode(in) instanceof Dhcp6Decoded.Ok ok)) {
            throw new IllegalStateException("dhcp6 warm-up: the codec cannot read its own " + m.type());
        }
        Dhcp6Firmware.of(ok.message());
        Dhcp6Reply r = engine.answer(ok.message()).reply();
        if (r != null) {
            Dhcp6Codec.encode(r.message());
            replies.add(r.message().type());
        }
        return r;
    }

    /** A UEFI PXE client's message (arch 7, asking for the boot file URL), to {@code server} if given. */
    private static Dhcp6Message message(Dhcp6MessageType type, Duid server, Dhcp6Option.IaNa ia) {
        List<Dhcp6Option> o = new ArrayList<>();
        o.add(new Dhcp6Option.ClientId(CLIENT));
        if (server != null) {
            o.add(new Dhcp6Option.ServerId(server));
        }
        if (type != Dhcp6MessageType.INFORMATION_REQUEST) {
            o.add(ia != null ? ia : new Dhcp6Option.IaNa(1, 0, 0, List.of()));
        }
        o.add(new Dhcp6Option.OptionRequest(List.of(59, 60, 23)));
        o.add(new Dhcp6Option.ClientArch(List.of(7)));
        o.add(new Dhcp6Option.ElapsedTime(0));
        return new Dhcp6Message(type, 0x0A57B0, o);
    }
}

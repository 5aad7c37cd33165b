package org.astralboot.boot;

import java.time.Instant;
import org.astralboot.net.MacAddress;

/**
 * The record of one machine, keyed by MAC. Immutable; transitions return a new record and never
 * touch storage (see {@link MachineRegistry} for that).
 *
 * @param mac       the machine's boot NIC
 * @param state     life-cycle state
 * @param os        chosen OS, or "" in {@link MachineState#NEW}
 * @param osClass   chosen class, or "" when none
 * @param lastIp    source address of its last request, or ""
 * @param firstSeen when it first asked for a boot script
 * @param updated   last state change
 */
public record Machine(MacAddress mac, MachineState state, String os, String osClass, String lastIp,
        Instant firstSeen, Instant updated) {

    public static Machine fresh(MacAddress mac, String ip, Instant now) {
        return new Machine(mac, MachineState.NEW, "", "", ip, now, now);
    }

    /**
     * The menu choice: from any state (a choice on an installed machine means: reinstall). The same
     * choice again (a menu revisited) changes nothing, so it costs no commit.
     */
    public Machine choose(String newOs, String newClass, Instant now) {
        String cls = newClass == null ? "" : newClass;
        if (state == MachineState.CHOSEN && os.equals(newOs) && osClass.equals(cls)) {
            return this;
        }
        return new Machine(mac, MachineState.CHOSEN, newOs, cls, lastIp, firstSeen, now);
    }

    /**
     * The installer's end hook. Allowed from {@link MachineState#CHOSEN} and, idempotently, from
     * {@link MachineState#INSTALLED} (a hook retried by wget).
     *
     * @throws IllegalStateException for a machine that never chose an OS
     */
    public Machine installed(Instant now) {
        return switch (state) {
            case CHOSEN -> new Machine(mac, MachineState.INSTALLED, os, osClass, lastIp, firstSeen, now);
            case INSTALLED -> this;
            case NEW -> throw new IllegalStateException("machine " + mac + " has not chosen an OS, so it cannot be installed");
        };
    }

    /** Forgets the choice: the next boot shows the menu. */
    public Machine reset(Instant now) {
        return new Machine(mac, MachineState.NEW, "", "", lastIp, firstSeen, now);
    }

    public Machine seenFrom(String ip) {
        return new Machine(mac, state, os, osClass, ip, firstSeen, updated);
    }
}

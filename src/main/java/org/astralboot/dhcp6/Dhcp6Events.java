package org.astralboot.dhcp6;

import java.util.ArrayList;
import java.util.List;
import org.astralboot.dhcp.engine.Firmware;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Dhcp6MessageType;
import org.astralboot.dhcp6.codec.Dhcp6Option;
import org.astralboot.dhcp6.codec.Dhcp6Status;
import org.astralboot.dhcp6.engine.Dhcp6Reply;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.events.Events;
import org.astralboot.net.Ipv6;
import org.astralboot.net.MacAddress;

/**
 * The boot events and counters of the DHCPv6 transport, as {@code DhcpEvents} for DHCPv4: every
 * message received or sent is counted ({@link Events#dhcp6Packet}), each silence by its reason
 * ({@link Events#dhcp6Unanswered}) and each address refused by its status ({@link
 * Events#dhcp6Refused}); a network-booting client's messages (PXE or HTTP boot firmware, iPXE:
 * {@link #booting}) also make {@link BootEvent}s, keyed by the MAC its DUID-LL/LLT or EUI-64
 * link-local address tells. Here, in the transport, so the engine and codec stay free of who listens.
 */
final class Dhcp6Events {
    /** Unanswered reasons of the transport (the engine's are {@code Dhcp6Engine.Silence}). */
    static final String MALFORMED = "malformed";
    static final String UNSUPPORTED = "unsupported";
    static final String ERROR = "error";
    static final String COMMIT_FAILED = "commit_failed";

    private Dhcp6Events() {
    }

    /** A client in the middle of a network boot; others (an OS's DHCPv6 client) are counted, not events. */
    static boolean booting(Firmware f) {
        return f.pxe() || f.ipxe() || f.httpClient();
    }

    /** A message received from a client. */
    static void received(Events events, Dhcp6Message req, MacAddress mac, Firmware f) {
        boolean booting = booting(f);
        events.dhcp6Packet(req.type().code, true, value(mac), booting);
        Kind kind = switch (req.type()) {
            case SOLICIT -> Kind.DHCP6_SOLICIT;
            case REQUEST -> Kind.DHCP6_REQUEST;
            case RENEW, REBIND, CONFIRM -> Kind.DHCP6_RENEW;
            case INFORMATION_REQUEST -> Kind.DHCP6_INFORMATION_REQUEST;
            case RELEASE -> Kind.DHCP6_RELEASE;
            case DECLINE -> Kind.DHCP6_DECLINE;
            default -> null;
        };
        if (kind == null || !booting || mac == null) {
            return;
        }
        List<String> detail = new ArrayList<>();
        if (kind == Kind.DHCP6_RENEW) {
            detail.add(name(req.type()));
        }
        if (kind == Kind.DHCP6_DECLINE) {
            detail.add("address in use on the link");
        }
        describe(f, detail);
        if (req.type() == Dhcp6MessageType.SOLICIT && req.first(Dhcp6Option.RapidCommit.class).isPresent()) {
            detail.add("rapid commit");
        }
        events.emit(BootEvent.of(kind, mac.toString(), firstAddress(req, false), f.eventName(), String.join(", ", detail)));
    }

    /**
     * A reply sent for {@code req}, after its binding changes were committed in {@code commitNanos}
     * (-1: nothing to commit).
     */
    static void sent(Events events, Dhcp6Message req, Dhcp6Reply reply, MacAddress mac, Firmware f,
            long commitNanos) {
        Dhcp6Message p = reply.message();
        boolean booting = booting(f);
        events.dhcp6Packet(p.type().code, false, value(mac), booting);
        List<Dhcp6Option.StatusCode> refusals = refusals(p);
        refusals.forEach(s -> events.dhcp6Refused(s.status()));
        if (!booting || mac == null) {
            return;
        }
        String given = firstAddress(p, true);
        boolean asksAddresses = switch (req.type()) {
            case SOLICIT, REQUEST, RENEW, REBIND, CONFIRM -> true;
            default -> false;
        };
        List<String> detail = new ArrayList<>();
        Kind kind;
        if (asksAddresses && given.isEmpty() && !refusals.isEmpty()) {
            kind = Kind.DHCP6_REFUSED;
            detail.add(name(p.type()));
            for (Dhcp6Option.StatusCode s : refusals) {
                detail.add(statusLabel(s.status()) + (s.status() == Dhcp6Status.NO_ADDRS_AVAIL.code
                        ? " (the pool is exhausted)" : s.message().isEmpty() ? "" : " (" + s.message() + ")"));
            }
        } else {
            kind = p.type() == Dhcp6MessageType.ADVERTISE ? Kind.DHCP6_ADVERTISE : Kind.DHCP6_REPLY;
            if (req.type() != Dhcp6MessageType.SOLICIT && req.type() != Dhcp6MessageType.REQUEST) {
                detail.add("to " + name(req.type()));
            } else if (req.type() == Dhcp6MessageType.SOLICIT && p.type() == Dhcp6MessageType.REPLY) {
                detail.add("rapid commit");
            }
            String url = p.first(Dhcp6Option.BootfileUrl.class).map(Dhcp6Option.BootfileUrl::url).orElse("");
            if (req.type() != Dhcp6MessageType.RELEASE && req.type() != Dhcp6MessageType.DECLINE) {
                detail.add(url.isEmpty() ? "no boot file" : "boot " + url);
            }
        }
        if (commitNanos >= 0) {
            detail.add(String.format(java.util.Locale.ROOT, "binding committed in %.1f ms", commitNanos / 1e6));
        }
        events.emit(BootEvent.of(kind, mac.toString(), given, f.eventName(), String.join(", ", detail)));
    }

    /**
     * A message that got no reply, for {@code reason} (the label of the unanswered counter);
     * {@code why} for a person. A booting client's is a {@link Kind#DHCP6_UNANSWERED} event too.
     */
    static void unanswered(Events events, Dhcp6Message req, MacAddress mac, Firmware f, String reason, String why) {
        events.dhcp6Unanswered(reason);
        if (req == null || f == null || mac == null || !booting(f)) {
            return;
        }
        events.emit(BootEvent.of(Kind.DHCP6_UNANSWERED, mac.toString(), "", f.eventName(),
                name(req.type()) + ": " + why));
    }

    /**
     * The status codes of {@code p} that refuse something (not Success): the message's own and
     * those inside its IA_NAs (RFC 8415 §21.13, §18.3).
     */
    static List<Dhcp6Option.StatusCode> refusals(Dhcp6Message p) {
        List<Dhcp6Option.StatusCode> out = new ArrayList<>();
        for (Dhcp6Option o : p.options()) {
            if (o instanceof Dhcp6Option.StatusCode s && s.status() != Dhcp6Status.SUCCESS.code) {
                out.add(s);
            } else if (o instanceof Dhcp6Option.IaNa ia) {
                for (Dhcp6Option in : ia.options()) {
                    if (in instanceof Dhcp6Option.StatusCode s && s.status() != Dhcp6Status.SUCCESS.code) {
                        out.add(s);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The first IA_NA address of {@code m} (RFC 5952 text), or ""; with {@code valid}, only an
     * address given with a lifetime (a lifetime of 0 takes it away, RFC 8415 §18.3.4).
     */
    static String firstAddress(Dhcp6Message m, boolean valid) {
        for (Dhcp6Option.IaNa ia : m.all(Dhcp6Option.IaNa.class)) {
            for (Dhcp6Option.IaAddress a : ia.addresses()) {
                if (!valid || a.valid() > 0) {
                    return Ipv6.text(a.address());
                }
            }
        }
        return "";
    }

    /** A status code as the {@code status} label names it: {@code no_addrs_avail}, or {@code status-N}. */
    static String statusLabel(int code) {
        Dhcp6Status s = Dhcp6Status.of(code);
        return s == null ? "status_" + code : s.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The message type as RFC 8415 writes it: {@code Solicit}, {@code Information-request}. */
    static String name(Dhcp6MessageType t) {
        String n = t.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }

    private static void describe(Firmware f, List<String> detail) {
        if (f.ipxe()) {
            detail.add(BootEvent.IPXE);
        } else if (f.httpClient()) {
            detail.add("HTTP boot");
        }
    }

    private static long value(MacAddress m) {
        return m == null ? -1 : m.value();
    }
}

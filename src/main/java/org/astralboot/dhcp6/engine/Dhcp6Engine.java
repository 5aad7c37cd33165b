package org.astralboot.dhcp6.engine;

import java.net.Inet6Address;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.astralboot.dhcp.engine.BootChoice;
import org.astralboot.dhcp.engine.DhcpSettings;
import org.astralboot.dhcp.engine.Firmware;
import org.astralboot.dhcp6.codec.Dhcp6Message;
import org.astralboot.dhcp6.codec.Dhcp6MessageType;
import org.astralboot.dhcp6.codec.Dhcp6Packet;
import org.astralboot.dhcp6.codec.Dhcp6Option;
import org.astralboot.dhcp6.codec.Dhcp6Relay;
import org.astralboot.dhcp6.codec.Dhcp6Status;
import org.astralboot.dhcp6.codec.Duid;
import org.astralboot.dhcp6.lease.Lease6;
import org.astralboot.dhcp6.lease.Lease6Table;
import org.astralboot.net.Ipv6Prefix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DHCPv6 server decisions (RFC 8415 §16 validation, §18.3 server behaviour; RFC 5970 boot
 * options): message in, Advertise or Reply (or silence) out, bindings changed in the
 * {@link Lease6Table}. No I/O; time from the injected clock. Not thread-safe: one transport thread.
 *
 * <p>Full mode answers Solicit (Advertise, or a Reply with Rapid Commit, RFC 8415 §18.3.1), Request,
 * Renew, Rebind, Release, Decline and Confirm with IA_NA bindings from the pool, one per DUID+IAID,
 * and Information-request. Stateless mode answers Information-request only. Boot options go to
 * network-boot clients only: BOOTFILE_URL (RFC 5970 §3.1) {@code tftp://[addr]/<efi binary>} for
 * UEFI PXE, {@code http://[addr]/tftp/<efi binary>} with vendor class {@code HTTPClient} echoed for
 * UEFI HTTP boot, {@code http://[addr]/boot.ipxe} for iPXE (the IPv4 engine's {@link BootChoice}).
 *
 * <p>Relays ({@link #answer(Dhcp6Relay)}, RFC 8415 §18.3, §13.1): the client message a
 * Relay-forward carries is answered as a direct one, from the pool of the link its relay agent names
 * (the link-address of the relay agent nearest the client): the server's own link (the /64 of
 * {@code [ipv6] range_start}) uses the main pool, a {@code [[ipv6.relay]]} link its own; any other
 * link gets silence ({@link Silence#UNKNOWN_LINK}), like the IPv4 engine's relay on no configured
 * subnet. The answer goes back in a Relay-reply for each Relay-forward, hop-count, link-address and
 * peer-address echoed and Interface-Id copied (RFC 8415 §18.3.10, §19.3); boot URLs keep naming the
 * server's own address.
 */
public final class Dhcp6Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Dhcp6Engine.class);
    /** The decisions' log: {@link #LOG}, or nothing for the warm-up's engine ({@link #quiet()}). */
    private Logger log = LOG;

    /** How long an Advertise keeps its address for the client. */
    public static final Duration ADVERTISE_HOLD = Duration.ofSeconds(60);
    /** How long a declined address (RFC 8415 §18.3.8) stays out of the pool. */
    public static final Duration DECLINE_PROBATION = Duration.ofMinutes(10);
    /** EDK2's enterprise number (Intel) when the client's vendor class gives none. */
    static final long ENTERPRISE_EDK2 = 343;

    private final Dhcp6Settings cfg;
    private final Lease6Table table;
    private final Clock clock;
    private final DhcpSettings.BootFiles bootFiles;
    private final long validSeconds;
    /** Link 0 the server's own (the /64 of the pool: RFC 4291 §2.5.4 interface identifiers are 64 bits), then {@code [[ipv6.relay]]}'s. */
    private final List<Ipv6Prefix> links;
    /** Relay link-addresses already warned about (at most {@link #MAX_UNKNOWN_LINKS}). */
    private final java.util.Set<Inet6Address> unknownLinks = new java.util.HashSet<>();
    private static final int MAX_UNKNOWN_LINKS = 256;

    /** @param table the bindings; {@code null} in stateless mode */
    public Dhcp6Engine(Dhcp6Settings cfg, Lease6Table table, Clock clock) {
        this.cfg = cfg;
        this.table = table;
        this.clock = clock;
        DhcpSettings.BootFiles b = cfg.bootFiles();
        this.bootFiles = new DhcpSettings.BootFiles(cfg.httpBase(), b.bios(), b.efi(), b.efiIa32(), b.arm64());
        this.validSeconds = Math.max(60, Math.min(0xFFFFFFFEL, cfg.leaseTime().toSeconds()));
        if (cfg.mode() == Dhcp6Settings.Mode.FULL && table == null) {
            throw new IllegalArgumentException("full mode needs a binding table");
        }
        if (table != null && table.pools() != cfg.relays().size() + 1) {
            throw new IllegalArgumentException("the binding table has " + table.pools() + " pools, the settings "
                    + (cfg.relays().size() + 1));
        }
        Inet6Address p = cfg.rangeStart() != null ? cfg.rangeStart() : cfg.address();
        List<Ipv6Prefix> l = new ArrayList<>();
        l.add(Ipv6Prefix.containing(p, 64));
        cfg.relays().forEach(r -> l.add(r.prefix()));
        this.links = List.copyOf(l);
    }

    /** Why the server sent nothing, as the {@code reason} label of the unanswered counter. */
    public enum Silence {
        /** RFC 8415 §16: a message the server must discard (identifiers missing or extra, IA misplaced). */
        INVALID("invalid"),
        /** RFC 8415 §16.3-16.8: a message naming another server's DUID (the client chose that one). */
        OTHER_SERVER("other_server"),
        /** Stateless mode answers Information-request only. */
        STATELESS_MODE("stateless_mode"),
        /** A server or relay message type sent to the server port. */
        NOT_CLIENT_MESSAGE("not_client_message"),
        /** A relayed message from a link this server has no pool for (RFC 8415 §13.1; no {@code [[ipv6.relay]]}). */
        UNKNOWN_LINK("unknown_link");

        /** The metric label. */
        public final String label;

        Silence(String label) {
            this.label = label;
        }
    }

    /**
     * The engine's decision: a reply, or silence and why.
     *
     * @param reply   the Advertise or Reply, or {@code null} for silence
     * @param silence why nothing is sent, or {@code null} with a reply
     * @param detail  the silence told for a person ("for server 00:03:..."), "" with a reply
     */
    public record Answer(Dhcp6Reply reply, Silence silence, String detail) {
        public Answer {
            if ((reply == null) == (silence == null)) {
                throw new IllegalArgumentException("a reply or a silence, not both");
            }
            detail = detail == null ? "" : detail;
        }
    }

    /** Decides the answer to one client message; empty for silence. */
    public Optional<Dhcp6Reply> handle(Dhcp6Message req) {
        return Optional.ofNullable(answer(req).reply());
    }

    /**
     * This engine logs none of its decisions: for the service's warm-up (the dhcp6 package), whose
     * synthetic requests must leave no line in the log that an operator could take for a client's.
     */
    public Dhcp6Engine quiet() {
        this.log = org.slf4j.helpers.NOPLogger.NOP_LOGGER;
        return this;
    }

    /** Decides the answer to one client message that came straight from the client: a reply, or silence with its reason. */
    public Answer answer(Dhcp6Message req) {
        return answer(req, 0);
    }

    /**
     * Decides the answer to a relayed client message (RFC 8415 §18.3): the client message the chain of
     * Relay-forwards carries, answered from the pool of its link, wrapped in a Relay-reply per
     * Relay-forward; or silence with its reason.
     */
    public Answer answer(Dhcp6Relay relayed) {
        Dhcp6Message req = relayed.innermost();
        if (relayed.type() != Dhcp6MessageType.RELAY_FORW) {
            return silent(req, Silence.NOT_CLIENT_MESSAGE, "a Relay-reply sent to the server");
        }
        List<Dhcp6Relay> chain = relayed.chain();
        // RFC 8415 §13.1: the link-address of the relay agent nearest the client; when that one leaves it
        // unspecified (::), the next relay agent's.
        Inet6Address link = null;
        for (int k = chain.size() - 1; k >= 0 && link == null; k--) {
            Inet6Address a = chain.get(k).linkAddress();
            if (!a.isAnyLocalAddress()) {
                link = a;
            }
        }
        int pool = -1;
        for (int k = 0; link != null && k < links.size() && pool < 0; k++) {
            if (links.get(k).contains(link)) {
                pool = k;
            }
        }
        if (pool < 0) {
            String where = link == null ? "no relay agent names the client's link (link-address ::)"
                    : "relay link-address " + org.astralboot.net.Ipv6.text(link) + " is on no link this server serves"
                            + " (" + links.get(0) + " nor an [[ipv6.relay]] link)";
            if (link != null && unknownLinks.size() < MAX_UNKNOWN_LINKS && unknownLinks.add(link)) {
                // Once per link: a misconfigured relay repeats every few seconds; later ones go to debug.
                log.warn("dhcp6 {} {} from a relay not answered: {}; add an [[ipv6.relay]] for its link to serve it",
                        req.type(), req.xid(), where);
            }
            return silent(req, Silence.UNKNOWN_LINK, where);
        }
        Answer inner = answer(req, pool);
        if (inner.reply() == null) {
            return inner;
        }
        Dhcp6Packet out = inner.reply().message();
        for (int k = chain.size() - 1; k >= 0; k--) {
            Dhcp6Relay r = chain.get(k);
            List<Dhcp6Option> o = new ArrayList<>();
            r.first(Dhcp6Option.InterfaceId.class).ifPresent(o::add); // §18.3.10: copied when present
            o.add(new Dhcp6Option.RelayMessage(out));
            out = new Dhcp6Relay(Dhcp6MessageType.RELAY_REPL, r.hopCount(), r.linkAddress(), r.peerAddress(), o);
        }
        return new Answer(inner.reply().relayed((Dhcp6Relay) out), null, "");
    }

    /** The answer to {@code req}, addresses from pool {@code pool} (0 the server's link, k the k-th relayed one). */
    private Answer answer(Dhcp6Message req, int pool) {
        Optional<Duid> client = req.clientId();
        Optional<Duid> server = req.serverId();
        boolean full = cfg.mode() == Dhcp6Settings.Mode.FULL;
        Dhcp6MessageType t = req.type();
        // RFC 8415 §16: which messages must and must not carry CLIENTID and SERVERID.
        boolean needsServer = t == Dhcp6MessageType.REQUEST || t == Dhcp6MessageType.RENEW
                || t == Dhcp6MessageType.RELEASE || t == Dhcp6MessageType.DECLINE;
        boolean noServer = t == Dhcp6MessageType.SOLICIT || t == Dhcp6MessageType.CONFIRM
                || t == Dhcp6MessageType.REBIND;
        if (t != Dhcp6MessageType.INFORMATION_REQUEST && client.isEmpty()) {
            return silent(req, Silence.INVALID, "no CLIENTID");
        }
        if (req.count(1) > 1 || req.count(2) > 1) {
            return silent(req, Silence.INVALID, "more than one CLIENTID or SERVERID");
        }
        if (needsServer && server.isEmpty() || noServer && server.isPresent()) {
            return silent(req, Silence.INVALID, server.isEmpty() ? "no SERVERID" : "a SERVERID");
        }
        if (server.isPresent() && !server.get().equals(cfg.serverId())) {
            return silent(req, Silence.OTHER_SERVER, "for server " + server.get());
        }
        long now = clock.millis();
        return switch (t) {
            case INFORMATION_REQUEST -> information(req);
            case SOLICIT -> full ? solicit(req, client.get(), now, pool) : silent(req, Silence.STATELESS_MODE, "stateless mode");
            case REQUEST -> full ? request(req, client.get(), now, pool) : silent(req, Silence.STATELESS_MODE, "stateless mode");
            case RENEW, REBIND -> full ? renew(req, client.get(), now, pool) : silent(req, Silence.STATELESS_MODE, "stateless mode");
            case RELEASE -> full ? release(req, client.get(), now) : silent(req, Silence.STATELESS_MODE, "stateless mode");
            case DECLINE -> full ? decline(req, client.get(), now) : silent(req, Silence.STATELESS_MODE, "stateless mode");
            case CONFIRM -> full ? confirm(req, pool) : silent(req, Silence.STATELESS_MODE, "stateless mode");
            default -> silent(req, Silence.NOT_CLIENT_MESSAGE, "not a client message");
        };
    }

    private Answer silent(Dhcp6Message req, Silence reason, String why) {
        log.debug("dhcp6 {} {} ignored: {}", req.type(), req.xid(), why);
        return new Answer(null, reason, why);
    }

    // ---------------------------------------------------------------- stateless

    private Answer information(Dhcp6Message req) {
        if (!req.all(Dhcp6Option.IaNa.class).isEmpty() || req.count(4) > 0 || req.count(25) > 0) {
            return silent(req, Silence.INVALID, "an IA option in an Information-request (RFC 8415 §16.12)");
        }
        Firmware fw = Dhcp6Firmware.of(req);
        List<Dhcp6Option> o = ids(req);
        BootChoice boot = boot(req, fw, o);
        log.info("dhcp6 Reply (Information-request) to {}{}", req.clientId().map(Duid::toString).orElse("?"),
                describe(fw, boot));
        return reply(req, Dhcp6MessageType.REPLY, o, List.of());
    }

    // ---------------------------------------------------------------- full

    private Answer solicit(Dhcp6Message req, Duid client, long now, int pool) {
        boolean rapid = req.first(Dhcp6Option.RapidCommit.class).isPresent();
        List<Dhcp6Option.IaNa> ias = req.all(Dhcp6Option.IaNa.class);
        List<Dhcp6Option> o = ids(req);
        List<Lease6> changed = new ArrayList<>();
        int assigned = 0;
        for (Dhcp6Option.IaNa ia : ias) {
            Lease6.Key key = new Lease6.Key(client, ia.iaid());
            Inet6Address a = preferred(ia, key, now, pool);
            if (a == null) {
                continue;
            }
            assigned++;
            if (rapid) {
                changed.add(table.bind(key, a, now, now + validSeconds * 1000));
            } else {
                table.hold(a, key, now, now + ADVERTISE_HOLD.toMillis());
            }
            o.add(ia(ia.iaid(), a));
        }
        if (!ias.isEmpty() && assigned == 0) {
            log.warn("dhcp6 pool exhausted: no address for {}", client);
            // RFC 8415 §18.3.1: an Advertise with only a NoAddrsAvail status (and the identifiers).
            o.add(new Dhcp6Option.StatusCode(Dhcp6Status.NO_ADDRS_AVAIL, "no addresses available"));
            return reply(req, Dhcp6MessageType.ADVERTISE, o, List.of());
        }
        Firmware fw = Dhcp6Firmware.of(req);
        if (rapid) {
            o.add(new Dhcp6Option.RapidCommit());
        } else {
            o.add(new Dhcp6Option.Preference(255)); // RFC 8415 §18.2.9: take this one at once
        }
        BootChoice boot = boot(req, fw, o);
        log.info("dhcp6 {} {} to {}{}", rapid ? "Reply (rapid commit)" : "Advertise", addresses(o), client,
                describe(fw, boot));
        return reply(req, rapid ? Dhcp6MessageType.REPLY : Dhcp6MessageType.ADVERTISE, o, changed);
    }

    private Answer request(Dhcp6Message req, Duid client, long now, int pool) {
        List<Dhcp6Option> o = ids(req);
        List<Lease6> changed = new ArrayList<>();
        for (Dhcp6Option.IaNa ia : req.all(Dhcp6Option.IaNa.class)) {
            Lease6.Key key = new Lease6.Key(client, ia.iaid());
            Inet6Address a = preferred(ia, key, now, pool);
            if (a == null) {
                o.add(new Dhcp6Option.IaNa(ia.iaid(), 0, 0,
                        List.of(new Dhcp6Option.StatusCode(Dhcp6Status.NO_ADDRS_AVAIL, "no addresses available"))));
                continue;
            }
            changed.add(table.bind(key, a, now, now + validSeconds * 1000));
            o.add(ia(ia.iaid(), a));
        }
        Firmware fw = Dhcp6Firmware.of(req);
        BootChoice boot = boot(req, fw, o);
        log.info("dhcp6 Reply {} to {}{}", addresses(o), client, describe(fw, boot));
        return reply(req, Dhcp6MessageType.REPLY, o, changed);
    }

    /** The address of pool {@code pool} the client asked for when it may have it, else the table's candidate. */
    private Inet6Address preferred(Dhcp6Option.IaNa ia, Lease6.Key key, long now, int pool) {
        Lease6 own = table.get(key);
        if (own != null && own.state() == Lease6.State.BOUND && table.free(own.address(), key, now, pool)) {
            return own.address();
        }
        for (Dhcp6Option.IaAddress hint : ia.addresses()) {
            if (table.free(hint.address(), key, now, pool)) {
                return hint.address();
            }
        }
        return table.candidate(key, now, pool);
    }

    /** Renew (RFC 8415 §18.3.4) and Rebind (§18.3.5). */
    private Answer renew(Dhcp6Message req, Duid client, long now, int pool) {
        boolean rebind = req.type() == Dhcp6MessageType.REBIND;
        List<Dhcp6Option> o = ids(req);
        List<Lease6> changed = new ArrayList<>();
        for (Dhcp6Option.IaNa ia : req.all(Dhcp6Option.IaNa.class)) {
            Lease6.Key key = new Lease6.Key(client, ia.iaid());
            Lease6 own = table.get(key);
            Inet6Address a = null;
            if (own != null && own.activeAt(now) && links.get(pool).contains(own.address())) {
                a = own.address();
            } else if (rebind) {
                // Rebind after this server lost the binding: keep the client's address when it is ours
                // to give (§18.3.5 "MAY create a new binding").
                for (Dhcp6Option.IaAddress hint : ia.addresses()) {
                    if (table.free(hint.address(), key, now, pool)) {
                        a = hint.address();
                        break;
                    }
                }
            }
            if (a == null) {
                if (rebind) {
                    // §18.3.5: the addresses are not appropriate: lifetimes 0.
                    List<Dhcp6Option> gone = new ArrayList<>();
                    for (Dhcp6Option.IaAddress hint : ia.addresses()) {
                        gone.add(new Dhcp6Option.IaAddress(hint.address(), 0, 0, List.of()));
                    }
                    o.add(new Dhcp6Option.IaNa(ia.iaid(), 0, 0, gone));
                } else {
                    o.add(new Dhcp6Option.IaNa(ia.iaid(), 0, 0,
                            List.of(new Dhcp6Option.StatusCode(Dhcp6Status.NO_BINDING, "no binding"))));
                }
                continue;
            }
            changed.add(table.bind(key, a, own != null && own.activeAt(now) && own.address().equals(a) ? own.start() : now,
                    now + validSeconds * 1000));
            List<Dhcp6Option> inner = new ArrayList<>();
            inner.add(new Dhcp6Option.IaAddress(a, validSeconds, validSeconds, List.of()));
            for (Dhcp6Option.IaAddress hint : ia.addresses()) {
                if (!hint.address().equals(a)) {
                    inner.add(new Dhcp6Option.IaAddress(hint.address(), 0, 0, List.of())); // not this client's
                }
            }
            o.add(new Dhcp6Option.IaNa(ia.iaid(), t1(), t2(), inner));
        }
        Firmware fw = Dhcp6Firmware.of(req);
        boot(req, fw, o);
        log.info("dhcp6 Reply ({}) {} to {}", rebind ? "Rebind" : "Renew", addresses(o), client);
        return reply(req, Dhcp6MessageType.REPLY, o, changed);
    }

    /** Release (RFC 8415 §18.3.7). */
    private Answer release(Dhcp6Message req, Duid client, long now) {
        List<Dhcp6Option> o = ids(req);
        List<Lease6> changed = new ArrayList<>();
        for (Dhcp6Option.IaNa ia : req.all(Dhcp6Option.IaNa.class)) {
            Lease6 own = table.get(new Lease6.Key(client, ia.iaid()));
            boolean found = false;
            for (Dhcp6Option.IaAddress a : ia.addresses()) {
                if (own != null && own.activeAt(now) && own.address().equals(a.address())) {
                    changed.add(table.release(own, now));
                    log.info("dhcp6 Release {} from {}", org.astralboot.net.Ipv6.text(a.address()), client);
                    found = true;
                }
            }
            if (!found) {
                o.add(new Dhcp6Option.IaNa(ia.iaid(), 0, 0,
                        List.of(new Dhcp6Option.StatusCode(Dhcp6Status.NO_BINDING, "no binding"))));
            }
        }
        o.add(new Dhcp6Option.StatusCode(Dhcp6Status.SUCCESS, "released"));
        return reply(req, Dhcp6MessageType.REPLY, o, changed);
    }

    /** Decline (RFC 8415 §18.3.8). */
    private Answer decline(Dhcp6Message req, Duid client, long now) {
        List<Dhcp6Option> o = ids(req);
        List<Lease6> changed = new ArrayList<>();
        for (Dhcp6Option.IaNa ia : req.all(Dhcp6Option.IaNa.class)) {
            Lease6 own = table.get(new Lease6.Key(client, ia.iaid()));
            boolean found = false;
            for (Dhcp6Option.IaAddress a : ia.addresses()) {
                if (own != null && own.state() == Lease6.State.BOUND && own.address().equals(a.address())) {
                    changed.add(table.decline(own, now, now + DECLINE_PROBATION.toMillis()));
                    log.warn("dhcp6 Decline {} from {}: in use on the link, unused for {}",
                            org.astralboot.net.Ipv6.text(a.address()), client, DECLINE_PROBATION);
                    found = true;
                }
            }
            if (!found) {
                o.add(new Dhcp6Option.IaNa(ia.iaid(), 0, 0,
                        List.of(new Dhcp6Option.StatusCode(Dhcp6Status.NO_BINDING, "no binding"))));
            }
        }
        o.add(new Dhcp6Option.StatusCode(Dhcp6Status.SUCCESS, "declined"));
        return reply(req, Dhcp6MessageType.REPLY, o, changed);
    }

    /** Confirm (RFC 8415 §18.3.3): are the client's addresses on its link? */
    private Answer confirm(Dhcp6Message req, int pool) {
        List<Dhcp6Option.IaAddress> addrs = new ArrayList<>();
        req.all(Dhcp6Option.IaNa.class).forEach(ia -> addrs.addAll(ia.addresses()));
        if (addrs.isEmpty()) {
            return silent(req, Silence.INVALID, "Confirm without addresses");
        }
        boolean onLink = addrs.stream().allMatch(a -> links.get(pool).contains(a.address()));
        log.info("dhcp6 Reply (Confirm) to {}: {}", req.clientId().map(Duid::toString).orElse("?"),
                onLink ? "on link" : "not on link");
        List<Dhcp6Option> o = ids(req);
        o.add(onLink ? new Dhcp6Option.StatusCode(Dhcp6Status.SUCCESS, "on link")
                : new Dhcp6Option.StatusCode(Dhcp6Status.NOT_ON_LINK, "not on this link"));
        return reply(req, Dhcp6MessageType.REPLY, o, List.of());
    }

    // ---------------------------------------------------------------- building

    private Dhcp6Option.IaNa ia(long iaid, Inet6Address a) {
        return new Dhcp6Option.IaNa(iaid, t1(), t2(),
                List.of(new Dhcp6Option.IaAddress(a, validSeconds, validSeconds, List.of())));
    }

    /** RFC 8415 §21.4: T1 0.5 and T2 0.8 of the preferred lifetime. */
    private long t1() {
        return validSeconds / 2;
    }

    private long t2() {
        return validSeconds * 4 / 5;
    }

    /** SERVERID, then the client's CLIENTID echoed (RFC 8415 §18.3.1). */
    private List<Dhcp6Option> ids(Dhcp6Message req) {
        List<Dhcp6Option> o = new ArrayList<>();
        o.add(new Dhcp6Option.ServerId(cfg.serverId()));
        req.first(Dhcp6Option.ClientId.class).ifPresent(o::add);
        return o;
    }

    /**
     * Adds DNS servers and, for a network-boot client, BOOTFILE_URL (and vendor class
     * {@code HTTPClient} for UEFI HTTP boot, which EDK2 requires to take the offer). Returns the choice.
     */
    private BootChoice boot(Dhcp6Message req, Firmware fw, List<Dhcp6Option> o) {
        if (!cfg.dns().isEmpty()) {
            o.add(new Dhcp6Option.DnsServers(cfg.dns()));
        }
        BootChoice boot = BootChoice.of(fw, bootFiles);
        if (boot == null) {
            return null;
        }
        o.add(new Dhcp6Option.BootfileUrl(boot.tftp() ? cfg.tftpBase() + "/" + boot.file() : boot.file()));
        // No vendor class PXEClient for PXE: EDK2 (PxeBcDhcp6.c) takes such an offer as a "BINL" one
        // and asks a boot server on port 4011 for the file (seen in AstralbootIpv6BootIT: PXE-E16
        // and a Release right after the Reply); without it the offer is "DHCP only" with a boot
        // file URL, which it boots.
        if (boot.http()) {
            long enterprise = req.first(Dhcp6Option.VendorClass.class).map(Dhcp6Option.VendorClass::enterprise)
                    .orElse(ENTERPRISE_EDK2);
            o.add(new Dhcp6Option.VendorClass(enterprise, List.of("HTTPClient")));
        }
        return boot;
    }

    private static Answer reply(Dhcp6Message req, Dhcp6MessageType type, List<Dhcp6Option> o,
            List<Lease6> changed) {
        return new Answer(new Dhcp6Reply(new Dhcp6Message(type, req.transactionId(), o), changed), null, "");
    }

    private static String addresses(List<Dhcp6Option> o) {
        List<String> l = new ArrayList<>();
        for (Dhcp6Option x : o) {
            if (x instanceof Dhcp6Option.IaNa ia) {
                ia.addresses().forEach(a -> l.add(org.astralboot.net.Ipv6.text(a.address())));
            }
        }
        return l.isEmpty() ? "(no address)" : String.join(",", l);
    }

    private String describe(Firmware fw, BootChoice boot) {
        if (boot == null) {
            return "";
        }
        return " (" + fw.describe() + ", " + (boot.tftp() ? cfg.tftpBase() + "/" + boot.file() : boot.file()) + ")";
    }
}

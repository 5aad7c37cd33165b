package org.astralboot.dhcp.engine;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOp;
import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpOptions;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.codec.DhcpQuirk;
import org.astralboot.dhcp.lease.Lease;
import org.astralboot.dhcp.lease.LeaseState;
import org.astralboot.dhcp.lease.LeaseTable;
import org.astralboot.net.Ipv4;
import org.astralboot.net.MacAddress;
import org.astralboot.net.QuirkSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DHCP server decisions (RFC 2131 §4.3, RFC 4578, PXE 2.1 proxyDHCP): request in, reply (or
 * silence) out, leases changed in the {@link LeaseTable}. No I/O; time comes from the injected clock.
 * Not thread-safe: the transport calls it from one thread.
 *
 * <p>Modes: {@code FULL} hands out addresses; {@code PROXY} answers PXE clients only, with boot
 * information and no address, on port 67 and on the PXE boot-server port 4011 (UEFI firmware is sent
 * there by an offer without option 43, as Pixiecore and dnsmasq do).
 *
 * <p>Relays (RFC 2131 §4.1, §4.3.1): a request with giaddr 0, or with a giaddr in the interface's
 * subnet, uses the main pool; a giaddr in a {@code [[dhcp.relay]]} subnet uses that subnet's pool and
 * options (mask, router, broadcast, DNS); any other giaddr is ignored. Replies to relayed requests go
 * to the relay on port 67 with option 82 echoed (RFC 3046 §2.2).
 */
public final class DhcpEngine {
    private static final Logger LOG = LoggerFactory.getLogger(DhcpEngine.class);
    /** The decisions' log: {@link #LOG}, or nothing for the warm-up's engine ({@link #quiet()}). */
    private Logger log = LOG;

    /** How long an OFFER holds its address for the client (RFC 2131 §4.3.1 leaves it to the server). */
    public static final Duration OFFER_HOLD = Duration.ofSeconds(60);
    /** Minimum gap between two "pool exhausted" warnings. */
    public static final Duration EXHAUSTION_WARNING_INTERVAL = Duration.ofSeconds(60);
    /** PXE discovery control (PXE 2.1 option 43 sub-option 6) = 8: use the boot file in this offer. */
    private static final byte[] PXE_DISCOVERY_USE_FILE = {6, 1, 8, (byte) 255};
    /** iPXE's encapsulated option 176 (no-pxedhcp) = 1, inside option 175: do not wait for ProxyDHCP. */
    private static final byte[] IPXE_NO_PXEDHCP = {(byte) 176, 1, 1};
    /** NAK text for every refusal but a wrong subnet: it must not tell who holds the address. */
    static final String NOT_AVAILABLE = "address not available";

    private final DhcpSettings cfg;
    private final LeaseTable table;
    private final Clock clock;
    private final int server;
    private final byte[] serverBytes;
    /** The main subnet; scope 0 of the lease table. */
    private final Scope main;
    /** Relayed subnets in configuration order; {@code relays[k]} is scope {@code k+1}. */
    private final Scope[] relays;
    private final long leaseSeconds;
    private final BootGate gate;
    private long lastExhaustionWarning = Long.MIN_VALUE;
    private long unansweredSinceWarning;
    private QuirkSink<DhcpQuirk> quirks = QuirkSink.none();
    /** Set while deciding one request: the gate said PENDING and offered this stage to wait for. */
    private java.util.concurrent.CompletionStage<?> deferral;

    /**
     * The engine's answer to one request.
     *
     * @param reply    what to send now, or empty for silence
     * @param deferred when not null, no reply yet because the {@link BootGate} has not decided: once
     *                 this stage completes, the transport runs the same request through {@link
     *                 #answer} again (on the engine's thread) and sends what it gives then
     */
    public record Answer(Optional<DhcpReply> reply, java.util.concurrent.CompletionStage<?> deferred) {
    }

    /** @param table the lease table; may be {@code null} in proxy mode */
    public DhcpEngine(DhcpSettings cfg, LeaseTable table, Clock clock) {
        this(cfg, table, clock, BootGate.ALL);
    }

    /**
     * @param table the lease table; may be {@code null} in proxy mode
     * @param gate  whether a PXE client gets its boot file ({@link BootGate#ALL} for every client)
     */
    public DhcpEngine(DhcpSettings cfg, LeaseTable table, Clock clock, BootGate gate) {
        this.gate = java.util.Objects.requireNonNull(gate, "gate");
        this.cfg = cfg;
        this.table = table;
        this.clock = clock;
        this.server = Ipv4.toInt(cfg.address());
        this.serverBytes = cfg.address().getAddress();
        byte[] mainDns = addresses(cfg.dns());
        this.main = new Scope(0, cfg.subnet(), cfg.gateway() == null ? null : cfg.gateway().getAddress(),
                false, mainDns);
        List<DhcpSettings.Relay> rl = cfg.relays();
        this.relays = new Scope[rl.size()];
        for (int k = 0; k < relays.length; k++) {
            DhcpSettings.Relay r = rl.get(k);
            relays[k] = new Scope(k + 1, r.subnet(), r.gateway() == null ? null : r.gateway().getAddress(),
                    r.gateway() == null, r.dns() == null ? mainDns : addresses(r.dns()));
        }
        this.leaseSeconds = Math.max(60, Math.min(0xFFFFFFFEL, cfg.leaseTime().toSeconds()));
        if (cfg.mode() == DhcpSettings.Mode.FULL && table == null) {
            throw new IllegalArgumentException("full mode needs a lease table");
        }
        if (table != null && table.scopes() != relays.length + 1) {
            throw new IllegalArgumentException("the lease table has " + table.scopes() + " scope(s), the config "
                    + (relays.length + 1) + ": build it with LeasePool.relaySubnets()");
        }
    }

    /** Tolerated client quirks go to {@code sink} (the service's counter) from now on. */
    public void reportQuirksTo(QuirkSink<DhcpQuirk> sink) {
        this.quirks = java.util.Objects.requireNonNull(sink);
    }

    /**
     * One pool with its network options, encoded once instead of per reply.
     *
     * @param index        scope index in the {@link LeaseTable}
     * @param routerBytes  option 3, or {@code null}
     * @param routerIsRelay option 3 is the request's giaddr (a relayed subnet without {@code gateway})
     * @param dnsBytes     option 6, or {@code null}
     */
    private record Scope(int index, org.astralboot.net.Ipv4Subnet subnet, int net, int mask, byte[] maskBytes,
            byte[] routerBytes, boolean routerIsRelay, byte[] dnsBytes) {
        Scope(int index, org.astralboot.net.Ipv4Subnet subnet, byte[] routerBytes, boolean routerIsRelay,
                byte[] dnsBytes) {
            this(index, subnet, Ipv4.toInt(subnet.network()), subnet.maskInt(), subnet.mask().getAddress(),
                    routerBytes, routerIsRelay, dnsBytes);
        }

        boolean contains(int a) {
            return (a & mask) == net;
        }
    }

    private static byte[] addresses(List<java.net.Inet4Address> list) {
        byte[] d = new byte[4 * list.size()];
        for (int i = 0; i < list.size(); i++) {
            System.arraycopy(list.get(i).getAddress(), 0, d, 4 * i, 4);
        }
        return d.length == 0 ? null : d;
    }

    /** The scope a request belongs to by its giaddr, or {@code null} for a relay on no configured subnet. */
    private Scope scope(int giaddr) {
        if (giaddr == 0 || main.contains(giaddr)) {
            return main;
        }
        for (Scope s : relays) {
            if (s.contains(giaddr)) {
                return s;
            }
        }
        return null;
    }

    /** Why the last {@link #handle} stayed silent, when an operator should hear of it; else null. */
    private String silence;
    private boolean silenceRefuses;

    /**
     * Why the last call of {@link #handle} (on this engine's one thread) returned no reply, when it
     * is something an operator watching a boot should hear of (the boot source has not answered,
     * the pool is exhausted, no boot file for the client's architecture, a relay off every
     * subnet); null for an ordinary silence (a REQUEST for another server, a RELEASE) or a reply.
     */
    public String silence() {
        return silence;
    }

    /** Whether {@link #silence()} is a refusal or an error (else a wait: the client retries). */
    public boolean silenceRefuses() {
        return silenceRefuses;
    }

    private void silent(String why, boolean refuses) {
        silence = why;
        silenceRefuses = refuses;
    }

    /**
     * Decides the answer to one request.
     *
     * @param req      decoded request
     * @param pxePort  it arrived on the PXE boot-server port (4011), not 67
     * @param source   source IPv4 address (unsigned int)
     * @param srcPort  source UDP port
     * @return the reply, or empty for silence
     */
    public Optional<DhcpReply> handle(DhcpPacket req, boolean pxePort, int source, int srcPort) {
        return answer(req, pxePort, source, srcPort).reply();
    }

    /**
     * This engine logs none of its decisions: for the service's warm-up (the dhcp package), whose
     * synthetic requests must leave no line in the log that an operator could take for a client's.
     */
    public DhcpEngine quiet() {
        this.log = org.slf4j.helpers.NOPLogger.NOP_LOGGER;
        return this;
    }

    /**
     * Decides the answer to one request, as {@link #handle}, and says when a request the boot gate
     * could not decide yet should be decided again (the DHCP thread never waits for a boot source).
     */
    public Answer answer(DhcpPacket req, boolean pxePort, int source, int srcPort) {
        silence = null;
        deferral = null;
        Optional<DhcpReply> r = decide(req, pxePort, source, srcPort);
        java.util.concurrent.CompletionStage<?> d = r.isEmpty() ? deferral : null;
        deferral = null;
        return new Answer(r, d);
    }

    /** The gate's verdict; on PENDING, the stage to wait for is kept for {@link #answer}. */
    private BootGate.Verdict check(MacAddress mac, Firmware fw) {
        BootGate.Verdict v = gate.check(mac, fw);
        if (v == BootGate.Verdict.PENDING) {
            deferral = gate.whenDecided(mac);
        }
        return v;
    }

    private Optional<DhcpReply> decide(DhcpPacket req, boolean pxePort, int source, int srcPort) {
        if (req.op() != DhcpOp.BOOTREQUEST || req.hlen() != 6) {
            log.debug("dhcp ignored: not an Ethernet BOOTREQUEST ({})", req);
            return Optional.empty();
        }
        DhcpMessageType type = req.messageType();
        if (type == null) {
            log.debug("dhcp ignored: no or unknown message type from {}", req.mac());
            return Optional.empty();
        }
        Scope scope = scope(req.giaddr());
        if (scope == null) {
            log.debug("dhcp ignored: relay {} is not on {}{}", Ipv4.fromInt(req.giaddr()).getHostAddress(),
                    cfg.subnet(), relays.length == 0 ? "" : " nor on a [[dhcp.relay]] subnet");
            silent("relay " + Ipv4.fromInt(req.giaddr()).getHostAddress() + " is on no subnet this server serves", true);
            return Optional.empty();
        }
        if ((type == DhcpMessageType.DISCOVER || type == DhcpMessageType.INFORM) && req.ciaddr() != 0
                && !scope.contains(req.ciaddr())) {
            // Not a client of this subnet (or a forged one): the answer would go to, or describe, an
            // address we do not serve, in any mode. RFC 2131 §4.3.5 lets a server stay silent on INFORM.
            log.debug("dhcp {} from {} with ciaddr {} outside {}: ignored", type, req.mac(),
                    Ipv4.fromInt(req.ciaddr()).getHostAddress(), scope.subnet());
            return Optional.empty();
        }
        return switch (cfg.mode()) {
            case OFF -> Optional.empty();
            case PROXY -> proxy(req, type, pxePort, source, srcPort);
            case FULL -> pxePort ? proxy(req, type, true, source, srcPort) : full(req, type, scope);
        };
    }

    // ---------------------------------------------------------------- full mode

    private Optional<DhcpReply> full(DhcpPacket req, DhcpMessageType type, Scope scope) {
        long now = clock.millis();
        MacAddress mac = req.mac();
        return switch (type) {
            case DISCOVER -> discover(req, mac, now, scope);
            case REQUEST -> request(req, mac, now, scope);
            case DECLINE -> {
                decline(req, mac, now);
                yield Optional.empty();
            }
            case RELEASE -> {
                release(req, mac, now);
                yield Optional.empty();
            }
            case INFORM -> inform(req, scope);
            default -> Optional.empty();
        };
    }

    private Optional<DhcpReply> discover(DhcpPacket req, MacAddress mac, long now, Scope scope) {
        Firmware fw = Firmware.of(req, quirks);
        BootChoice choice = BootChoice.of(fw, cfg.bootFiles());
        BootGate.Verdict verdict = choice == null || gate == BootGate.ALL ? BootGate.Verdict.BOOT : check(mac, fw);
        if (verdict == BootGate.Verdict.PENDING) {
            // An offer without a boot file would be taken, and the PXE boot would fail on it: the
            // OFFER waits for the source's answer (the transport asks again when it comes).
            log.info("dhcp: no OFFER to {} ({}) yet: the boot source has not answered", mac, fw.describe());
            silent("no OFFER yet: the boot source has not answered (the firmware asks again)", false);
            return Optional.empty();
        }
        int requested = req.options().intValue(DhcpOption.REQUESTED_ADDRESS, 0);
        Lease cand = table.candidate(mac, requested, now, scope.index());
        if (cand == null) {
            exhausted(now, scope);
            silent("no OFFER: the address pool" + (scope.index() == 0 ? "" : " of " + scope.subnet()) + " is exhausted",
                    true);
            return Optional.empty();
        }
        boolean changed;
        Lease lease;
        if (mac.equals(cand.mac()) && cand.state() == LeaseState.BOUND && cand.activeAt(now)) {
            lease = cand;
            changed = false;
        } else {
            lease = table.assign(cand, mac, LeaseState.OFFERED, now, now + OFFER_HOLD.toMillis());
            changed = true;
        }
        BootChoice boot = choice;
        if (verdict == BootGate.Verdict.NO) {
            log.info("dhcp: plain lease for {} ({}): the boot source does not boot it", mac, fw.describe());
            boot = null;
        }
        DhcpPacket reply = reply(req, scope, DhcpMessageType.OFFER, lease.address(), 0, lease, boot, true);
        logEvent("OFFER", lease, mac, fw, boot);
        return Optional.of(new DhcpReply(reply, destination(req, false), port(req), changed));
    }

    private Optional<DhcpReply> request(DhcpPacket req, MacAddress mac, long now, Scope scope) {
        int serverId = req.options().intValue(DhcpOption.SERVER_ID, 0);
        int requested = req.options().intValue(DhcpOption.REQUESTED_ADDRESS, 0);
        boolean selecting = req.options().has(DhcpOption.SERVER_ID);
        int addr;
        if (selecting) {
            if (serverId != server) {
                // The client chose another server (RFC 2131 §4.3.2): silence; our offer lapses on its own.
                log.debug("dhcp REQUEST from {} is for server {}", mac, Ipv4.fromInt(serverId).getHostAddress());
                return Optional.empty();
            }
            if (requested == 0) {
                log.debug("dhcp REQUEST from {} in SELECTING without option 50: ignored", mac);
                return Optional.empty();
            }
            addr = requested;
        } else if (requested != 0) {
            addr = requested; // INIT-REBOOT
        } else if (req.ciaddr() != 0) {
            addr = req.ciaddr(); // RENEWING or REBINDING
        } else {
            log.debug("dhcp REQUEST from {} names no address: ignored", mac);
            return Optional.empty();
        }
        if (!scope.contains(addr) || (req.ciaddr() != 0 && !scope.contains(req.ciaddr()))) {
            return nak(req, mac, addr, "not on " + scope.subnet(), "not on " + scope.subnet());
        }
        LeaseTable.Fixed fixed = table.fixed(mac);
        if (fixed != null && table.scopeOf(fixed.address()) != scope.index()) {
            fixed = null; // a reservation on another subnet does not apply here
        }
        if (fixed != null && fixed.address() != addr) {
            return nak(req, mac, addr, NOT_AVAILABLE,
                    "reserved address is " + Ipv4.fromInt(fixed.address()).getHostAddress());
        }
        LeaseTable.Fixed reserved = table.reservationAt(addr);
        if (reserved != null && !reserved.mac().equals(mac)) {
            // A reservation belongs to its MAC alone, whatever the lease record says (it may predate
            // the reservation): two hosts would otherwise hold one address.
            return nak(req, mac, addr, NOT_AVAILABLE, "reserved for " + reserved.mac());
        }
        if (!table.manages(addr)) {
            if (selecting) {
                return nak(req, mac, addr, NOT_AVAILABLE, "not in the pool");
            }
            // RFC 2131 §4.3.2: no record of this client, so remain silent (a static address or another server's).
            log.debug("dhcp REQUEST from {} for unmanaged {}: silent", mac, Ipv4.fromInt(addr).getHostAddress());
            return Optional.empty();
        }
        Lease lease = table.at(addr);
        if (lease == null) {
            lease = new Lease(addr, null, "", LeaseState.FREE, 0, 0); // a reservation used for the first time
        }
        boolean mine = mac.equals(lease.mac()) && lease.state() != LeaseState.DECLINED;
        if (!mine && !lease.availableAt(now)) {
            return nak(req, mac, addr, NOT_AVAILABLE,
                    lease.state() == LeaseState.DECLINED ? "declined" : "in use by " + lease.mac());
        }
        if (!mine && fixed == null) {
            // Free but not this client's: allowed (INIT-REBOOT/RENEW after the server lost state), unless
            // another client's reservation... reservations are not in the pool, so nothing to check.
            Lease owned = table.forMac(mac);
            if (selecting && owned != null && owned.address() != addr && owned.activeAt(now)) {
                return nak(req, mac, addr, NOT_AVAILABLE, "offered " + Ipv4.fromInt(owned.address()).getHostAddress());
            }
        }
        Lease bound = table.assign(lease, mac, LeaseState.BOUND, now, now + leaseSeconds * 1000);
        Firmware fw = Firmware.of(req, quirks);
        BootChoice boot = gated(BootChoice.of(fw, cfg.bootFiles()), mac, fw);
        DhcpPacket reply = reply(req, scope, DhcpMessageType.ACK, bound.address(), req.ciaddr(), bound, boot, true);
        logEvent("ACK", bound, mac, fw, boot);
        return Optional.of(new DhcpReply(reply, destination(req, false), port(req), true));
    }

    /**
     * A NAK (RFC 2131 §4.3.2) with {@code message} as option 56. The message goes to anyone on the
     * segment (NAKs are broadcast), so it names no other machine; {@code why}, for the log, may.
     */
    private Optional<DhcpReply> nak(DhcpPacket req, MacAddress mac, int addr, String message, String why) {
        log.info("dhcp NAK {} to {} ({})", Ipv4.fromInt(addr).getHostAddress(), mac, why);
        DhcpOptions.Builder o = DhcpOptions.builder();
        o.putByte(DhcpOption.MESSAGE_TYPE, DhcpMessageType.NAK.code);
        o.put(DhcpOption.SERVER_ID, serverBytes);
        o.putText(DhcpOption.MESSAGE, message);
        echoRelayInfo(req, o);
        DhcpPacket p = header(req, 0, 0, 0, "", o.build());
        return Optional.of(new DhcpReply(p, destination(req, true), port(req), false));
    }

    private void decline(DhcpPacket req, MacAddress mac, long now) {
        if (!ours(req)) {
            return;
        }
        int addr = req.options().intValue(DhcpOption.REQUESTED_ADDRESS, 0);
        Lease l = addr == 0 ? null : table.at(addr);
        if (l == null || !mac.equals(l.mac())) {
            log.debug("dhcp DECLINE from {} for {} not leased to it: ignored", mac, Ipv4.fromInt(addr).getHostAddress());
            return;
        }
        Duration prob = cfg.declineProbation();
        table.decline(l, now, now + prob.toMillis());
        log.warn("dhcp DECLINE {} from {}: address in use on the network, unused for {}", l.inet().getHostAddress(),
                mac, prob);
    }

    private void release(DhcpPacket req, MacAddress mac, long now) {
        if (!ours(req)) {
            return;
        }
        Lease l = req.ciaddr() == 0 ? null : table.at(req.ciaddr());
        if (l == null || !mac.equals(l.mac()) || !l.activeAt(now)) {
            log.debug("dhcp RELEASE from {} for {} not leased to it: ignored", mac, Ipv4.fromInt(req.ciaddr()).getHostAddress());
            return;
        }
        table.release(l, now);
        log.info("dhcp RELEASE {} from {}", l.inet().getHostAddress(), mac);
    }

    private boolean ours(DhcpPacket req) {
        if (!req.options().has(DhcpOption.SERVER_ID)) {
            quirks.tolerated(DhcpQuirk.MISSING_SERVER_ID); // RFC 2131 table 5: MUST in DECLINE and RELEASE
            return true;
        }
        return req.options().intValue(DhcpOption.SERVER_ID, 0) == server;
    }

    private Optional<DhcpReply> inform(DhcpPacket req, Scope scope) {
        MacAddress mac = req.mac();
        Lease l = req.ciaddr() == 0 ? null : table.at(req.ciaddr());
        Firmware fw = Firmware.of(req, quirks);
        BootChoice boot = gated(BootChoice.of(fw, cfg.bootFiles()), mac, fw);
        DhcpPacket reply = reply(req, scope, DhcpMessageType.ACK, 0, req.ciaddr(),
                l != null && mac.equals(l.mac()) ? l : null, boot, false);
        log.info("dhcp ACK (INFORM) to {} at {}", mac, Ipv4.fromInt(req.ciaddr()).getHostAddress());
        // RFC 2131 §4.3.5: unicast to ciaddr (or the relay).
        int dest = req.giaddr() != 0 ? req.giaddr() : req.ciaddr() != 0 ? req.ciaddr() : DhcpReply.BROADCAST;
        return Optional.of(new DhcpReply(reply, dest, port(req), false));
    }

    private void exhausted(long now, Scope scope) {
        unansweredSinceWarning++;
        if (lastExhaustionWarning == Long.MIN_VALUE
                || now - lastExhaustionWarning >= EXHAUSTION_WARNING_INTERVAL.toMillis()) {
            LeaseTable.Stats s = table.stats(now, scope.index());
            log.warn("dhcp pool{} exhausted: {} addresses, {} bound, {} offered, {} declined, {} free; "
                    + "{} DISCOVER(s) unanswered since the last warning; renewals are still served",
                    scope.index() == 0 ? "" : " of relayed subnet " + scope.subnet(),
                    s.pool(), s.bound(), s.offered(), s.declined(), s.available(), unansweredSinceWarning);
            lastExhaustionWarning = now;
            unansweredSinceWarning = 0;
        }
    }

    /**
     * {@code boot}, or null (a plain lease) when the {@link BootGate} does not boot the client now
     * (a REQUEST or INFORM: the DISCOVER before it already waited for the source).
     */
    private BootChoice gated(BootChoice boot, MacAddress mac, Firmware fw) {
        if (boot == null || gate == BootGate.ALL) {
            return boot;
        }
        BootGate.Verdict v = gate.check(mac, fw);
        if (v != BootGate.Verdict.BOOT) {
            log.info("dhcp: plain lease for {} ({}): the boot source {}", mac, fw.describe(),
                    v == BootGate.Verdict.NO ? "does not boot it" : "has not answered yet");
            return null;
        }
        return boot;
    }

    // ---------------------------------------------------------------- proxy mode

    private Optional<DhcpReply> proxy(DhcpPacket req, DhcpMessageType type, boolean pxePort, int source, int srcPort) {
        Firmware fw = Firmware.of(req, quirks);
        if (!fw.pxe()) {
            return Optional.empty();
        }
        BootChoice boot = BootChoice.of(fw, cfg.bootFiles());
        if (boot == null) {
            log.info("dhcp proxy: no boot file for {} ({})", req.mac(), fw.describe());
            silent("no proxy offer: no boot file for " + fw.describe(), true);
            return Optional.empty();
        }
        MacAddress mac = req.mac();
        BootGate.Verdict v = check(mac, fw);
        if (v != BootGate.Verdict.BOOT) {
            // No PXE answer: the boot source does not boot this machine (or has not said yet).
            log.info("dhcp proxy: no answer to {} ({}): the boot source {}", mac, fw.describe(),
                    v == BootGate.Verdict.NO ? "does not boot it" : "has not answered yet");
            silent(v == BootGate.Verdict.NO ? "no proxy offer: the boot source does not boot this machine"
                    : "no proxy offer yet: the boot source has not answered (the firmware asks again)",
                    v == BootGate.Verdict.NO);
            return Optional.empty();
        }
        if (!pxePort) {
            if (type != DhcpMessageType.DISCOVER) {
                return Optional.empty(); // REQUESTs on 67 go to the site's DHCP server.
            }
            // UEFI PXE firmware takes the boot file from a port-4011 request when option 43 is absent.
            boolean efiViaBinl = boot.tftp() && fw.arch() != Firmware.ARCH_BIOS && !fw.ipxe();
            DhcpOptions.Builder o = DhcpOptions.builder();
            o.putByte(DhcpOption.MESSAGE_TYPE, DhcpMessageType.OFFER.code);
            o.put(DhcpOption.SERVER_ID, serverBytes);
            o.putText(DhcpOption.VENDOR_CLASS, boot.http() ? "HTTPClient" : "PXEClient");
            copy(req, o, DhcpOption.CLIENT_UUID);
            String file = "";
            if (!efiViaBinl) {
                file = bootFields(boot, o);
                if (boot.tftp()) {
                    o.put(DhcpOption.VENDOR_SPECIFIC, PXE_DISCOVERY_USE_FILE);
                }
            }
            echoRelayInfo(req, o);
            // siaddr always: iPXE takes a proxy offer or ACK only when it has both next-server and a
            // boot file (dhcp_has_pxeopts), even when the file is an http:// URL.
            DhcpPacket p = header(req, 0, 0, server, file, o.build());
            log.info("dhcp proxy OFFER to {} ({}, {})", mac, fw.describe(), efiViaBinl ? "boot file on port "
                    + cfg.proxyPort() : boot.file());
            return Optional.of(new DhcpReply(p, destination(req, false), port(req), false));
        }
        if (type != DhcpMessageType.REQUEST && type != DhcpMessageType.DISCOVER && type != DhcpMessageType.INFORM) {
            return Optional.empty();
        }
        DhcpOptions.Builder o = DhcpOptions.builder();
        o.putByte(DhcpOption.MESSAGE_TYPE, DhcpMessageType.ACK.code);
        o.put(DhcpOption.SERVER_ID, serverBytes);
        o.putText(DhcpOption.VENDOR_CLASS, boot.http() ? "HTTPClient" : "PXEClient");
        copy(req, o, DhcpOption.CLIENT_UUID);
        String file = bootFields(boot, o);
        DhcpPacket p = header(req, 0, req.ciaddr(), server, file, o.build());
        log.info("dhcp proxy ACK (port {}) to {} ({}, {})", cfg.proxyPort(), mac, fw.describe(), boot.file());
        // The client already has its address: answer where it came from (PXE 2.1 §2.2.3). To iPXE,
        // broadcast: it accepts a ProxyDHCPACK by source port 4011 and server identifier alone, and a
        // broadcast does not depend on the client answering ARP in the middle of its DHCP session.
        int dest = fw.ipxe() ? DhcpReply.BROADCAST
                : source != 0 ? source : req.ciaddr() != 0 ? req.ciaddr() : DhcpReply.BROADCAST;
        return Optional.of(new DhcpReply(p, dest, srcPort != 0 ? srcPort : DhcpReply.CLIENT_PORT, false));
    }

    // ---------------------------------------------------------------- reply building

    /** RFC 2131 §4.1: relay first, NAKs broadcast, then ciaddr, else broadcast (no ARP entry for an unconfigured client). */
    private static int destination(DhcpPacket req, boolean nak) {
        if (req.giaddr() != 0) {
            return req.giaddr();
        }
        if (!nak && req.ciaddr() != 0) {
            return req.ciaddr();
        }
        return DhcpReply.BROADCAST;
    }

    private static int port(DhcpPacket req) {
        return req.giaddr() != 0 ? DhcpReply.SERVER_PORT : DhcpReply.CLIENT_PORT;
    }

    private DhcpPacket header(DhcpPacket req, int yiaddr, int ciaddr, int siaddr, String file, DhcpOptions o) {
        return new DhcpPacket(DhcpOp.BOOTREPLY, req.htype(), req.hlen(), 0, req.xid(), 0, req.flags(), ciaddr, yiaddr,
                siaddr, req.giaddr(), req.chaddr(), "", file, o);
    }

    /** Adds 66/67 for TFTP boot, 67 for a URL; returns the BOOTP {@code file} header value. */
    private String bootFields(BootChoice boot, DhcpOptions.Builder o) {
        if (boot.tftp()) {
            o.putText(DhcpOption.TFTP_SERVER, Ipv4.text(cfg.address()));
        }
        o.putText(DhcpOption.BOOTFILE_NAME, boot.file());
        return boot.file().length() <= 127 ? boot.file() : "";
    }

    /**
     * OFFER/ACK with the network options. Order: 53, then the options the client listed in 55 in its
     * order, then the others we always send, 82 last (RFC 3046 §2.2).
     */
    private DhcpPacket reply(DhcpPacket req, Scope scope, DhcpMessageType type, int yiaddr, int ciaddr, Lease lease,
            BootChoice boot, boolean leaseTimes) {
        DhcpOptions.Builder c = DhcpOptions.builder();
        c.put(DhcpOption.SUBNET_MASK, scope.maskBytes());
        if (scope.routerIsRelay()) {
            c.putInt(DhcpOption.ROUTER, req.giaddr()); // the relay agent is the router of its subnet
        } else if (scope.routerBytes() != null) {
            c.put(DhcpOption.ROUTER, scope.routerBytes());
        }
        if (scope.dnsBytes() != null) {
            c.put(DhcpOption.DNS_SERVERS, scope.dnsBytes());
        }
        if (lease != null && !lease.hostname().isEmpty()) {
            c.putText(DhcpOption.HOST_NAME, lease.hostname());
        }
        if (cfg.domain() != null && !cfg.domain().isEmpty()) {
            c.putText(DhcpOption.DOMAIN_NAME, cfg.domain());
        }
        c.putInt(DhcpOption.BROADCAST_ADDRESS, scope.net() | ~scope.mask());
        if (leaseTimes) {
            c.putInt(DhcpOption.LEASE_TIME, (int) leaseSeconds);
            c.putInt(DhcpOption.RENEWAL_TIME, (int) (leaseSeconds / 2)); // T1 = 0.5 (RFC 2131 §4.4.5)
            c.putInt(DhcpOption.REBINDING_TIME, (int) (leaseSeconds * 7 / 8)); // T2 = 0.875
        }
        c.put(DhcpOption.SERVER_ID, serverBytes);
        String file = "";
        int siaddr = 0;
        if (boot != null) {
            file = bootFields(boot, c);
            if (boot.tftp()) {
                siaddr = server;
                c.putText(DhcpOption.VENDOR_CLASS, "PXEClient");
                c.put(DhcpOption.VENDOR_SPECIFIC, PXE_DISCOVERY_USE_FILE);
            } else if (boot.http()) {
                c.putText(DhcpOption.VENDOR_CLASS, "HTTPClient"); // UEFI HTTP Boot requires it in the offer
            }
            // iPXE gets neither: a PXEClient offer makes it wait for ProxyDHCP offers that never come.
            if (!boot.tftp() && !boot.http()) {
                // iPXE's no-pxedhcp (175.176 = 1): the boot file is in this offer, so iPXE requests at
                // once instead of waiting DHCP_DISC_PROXY_TIMEOUT_SEC (2 s, and a retransmission) for
                // ProxyDHCP offers (iPXE src/net/udp/dhcp.c, dhcp_discovery_rx).
                c.put(DhcpOption.IPXE_ENCAP, IPXE_NO_PXEDHCP);
            }
        }
        DhcpOptions cand = c.build();
        DhcpOptions.Builder o = DhcpOptions.builder();
        o.putByte(DhcpOption.MESSAGE_TYPE, type.code);
        int prlLen = req.options().length(DhcpOption.PARAMETER_LIST.code);
        if (prlLen > 0) {
            for (int i = 0; i < prlLen; i++) {
                int code = req.options().byteAt(DhcpOption.PARAMETER_LIST.code, i);
                if (cand.has(code) && !o.has(code)) {
                    o.copy(cand, code);
                }
            }
        }
        for (int code : cand.codes()) {
            if (!o.has(code)) {
                o.copy(cand, code);
            }
        }
        echoRelayInfo(req, o);
        return header(req, yiaddr, ciaddr, siaddr, file, o.build());
    }

    private static void echoRelayInfo(DhcpPacket req, DhcpOptions.Builder o) {
        if (req.giaddr() != 0) {
            copy(req, o, DhcpOption.RELAY_AGENT_INFO);
        }
    }

    private static void copy(DhcpPacket req, DhcpOptions.Builder o, DhcpOption opt) {
        o.copy(req.options(), opt.code);
    }

    /** One info line per OFFER and ACK: the boot steps an operator follows at -v. */
    private void logEvent(String what, Lease lease, MacAddress mac, Firmware fw, BootChoice boot) {
        if (log.isInfoEnabled()) {
            log.info("dhcp {} {} to {}{}", what, lease.inet().getHostAddress(), mac,
                    boot != null ? " (" + fw.describe() + ", " + boot.file() + ")" : "");
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}

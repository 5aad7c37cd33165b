package org.astralboot.events;

import java.time.Instant;
import java.util.Objects;

/**
 * One step of one machine's boot, as a service saw it: a DHCP message, a TFTP transfer, an HTTP
 * script or file, a refusal. Immutable; the services create it, the admin interface keeps it in a
 * ring, streams it and counts it.
 *
 * @param seq      position in the server's event order, assigned by the ring (0 until then)
 * @param time     when it happened
 * @param mac      the machine's MAC in lower case with colons, or "" when not known (a file sent to
 *                 an address that no lease or record ties to a MAC)
 * @param ip       the machine's address (source address, or the address offered), or ""
 * @param firmware client architecture or firmware (DHCP option 93 name, {@code iPXE}), or ""
 * @param kind     what happened
 * @param detail   one line for a person: file name, message, reason of a refusal
 * @param bytes    bytes sent, for transfers; -1 when not a transfer
 * @param millis   duration of a transfer or exchange in milliseconds; -1 when not measured
 */
public record BootEvent(long seq, Instant time, String mac, String ip, String firmware, Kind kind, String detail,
        long bytes, long millis) {

    public BootEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        mac = mac == null ? "" : mac;
        ip = ip == null ? "" : ip;
        firmware = firmware == null ? "" : firmware;
        detail = detail == null ? "" : detail;
    }

    /** An event without transfer figures. */
    public static BootEvent of(Kind kind, String mac, String ip, String firmware, String detail) {
        return new BootEvent(0, Instant.now(), mac, ip, firmware, kind, detail, -1, -1);
    }

    /** A transfer that ended (or failed) after {@code bytes} in {@code millis}. */
    public static BootEvent transfer(Kind kind, String mac, String ip, String firmware, String detail, long bytes,
            long millis) {
        return new BootEvent(0, Instant.now(), mac, ip, firmware, kind, detail, bytes, millis);
    }

    /** The same event at position {@code n} of the server's order. */
    public BootEvent withSeq(long n) {
        return new BootEvent(n, time, mac, ip, firmware, kind, detail, bytes, millis);
    }

    /** The same event for machine {@code m} (an event whose MAC its reporter did not know). */
    public BootEvent withMac(String m) {
        return new BootEvent(seq, time, m, ip, firmware, kind, detail, bytes, millis);
    }

    /**
     * The first word of the detail of a DHCP or DHCPv6 event whose client is iPXE (user class or
     * vendor class {@code iPXE}); the firmware field names the architecture instead.
     */
    public static final String IPXE = "iPXE";

    /** A DHCP or DHCPv6 event from iPXE's own client ({@link #IPXE} first in the detail). */
    public boolean fromIpxe() {
        return detail.equals(IPXE) || detail.startsWith(IPXE + ",");
    }

    /** Whether this event reports a failure (shown in red, counted as an error). */
    public boolean failure() {
        return kind.failure();
    }

    /**
     * The stage of a boot, in the order a machine goes through them: the status page shows how far
     * a machine got.
     */
    public enum Step {
        /** Nothing that tells a stage: refusals, errors, operator actions. */
        NONE,
        DHCP,
        /** The network boot program over TFTP, or iPXE's entry script. */
        FIRST_STAGE,
        MENU,
        KERNEL,
        INITRD,
        /**
         * The kernel runs: after its initrd was sent, the booted system's own DHCP client (no PXE
         * or iPXE identification) asked for an address, or its installer fetched a template.
         */
        RUNNING,
        INSTALLED
    }

    /** What happened. {@link #step()} is the boot stage it shows. */
    public enum Kind {
        DHCP_DISCOVER(Step.DHCP),
        DHCP_OFFER(Step.DHCP),
        /** An offer of the proxyDHCP service (boot options only, RFC 4578 / PXE 2.1). */
        DHCP_PROXY_OFFER(Step.DHCP),
        DHCP_REQUEST(Step.DHCP),
        DHCP_ACK(Step.DHCP),
        DHCP_NAK(Step.DHCP, true),
        DHCP_RELEASE(Step.NONE),
        /** No reply yet, and the client asks again: the boot source has not answered. */
        DHCP_UNANSWERED(Step.NONE),
        /** No reply: pool exhausted, no boot file for the architecture, not booted by the source. */
        DHCP_REFUSED(Step.NONE, true),
        TFTP_START(Step.FIRST_STAGE),
        TFTP_END(Step.FIRST_STAGE),
        TFTP_ERROR(Step.NONE, true),
        /** A TFTP transfer resent its OACK or window after a timeout (the first few per transfer). */
        TFTP_RETRANSMIT(Step.NONE),
        /** {@code /boot.ipxe}: iPXE asks for its entry script. */
        HTTP_ENTRY(Step.FIRST_STAGE),
        /** {@code /ipxe/<mac>}: the boot policy's decision for the machine. */
        HTTP_START(Step.FIRST_STAGE),
        HTTP_MENU(Step.MENU),
        /** A menu choice (or the sticky choice booted again): the machine's boot script. */
        HTTP_CHOICE(Step.MENU),
        HTTP_KERNEL(Step.KERNEL),
        HTTP_INITRD(Step.INITRD),
        /** Another file of the tree over HTTP. */
        HTTP_FILE(Step.NONE),
        /**
         * A per-machine template (preseed, cloud-config) fetched by the installer: its kernel
         * runs.
         */
        HTTP_TEMPLATE(Step.RUNNING),
        /**
         * The machine's kernel runs: after its initrd, the booted system's own DHCP client asked
         * for an address (a client without PXE or iPXE identification, from the same MAC).
         */
        KERNEL_RUNNING(Step.RUNNING),
        /** The installer's end hook. */
        HTTP_INSTALLED(Step.INSTALLED),
        /** A request answered with a 4xx status (404 path, 403 refusal, 429, ...). */
        HTTP_REFUSED(Step.NONE, true),
        /** A request answered with a 5xx status (boot store, IPFS, template failure). */
        HTTP_ERROR(Step.NONE, true),
        /**
         * DHCPv6 (RFC 8415 §18) of a network-booting client (PXE or HTTP boot firmware, iPXE): a
         * Solicit received, which starts a boot over IPv6 as a DISCOVER does over IPv4.
         */
        DHCP6_SOLICIT(Step.DHCP),
        DHCP6_ADVERTISE(Step.DHCP),
        DHCP6_REQUEST(Step.DHCP),
        /** A Renew, Rebind or Confirm (the detail names which): the client keeps its address. */
        DHCP6_RENEW(Step.DHCP),
        /** Stateless DHCPv6 (RFC 8415 §18.2.6): boot options without an address. */
        DHCP6_INFORMATION_REQUEST(Step.DHCP),
        /** A Reply: addresses bound (or renewed, released, declined) and the boot file URL. */
        DHCP6_REPLY(Step.DHCP),
        DHCP6_RELEASE(Step.NONE),
        /** The client found its address in use on the link (RFC 8415 §18.2.8): a conflict to fix. */
        DHCP6_DECLINE(Step.NONE, true),
        /**
         * An Advertise or Reply that gives none of the addresses asked for (status NoAddrsAvail: the
         * pool is exhausted; NoBinding; NotOnLink): the machine gets no address here.
         */
        DHCP6_REFUSED(Step.NONE, true),
        /**
         * No reply to a booting client's message, and why (a Request for another server, a Solicit
         * in stateless mode, a message RFC 8415 §16 makes the server discard).
         */
        DHCP6_UNANSWERED(Step.NONE),
        /** An operator's action through the admin interface. */
        OPERATOR(Step.NONE),
        /**
         * An IPv6 router advertisement (lifetime 0, no prefix) answering the machine's router
         * solicitation, which ends iPXE's wait for an IPv6 router (issue 16).
         */
        NDP_ROUTER_ADVERTISEMENT(Step.NONE);

        private final Step step;
        private final boolean failure;

        Kind(Step step) {
            this(step, false);
        }

        Kind(Step step, boolean failure) {
            this.step = step;
            this.failure = failure;
        }

        public Step step() {
            return step;
        }

        public boolean failure() {
            return failure;
        }
    }
}

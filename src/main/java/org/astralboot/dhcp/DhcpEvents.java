package org.astralboot.dhcp;

import org.astralboot.dhcp.codec.DhcpMessageType;
import org.astralboot.dhcp.codec.DhcpOption;
import org.astralboot.dhcp.codec.DhcpPacket;
import org.astralboot.dhcp.engine.DhcpReply;
import org.astralboot.dhcp.engine.Firmware;
import org.astralboot.events.BootEvent;
import org.astralboot.events.BootEvent.Kind;
import org.astralboot.events.Events;
import org.astralboot.net.Ipv4;

/**
 * The boot events of the DHCP transport: each DISCOVER, REQUEST and RELEASE received and each OFFER,
 * ACK and NAK sent (proxyDHCP offers as {@link Kind#DHCP_PROXY_OFFER}), with the client's MAC, the
 * address concerned and its firmware (RFC 4578 §2.1 architecture, option 93). Here, in the
 * transport, so the engine and codec stay free of who listens.
 */
final class DhcpEvents {
    private DhcpEvents() {
    }

    /** The firmware of a client as the events name it ({@link Firmware#eventName()}). */
    static String firmware(DhcpPacket p) {
        return Firmware.of(p).eventName();
    }

    /** A message received from a client. */
    static void received(Events events, DhcpPacket req) {
        if (events == Events.NONE) {
            return;
        }
        DhcpMessageType t = req.messageType();
        Kind kind = t == null ? null : switch (t) {
            case DISCOVER -> Kind.DHCP_DISCOVER;
            case REQUEST -> Kind.DHCP_REQUEST;
            case RELEASE -> Kind.DHCP_RELEASE;
            default -> null;
        };
        if (kind == null) {
            if (t != null) { // DECLINE, INFORM: counted, no event
                events.dhcpPacket(t.code, true, macValue(req));
            }
            return;
        }
        Firmware f = Firmware.of(req);
        if (!booting(f)) {
            events.dhcpPacket(t.code, true, macValue(req));
            return;
        }
        int asked = req.options().intValue(DhcpOption.REQUESTED_ADDRESS, 0);
        int addr = req.ciaddr() != 0 ? req.ciaddr() : asked;
        // iPXE first: the status board tells iPXE's DHCP from the firmware's by it (BootEvent.fromIpxe).
        String detail = (f.ipxe() ? BootEvent.IPXE : "") + (req.giaddr() != 0
                ? (f.ipxe() ? ", " : "") + "via relay " + Ipv4.text(Ipv4.fromInt(req.giaddr())) : "");
        events.emit(BootEvent.of(kind, req.mac().toString(), addr == 0 ? "" : Ipv4.text(Ipv4.fromInt(addr)),
                f.eventName(), detail));
    }

    /** A reply decided for {@code req}; {@code proxy}: the proxyDHCP service (boot options only). */
    static void sent(Events events, DhcpPacket req, DhcpReply reply, boolean proxy) {
        if (events == Events.NONE) {
            return;
        }
        DhcpPacket p = reply.packet();
        DhcpMessageType t = p.messageType();
        Kind kind = t == null ? null : switch (t) {
            case OFFER -> proxy ? Kind.DHCP_PROXY_OFFER : Kind.DHCP_OFFER;
            case ACK -> Kind.DHCP_ACK;
            case NAK -> Kind.DHCP_NAK;
            default -> null;
        };
        if (kind == null) {
            return;
        }
        Firmware f = Firmware.of(req);
        if (!booting(f)) {
            events.dhcpPacket(t.code, false, macValue(req));
            return;
        }
        String boot = p.options().text(DhcpOption.BOOTFILE_NAME).orElse(p.file());
        String detail = kind == Kind.DHCP_NAK ? p.options().text(DhcpOption.MESSAGE).orElse("")
                : (proxy ? "proxy, " : "") + (boot.isEmpty() ? "no boot file" : "boot " + boot);
        events.emit(BootEvent.of(kind, req.mac().toString(), p.yiaddr() == 0 ? "" : Ipv4.text(Ipv4.fromInt(p.yiaddr())),
                f.eventName(), detail));
    }

    /**
     * A request of a booting client that got no reply for a reason worth telling (the engine's
     * {@code silence}): {@link Kind#DHCP_REFUSED}, or {@link Kind#DHCP_UNANSWERED} for a wait.
     * Other clients' silences are only logged, as before.
     */
    static void unanswered(Events events, DhcpPacket req, String why, boolean refused) {
        if (events == Events.NONE || why == null) {
            return;
        }
        Firmware f = Firmware.of(req);
        if (!booting(f)) {
            return;
        }
        DhcpMessageType t = req.messageType();
        events.emit(BootEvent.of(refused ? Kind.DHCP_REFUSED : Kind.DHCP_UNANSWERED, req.mac().toString(), "",
                f.eventName(), (t == null ? "" : t.name() + ": ") + why));
    }

    /** The client's MAC as a number, or -1 for hardware that is not Ethernet-like. */
    private static long macValue(DhcpPacket p) {
        org.astralboot.net.MacAddress m = p.mac();
        return m == null ? -1 : m.value();
    }

    /**
     * A client in the middle of a network boot: PXE firmware (vendor class PXEClient or a client
     * architecture, RFC 4578) or iPXE. Others (an OS renewing its lease) are counted, not events.
     */
    static boolean booting(Firmware f) {
        return f.pxe() || f.ipxe() || f.httpClient();
    }
}

#!/usr/bin/env python3
"""What perfdhcp's "non unique addresses" counts, from a capture of one run (bench/dhcp/run.sh CAPTURE=1).

perfdhcp 2.2 (-u) puts the yiaddr of every OFFER it receives into one set, and of every ACK into
another, and counts each address already in the set as "non unique", whichever client it went to.
Its clients are random MACs drawn from -R of them, so a MAC often runs a second DORA; a server that
gives a MAC the address it holds or was offered (RFC 2131 §4.3.1) then repeats that address, which
perfdhcp counts. Here each repeat is split by client: the same MAC again (benign), or another MAC.
For another MAC the repeat is a conflict when the earlier client still holds the address: an ACK to
it (the bench's leases last an hour, perfdhcp sends no RELEASE), or an OFFER to it less than
OFFER_HOLD seconds before (an address offered is held for the client).

Usage: unique.py capture.pcap [offer_hold_seconds]   (the capture: udp port 67 on the client side)
"""
import struct
import sys
from collections import Counter

OFFER, ACK, NAK = 2, 5, 6


def packets(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            endian = "<"
        else:
            endian = ">"
            magic = struct.unpack(">I", head[:4])[0]
        nano = magic == 0xA1B23C4D
        linktype = struct.unpack(endian + "I", head[20:24])[0]
        if linktype != 1:
            sys.exit("unique.py: link type %d, expected Ethernet" % linktype)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, incl, _ = struct.unpack(endian + "IIII", rec)
            data = f.read(incl)
            yield sec + frac / (1e9 if nano else 1e6), data


def bootp(frame):
    """(op, xid, yiaddr, chaddr, message type) of a DHCP datagram in an Ethernet frame, or None."""
    if len(frame) < 14 + 20 + 8 + 240 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 15) * 4
    if frame[14 + 9] != 17:
        return None
    b = frame[14 + ihl + 8:]
    if len(b) < 240 or b[236:240] != b"\x63\x82\x53\x63":
        return None
    op = b[0]
    xid = b[4:8]
    yiaddr = b[16:20]
    chaddr = b[28:34]
    mtype = None
    i = 240
    while i < len(b):
        code = b[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(b):
            break
        ln = b[i + 1]
        if code == 53 and ln >= 1 and i + 2 < len(b):
            mtype = b[i + 2]
        i += 2 + ln
    return op, xid, yiaddr, chaddr, mtype


def ip(a):
    return ".".join(str(x) for x in a)


def main():
    path = sys.argv[1]
    hold = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    counts = Counter()
    discover_macs = set()
    offered = {}   # address -> (mac, time) of the last OFFER
    acked = {}     # address -> mac of the last ACK
    seen = {OFFER: {}, ACK: {}}  # perfdhcp's sets: address -> MACs it went to
    repeat = {OFFER: Counter(), ACK: Counter()}
    examples = []
    for t, frame in packets(path):
        p = bootp(frame)
        if p is None:
            continue
        op, xid, yi, mac, mtype = p
        if op == 1:
            counts["request-type-%s" % mtype] += 1
            if mtype == 1:
                discover_macs.add(mac)
            continue
        if mtype not in (OFFER, ACK, NAK):
            continue
        counts[{OFFER: "OFFER", ACK: "ACK", NAK: "NAK"}[mtype]] += 1
        if mtype == NAK:
            continue
        macs = seen[mtype].setdefault(yi, set())
        if macs:
            if mac in macs and len(macs) == 1:
                repeat[mtype]["same MAC"] += 1
            else:
                repeat[mtype]["other MAC"] += 1
                holder_ack = acked.get(yi)
                holder_off = offered.get(yi)
                conflict = (holder_ack is not None and holder_ack != mac) or (
                    holder_off is not None and holder_off[0] != mac and t - holder_off[1] < hold)
                if conflict:
                    repeat[mtype]["other MAC, earlier client still holds it (conflict)"] += 1
                    if len(examples) < 10:
                        examples.append("%s %s to %s at %.3f; earlier: offer %s ack %s" % (
                            "OFFER" if mtype == OFFER else "ACK", ip(yi), mac.hex(":"), t,
                            holder_off and (holder_off[0].hex(":"), round(holder_off[1], 3)),
                            holder_ack and holder_ack.hex(":")))
        macs.add(mac)
        if mtype == OFFER:
            offered[yi] = (mac, t)
        else:
            acked[yi] = mac
    print("capture %s: %s" % (path, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    print("distinct MACs in DISCOVERs: %d" % len(discover_macs))
    for m, name in ((OFFER, "OFFER"), (ACK, "ACK")):
        n = sum(v for k, v in repeat[m].items() if k in ("same MAC", "other MAC"))
        addrs = len(seen[m])
        multi = sum(1 for v in seen[m].values() if len(v) > 1)
        print("%s: %d distinct addresses; addresses seen again (perfdhcp's non unique): %d = %s; "
              "addresses that went to more than one MAC: %d" % (
                  name, addrs, n, dict(repeat[m]), multi))
    for e in examples:
        print("  " + e)


if __name__ == "__main__":
    main()

#!/bin/bash
# How the packets in src/test/java/org/astralboot/dhcp/codec/CapturedPackets.java were captured:
# real clients (dhclient, udhcpc, QEMU's iPXE ROM, OVMF firmware PXE, iPXE EFI) against dnsmasq in
# namespaces abdcs (server) / abdcc (client), tcpdump writing veth.pcap and tap.pcap in $D.
# Needs tcpdump, dnsmasq, isc-dhcp-client, busybox, qemu-system-x86, ipxe-qemu, ovmf.
# The clients never run their distribution scripts: those rewrite the host's /etc/resolv.conf,
# which a network namespace shares with the host.
set -u
D=${D:-/tmp/dhcp-cap}; mkdir -p "$D"
cleanup() { for p in $(ip netns pids abdcs 2>/dev/null) $(ip netns pids abdcc 2>/dev/null); do kill -9 $p 2>/dev/null; done; ip netns del abdcs 2>/dev/null; ip netns del abdcc 2>/dev/null; }
trap cleanup EXIT
cleanup
ip netns add abdcs; ip netns add abdcc
ip -n abdcs link set lo up; ip -n abdcc link set lo up
ip link add abdcs0 netns abdcs type veth peer name abdcc0 netns abdcc
ip -n abdcs addr add 198.18.16.1/24 dev abdcs0; ip -n abdcs link set abdcs0 up; ip -n abdcc link set abdcc0 up
ip -n abdcs tuntap add dev abdtap0 mode tap; ip -n abdcs addr add 198.18.17.1/24 dev abdtap0; ip -n abdcs link set abdtap0 up
ip netns exec abdcs dnsmasq --no-daemon --port=0 --no-ping --dhcp-range=198.18.16.100,198.18.16.200,1h --dhcp-range=198.18.17.100,198.18.17.200,1h --dhcp-leasefile=$D/leases --pid-file=$D/dnsmasq.pid --interface=abdcs0 --interface=abdtap0 --bind-interfaces > $D/dnsmasq.log 2>&1 &
ip netns exec abdcs tcpdump -i abdcs0 -w $D/veth.pcap -U udp port 67 or udp port 68 > $D/tcpdump1.log 2>&1 &
ip netns exec abdcs tcpdump -i abdtap0 -w $D/tap.pcap -U udp port 67 or udp port 68 or udp port 4011 > $D/tcpdump2.log 2>&1 &
sleep 2
echo dhclient; ip netns exec abdcc timeout 20 dhclient -1 -d -sf /bin/true -lf $D/dhclient.leases -pf $D/dhclient.pid abdcc0 > $D/dhclient.log 2>&1
ip netns exec abdcc dhclient -r -sf /bin/true -lf $D/dhclient.leases -pf $D/dhclient.pid abdcc0 >> $D/dhclient.log 2>&1
ip -n abdcc link set abdcc0 address 52:54:00:aa:bb:02
echo udhcpc; ip netns exec abdcc timeout 20 busybox udhcpc -i abdcc0 -q -n -s /bin/true > $D/udhcpc.log 2>&1
sleep 1
echo qemu-bios
ip netns exec abdcs timeout 25 qemu-system-x86_64 -m 256 -nographic -no-reboot -boot n -netdev tap,id=n0,ifname=abdtap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:01 -display none -serial file:$D/bios.serial > $D/qemu-bios.log 2>&1
cp /usr/share/OVMF/OVMF_VARS_4M.fd $D/vars.fd
echo qemu-ovmf
ip netns exec abdcs timeout 60 qemu-system-x86_64 -m 256 -nographic -no-reboot -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,file=$D/vars.fd -netdev tap,id=n0,ifname=abdtap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:07,romfile= -display none -serial file:$D/ovmf.serial > $D/qemu-ovmf.log 2>&1
cp /usr/share/OVMF/OVMF_VARS_4M.fd $D/vars.fd
echo qemu-ipxe-efi
ip netns exec abdcs timeout 60 qemu-system-x86_64 -m 256 -nographic -no-reboot -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,file=$D/vars.fd -netdev tap,id=n0,ifname=abdtap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:e7 -display none -serial file:$D/ipxeefi.serial > $D/qemu-ipxeefi.log 2>&1
sleep 1
echo done

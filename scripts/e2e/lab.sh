# Shell helpers for scripts/demo and bench/boot/run (sourced, POSIX sh): a network namespace with
# a bridge carrying the boot server's address and N taps for QEMU VMs, boot servers inside it
# (Astralboot, or dnsmasq + busybox httpd as the reference, or dnsmasq + Pixiecore), and timed VM boots.
# Everything stays inside the namespace; lab_down removes it and every process in it.
#
# Variables: LAB_NS (namespace), LAB_ADDR (server address), LAB_PREFIX (prefix length),
# LAB_WORK (work folder), ROOT (project root).

: "${ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
MARKER=ASTRALBOOT-E2E-MARKER
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

# lab_up NTAPS: namespace $LAB_NS, bridge br0 with $LAB_ADDR/$LAB_PREFIX, taps tap0..tapN-1 on it.
lab_up() {
    ip netns add "$LAB_NS"
    ip -n "$LAB_NS" link set lo up
    ip -n "$LAB_NS" link add br0 type bridge
    # No STP delay: the firmware's first DHCP must not be lost while the port is "learning".
    ip -n "$LAB_NS" link set br0 type bridge forward_delay 0 stp_state 0
    ip -n "$LAB_NS" addr add "$LAB_ADDR/$LAB_PREFIX" dev br0
    ip -n "$LAB_NS" link set br0 up
    i=0
    while [ "$i" -lt "$1" ]; do
        ip -n "$LAB_NS" tuntap add dev "tap$i" mode tap
        ip -n "$LAB_NS" link set "tap$i" master br0
        ip -n "$LAB_NS" link set "tap$i" up
        i=$((i + 1))
    done
}

# lab_down: kills everything in the namespace (servers, VMs) and deletes it.
lab_down() {
    ip netns list 2>/dev/null | grep -q "^$LAB_NS\b" || return 0
    for pid in $(ip netns pids "$LAB_NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in $(ip netns pids "$LAB_NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$LAB_NS" 2>/dev/null || true
}

lab_exec() { ip netns exec "$LAB_NS" "$@"; }

now_ms() { date +%s%3N; }

# wait_for FILE TEXT SECONDS [PID]: waits until FILE contains TEXT; fails if PID dies or time runs out.
wait_for() {
    _end=$(( $(date +%s) + $3 ))
    while ! grep -aq -- "$2" "$1" 2>/dev/null; do
        if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then
            echo "lab: process $4 exited before '$2' appeared in $1" >&2; tail -30 "$1" >&2; return 1
        fi
        if [ "$(date +%s)" -ge "$_end" ]; then
            echo "lab: '$2' did not appear in $1 within $3 s" >&2; tail -30 "$1" >&2; return 1
        fi
        sleep 0.05
    done
}

# astralboot_config FILE DATA MODE DEFAULT TIMEOUT: writes a config for interface br0. LAB_EFI_BINARY
# (default ipxe.efi) is the first stage for x64 UEFI firmware, here and in start_reference.
astralboot_config() {
    _range=""
    [ "$3" = full ] && _range="range_start = \"${LAB_RANGE_START}\"
range_end = \"${LAB_RANGE_END}\""
    cat > "$1" <<CFG
interface = "br0"
address = "$LAB_ADDR"
domain = "demo.test"
data = "$2"
database = "$LAB_WORK/astralboot.db"
cache = "$LAB_WORK/cache"
ipfs = false

[http]
port = 80

[tftp]
port = 69

[dhcp]
mode = "$3"
$_range
efi_binary = "${LAB_EFI_BINARY:-ipxe.efi}"

[menu]
default = "$4"
timeout = $5
CFG
}

# start_astralboot CONFIG LOG [ARGS...]: starts bin/astralboot serve in the namespace, waits for ready.
# Sets ASTRALBOOT_PID.
start_astralboot() {
    _cfg=$1; _log=$2; shift 2
    : > "$_log"
    ip netns exec "$LAB_NS" "$ROOT/bin/astralboot" serve -c "$_cfg" -l "$@" >> "$_log" 2>&1 &
    ASTRALBOOT_PID=$!
    wait_for "$_log" "Astralboot ready" 120 "$ASTRALBOOT_PID"
}

# start_reference TREE OS MENU_TIMEOUT LOGDIR: dnsmasq (DHCP + TFTP) and busybox httpd serving TREE,
# with a /boot.ipxe that shows a one-OS menu timing out to OS after MENU_TIMEOUT seconds (the same
# kind of menu Astralboot shows), then boots it. Sets REF_PIDS.
start_reference() {
    _tree=$1; _os=$2; _timeout=$3; _logs=$4
    mkdir -p "$LAB_WORK/www"
    ln -sfn "$_tree/boot" "$LAB_WORK/www/boot"
    _initrd="initrd-$_os.gz"
    cat > "$LAB_WORK/www/boot.ipxe" <<IPXE
#!ipxe
menu Reference boot menu
item $_os $_os
choose --default $_os --timeout $((_timeout * 1000)) target || goto $_os
:$_os
kernel http://$LAB_ADDR/boot/$_os/images/linux console=ttyS0 panic=-1 quiet initrd=$_initrd e2eos=$_os
initrd http://$LAB_ADDR/boot/$_os/images/$_initrd
boot
IPXE
    : > "$_logs/dnsmasq.log"
    ip netns exec "$LAB_NS" dnsmasq --keep-in-foreground --no-daemon --conf-file=/dev/null --log-facility=- \
        --user=root --port=0 --interface=br0 --bind-interfaces --no-ping \
        --dhcp-range="$LAB_RANGE_START,$LAB_RANGE_END,1h" --dhcp-leasefile="$LAB_WORK/dnsmasq.leases" \
        --pid-file="$LAB_WORK/dnsmasq.pid" --enable-tftp --tftp-root="$_tree/tftp" \
        --dhcp-userclass=set:ipxe,iPXE --dhcp-match=set:efi64,option:client-arch,7 \
        --dhcp-boot=tag:ipxe,"http://$LAB_ADDR/boot.ipxe" --dhcp-boot=tag:!ipxe,tag:efi64,"${LAB_EFI_BINARY:-ipxe.efi}" \
        --dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe >> "$_logs/dnsmasq.log" 2>&1 &
    _d=$!
    ip netns exec "$LAB_NS" busybox httpd -f -p "$LAB_ADDR:80" -h "$LAB_WORK/www" > "$_logs/httpd.log" 2>&1 &
    REF_PIDS="$_d $!"
    wait_for "$_logs/dnsmasq.log" "started, version" 20 "$_d"
}

# start_pixiecore TREE OS LOGDIR: the Pixiecore reference (netboot's own server, built by
# scripts/go-tools) in proxyDHCP mode beside dnsmasq handing out addresses only (no boot options),
# booting TREE's OS kernel and initrd with `pixiecore boot`: Pixiecore answers the PXE/iPXE part of
# DHCP, serves its own embedded iPXE builds over TFTP and the kernel, initrd and iPXE script over
# HTTP on port 80. It shows no menu. Its own iPXE is needed: it recognises a chainloaded client by
# the DHCP user class "pixiecore" that only its build sends, and with the tree's (Debian's)
# ipxe.efi a UEFI client loops between DHCP and the TFTP of ipxe.efi. Sets REF_PIDS.
start_pixiecore() {
    _tree=$1; _os=$2; _logs=$3
    _pxc=$("$ROOT/scripts/go-tools" path pixiecore)
    [ -x "$_pxc" ] || "$ROOT/scripts/go-tools" install pixiecore >&2
    : > "$_logs/dnsmasq-pixiecore.log"
    ip netns exec "$LAB_NS" dnsmasq --keep-in-foreground --no-daemon --conf-file=/dev/null --log-facility=- \
        --user=root --port=0 --interface=br0 --bind-interfaces --no-ping \
        --dhcp-range="$LAB_RANGE_START,$LAB_RANGE_END,1h" --dhcp-leasefile="$LAB_WORK/dnsmasq.leases" \
        --pid-file="$LAB_WORK/dnsmasq.pid" >> "$_logs/dnsmasq-pixiecore.log" 2>&1 &
    _d=$!
    : > "$_logs/pixiecore.log"
    ip netns exec "$LAB_NS" "$_pxc" boot "$_tree/boot/$_os/images/linux" "$_tree/boot/$_os/images/initrd-$_os.gz" \
        --cmdline "console=ttyS0 panic=-1 quiet e2eos=$_os" --dhcp-no-bind --port 80 \
        > "$_logs/pixiecore.log" 2>&1 &
    REF_PIDS="$_d $!"
    wait_for "$_logs/dnsmasq-pixiecore.log" "started, version" 20 "$_d"
    sleep 1   # Pixiecore prints nothing when ready; its listeners open within milliseconds
}

stop_pids() {
    for _p in "$@"; do kill "$_p" 2>/dev/null || true; done
    for _p in "$@"; do wait "$_p" 2>/dev/null || true; done
}

# boot_vm FW TAP MAC CONSOLE LIMIT: boots one VM (FW = bios | uefi) on tap TAP; prints the milliseconds
# from QEMU start until the test OS marker appeared (fails when it did not within LIMIT seconds).
# With LAB_CAPTURE set, also records, on one clock: CONSOLE.start (QEMU start, epoch seconds),
# CONSOLE.pcap (tcpdump on br0 of the VM's MAC and of broadcast DHCP replies, first LAB_CAPTURE
# bytes of each frame: 600 holds DHCP messages, TFTP requests and HTTP request lines) and CONSOLE.ts (the console, each line stamped with
# the time it appeared); bench/boot/phases reads them.
boot_vm() {
    _fw=$1; _tap=$2; _mac=$3; _console=$4; _limit=$5
    : > "$_console"
    set -- -m 256 -nographic -display none -no-reboot -serial mon:stdio -boot n \
        -netdev "tap,id=n0,ifname=$_tap,script=no,downscript=no"
    if [ "$_fw" = uefi ]; then
        cp "$OVMF_VARS" "$_console.vars.fd"
        set -- "$@" -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE" \
            -drive "if=pflash,format=raw,file=$_console.vars.fd" -device "virtio-net-pci,netdev=n0,mac=$_mac,romfile="
    else
        set -- "$@" -device "virtio-net-pci,netdev=n0,mac=$_mac"
    fi
    _cap=""
    if [ -n "${LAB_CAPTURE:-}" ]; then
        ip netns exec "$LAB_NS" tcpdump -i br0 -n -s "$LAB_CAPTURE" -U -w "$_console.pcap" "ether host $_mac or (ether broadcast and udp dst port 68)" \
            2> "$_console.tcpdump" &
        _cap=$!
        wait_for "$_console.tcpdump" "listening on" 10 "$_cap" >&2 || true
    fi
    _t0=$(now_ms)
    [ -z "$_cap" ] || echo "$_t0" > "$_console.start"
    ip netns exec "$LAB_NS" timeout -s KILL $((_limit + 5)) qemu-system-x86_64 "$@" < /dev/null > "$_console" 2>&1 &
    _vm=$!
    [ -z "$_cap" ] || "$ROOT/scripts/e2e/console-stamp" "$_console" "$_vm" "$_console.ts" &
    _ok=1
    _end=$(( $(date +%s) + _limit ))
    while :; do
        if grep -aq "$MARKER" "$_console"; then _t1=$(now_ms); _ok=0; break; fi
        # Dead ends: iPXE found nothing to boot, SeaBIOS gave up, OVMF fell back to its shell, the kernel panicked.
        grep -aqE 'No more network devices|No bootable device|Shell> |Kernel panic' "$_console" && { sleep 0.5; break; }
        kill -0 "$_vm" 2>/dev/null || break
        [ "$(date +%s)" -ge "$_end" ] && break
        sleep 0.05
    done
    # The test OS powers off right after the marker.
    _w=0
    while kill -0 "$_vm" 2>/dev/null && [ "$_w" -lt 40 ]; do sleep 0.1; _w=$((_w + 1)); done
    # TERM to timeout(1), which passes it on to QEMU (a KILL would orphan QEMU).
    kill "$_vm" 2>/dev/null || true
    wait "$_vm" 2>/dev/null || true
    if [ -n "$_cap" ]; then
        sleep 0.2   # the last packets and console lines reach their files
        kill "$_cap" 2>/dev/null || true
        wait 2>/dev/null || true   # tcpdump and console-stamp
        rm -f "$_console.tcpdump"
    fi
    rm -f "$_console.vars.fd"
    [ "$_ok" = 0 ] || return 1
    echo $((_t1 - _t0))
}

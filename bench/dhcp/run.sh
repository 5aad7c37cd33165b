#!/bin/bash
# DHCP benchmark: perfdhcp (relay mode, 60,000 distinct clients) against Astralboot, ISC Kea 2.2
# (memfile, single-threaded) and dnsmasq (--no-ping) in one run, on a veth pair between two network
# namespaces. Prints DORA/s, drops, delays, Astralboot/Kea ratio and Astralboot's RSS, and writes
# results to $OUT (default bench/dhcp/results-<date>.txt).
#
# Needs root, iproute2, perfdhcp + kea-dhcp4 (Debian kea-admin, kea-dhcp4-server), dnsmasq-base,
# a JDK 21+ and Maven (builds target/astralboot.jar offline if missing).
#
# Knobs (environment): RATE (offered DORA/s, default 12000), PERIOD (seconds per server, 12),
# CLIENTS (60000), SERVERS ("astralboot kea dnsmasq"; also kea-mt: Kea with its multi-threading on,
# one thread per core), DNSMASQ_PERIOD (default PERIOD),
# WARMUP (seconds of load with other MACs before each measured run, every server alike; 20: the JIT's
# compile work must be over, or the compiler thread competes with perfdhcp for the 2 cores),
# ROUNDS (side-by-side rounds, default 3: each round runs every server once from a fresh state, the
# order reversed every other round so neither server always runs first on a warmer machine; the
# summary gives each round and the medians),
# AB_ARGS (extra arguments to astralboot serve, e.g. -vv for commit statistics),
# ASTRALBOOT_JAVA_OPTS (default: serial GC, 96 MB heap, 48 MB code cache, one Netty arena),
# CAPTURE (1: tcpdump on the client side during each measured run, then bench/dhcp/unique.py splits
# perfdhcp's "non unique addresses" into repeats to the same MAC and to another MAC; costs CPU, so
# not for rate figures).
#
# Addresses: the namespaces' own addresses are 198.18.16.1 and 198.18.16.2 (the DHCP helper's range).
# 60,000 leases need a /16, so the subnet and pool are 198.18.0.0/16: they exist only in DHCP payloads
# inside these two namespaces, which are deleted on exit.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RATE=${RATE:-12000}
PERIOD=${PERIOD:-12}
CLIENTS=${CLIENTS:-60000}
SERVERS=${SERVERS:-"astralboot kea dnsmasq"}
DNSMASQ_PERIOD=${DNSMASQ_PERIOD:-$PERIOD}
ASTRALBOOT_JAVA_OPTS=${ASTRALBOOT_JAVA_OPTS:-"-XX:+UseSerialGC -Xms32m -Xmx96m -XX:ReservedCodeCacheSize=48m -XX:MaxDirectMemorySize=64m -Dio.netty.allocator.type=pooled -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1"}
WARMUP=${WARMUP:-20}
ROUNDS=${ROUNDS:-3}
OUT=${OUT:-$ROOT/bench/dhcp/results-$(date -u +%Y%m%dT%H%M%SZ).txt}
JAVA_HOME=${JAVA_HOME:-$("$ROOT/scripts/find-jdk")}
export JAVA_HOME
S=abdbs; C=abdbc; SIF=abdbs0; CIF=abdbc0
W=$(mktemp -d /tmp/abd-bench.XXXXXX)

cleanup() {
    for n in $S $C; do
        for p in $(ip netns pids $n 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del $n 2>/dev/null
    done
}
trap 'cleanup; echo "work files: $W" >&2' EXIT
cleanup

if [ ! -f "$ROOT/target/astralboot.jar" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$ROOT/target/astralboot.jar" -print -quit)" ]; then
    (cd "$ROOT" && mvn -B -o -q package -DskipTests -DskipITs) || { echo "build failed" >&2; exit 1; }
fi

ip netns add $S && ip netns add $C
ip -n $S link set lo up; ip -n $C link set lo up
ip link add $SIF netns $S type veth peer name $CIF netns $C
ip -n $S addr add 198.18.16.1/16 dev $SIF; ip -n $C addr add 198.18.16.2/16 dev $CIF
ip -n $S link set $SIF up; ip -n $C link set $CIF up

wait_port67() { # wait until something listens on UDP 67 in the server namespace
    for _ in $(seq 200); do
        ip netns exec $S ss -Hlun 'sport = :67' | grep -q . && return 0
        sleep 0.1
    done
    echo "server did not bind port 67" >&2; return 1
}

cpu_ticks() { awk '{print $14+$15}' /proc/"$1"/stat; }

cpu_of() { # $1 name, $2 pid: CPU seconds (user+system) the server used during the perfdhcp run
    local ticks hz
    ticks=$(( $(cpu_ticks "$2") - CPU0 )); hz=$(getconf CLK_TCK)
    echo "$1 cpu $(awk -v t="$ticks" -v h="$hz" 'BEGIN{printf "%.2f", t/h}') s" >> "$OUT"
    echo "$1 CPU seconds: $(awk -v t="$ticks" -v h="$hz" 'BEGIN{printf "%.2f", t/h}')" >> "$W/perf-$1.txt"
}

udp_errors() { # UDP receive-buffer overflows in namespace $1 (since its creation)
    ip netns exec "$1" cat /proc/net/snmp | awk '/^Udp:/{if(!h){split($0,k);h=1}else{split($0,v);for(i in k)if(k[i]=="RcvbufErrors")print v[i]}}'
}

warm_up() { # same short load for every server before measuring (JIT, caches); other MACs than the run
    [ "$WARMUP" -gt 0 ] || return 0
    ip netns exec $C perfdhcp -4 -l $CIF -r "$RATE" -R 2000 -b mac=02:aa:00:00:00:00 -p "$WARMUP" 198.18.16.1 > "$W/warmup-$1.txt" 2>&1
    sleep 1
}

run_perf() { # $1 name (server-round), $2 period
    local cerr0 serr0
    warm_up "$1"
    CPU0=$(cpu_ticks "$(ip netns pids $S | head -1)")
    cerr0=$(udp_errors $C); serr0=$(udp_errors $S)
    local tcpd=
    if [ "${CAPTURE:-0}" = 1 ]; then
        ip netns exec $C tcpdump -i $CIF -s 400 -B 65536 -w "$W/cap-$1.pcap" udp port 67 > "$W/tcpdump-$1.log" 2>&1 &
        tcpd=$!; sleep 1
    fi
    ip netns exec $C perfdhcp -4 -l $CIF -r "$RATE" -R "$CLIENTS" -p "$2" -u 198.18.16.1 > "$W/perf-$1.txt" 2>&1
    echo "--- perfdhcp against $1 (rate $RATE, $CLIENTS clients, ${2}s)" >> "$OUT"
    cat "$W/perf-$1.txt" >> "$OUT"
    if [ -n "$tcpd" ]; then
        sleep 1; kill -INT "$tcpd"; wait "$tcpd" 2>/dev/null
        tail -3 "$W/tcpdump-$1.log" >> "$OUT"
        python3 "$ROOT/bench/dhcp/unique.py" "$W/cap-$1.pcap" | tee -a "$W/perf-$1.txt" >> "$OUT"
        rm -f "$W/cap-$1.pcap"
    fi
    echo "UDP receive-buffer overflows: client $(( $(udp_errors $C) - cerr0 )), server $(( $(udp_errors $S) - serr0 ))" | tee -a "$W/perf-$1.txt" >> "$OUT"
}

rate_of() { # $1 name-round
    sed -n 's/^Rate: \([0-9.]*\) 4-way exchanges\/second.*/\1/p' "$W/perf-$1.txt" | head -1; }

: > "$OUT"
echo "DHCP bench $(date -u +%FT%TZ) on $(nproc) cores; $(uname -r); $ROUNDS rounds; load before: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT"
run_server() { # $1 server, $2 round: a fresh server (empty lease state), warm-up, one measured run
    local srv=$1 r=$2 name="$1-$2"
    rm -rf "$W/ab" "$W/kea" "$W/dnsmasq"
    case $srv in
    astralboot)
        mkdir -p "$W/ab/data"
        cat > "$W/ab/config.toml" <<EOC
interface = "$SIF"
data = "./data"
database = "./astralboot.db"
ipfs = false
[http]
port = 8080
[dhcp]
mode = "full"
range_start = "198.18.0.10"
range_end = "198.18.255.250"
lease_time = "1h"
EOC
        (cd "$W/ab" && ASTRALBOOT_JAVA_OPTS="$ASTRALBOOT_JAVA_OPTS" ip netns exec $S "$ROOT/bin/astralboot" serve -l -c config.toml ${AB_ARGS:-} > "$W/ab/server.log" 2>&1 &)
        for _ in $(seq 300); do grep -q "Astralboot ready" "$W/ab/server.log" && break; sleep 0.1; done
        grep -q "Astralboot ready" "$W/ab/server.log" || { cat "$W/ab/server.log"; exit 1; }
        PID=$(ip netns pids $S | head -1)
        run_perf "$name" "$PERIOD"
        RSS=$(awk '/VmRSS/{print $2}' /proc/"$PID"/status); HWM=$(awk '/VmHWM/{print $2}' /proc/"$PID"/status)
        echo "astralboot RSS ${RSS} kB, peak ${HWM} kB" >> "$OUT"
        cpu_of "$name" "$PID"
        kill "$PID"
        for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
        for p in $(ip netns pids $S); do kill -9 "$p" 2>/dev/null; done
        # Duplicate check on the durable table: no MAC may hold two live leases (an address has one record).
        (cd "$W/ab" && ASTRALBOOT_JAVA_OPTS="$ASTRALBOOT_JAVA_OPTS" "$ROOT/bin/astralboot" leases -c config.toml > "$W/ab/leases.txt" 2>&1)
        awk 'NR>1 && ($4=="bound" || $4=="offered") {n++; if (seen[$2]++) d++} END {printf "astralboot leases table: %d live leases, %d MACs with two live leases\n", n, d+0}' "$W/ab/leases.txt" | tee -a "$W/perf-$name.txt" >> "$OUT"
        ;;
    kea|kea-mt)
        # kea: single-threaded (Kea's default); kea-mt: Kea's own multi-threading, one thread per core.
        local mt=false; [ "$srv" = kea-mt ] && mt=true
        mkdir -p /run/kea "$W/kea"
        cat > "$W/kea/kea.json" <<EOC
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$SIF" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$W/kea/leases.csv", "lfc-interval": 0 },
    "multi-threading": { "enable-multi-threading": $mt, "thread-pool-size": $(nproc), "packet-queue-size": 64 },
    "valid-lifetime": 3600,
    "subnet4": [ { "subnet": "198.18.0.0/16", "pools": [ { "pool": "198.18.0.10 - 198.18.255.250" } ],
                   "option-data": [ { "name": "routers", "data": "198.18.16.1" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$W/kea/kea.log" } ], "severity": "WARN" } ]
} }
EOC
        ip netns exec $S kea-dhcp4 -c "$W/kea/kea.json" > "$W/kea/stdout.log" 2>&1 &
        wait_port67 || { cat "$W/kea/stdout.log"; exit 1; }
        run_perf "$name" "$PERIOD"
        cpu_of "$name" "$(ip netns pids $S | head -1)"
        for p in $(ip netns pids $S); do kill "$p" 2>/dev/null; done; sleep 1
        for p in $(ip netns pids $S); do kill -9 "$p" 2>/dev/null; done
        ;;
    dnsmasq)
        mkdir -p "$W/dnsmasq"
        ip netns exec $S dnsmasq --no-daemon --conf-file=/dev/null --port=0 --no-ping --interface=$SIF \
            --bind-interfaces --dhcp-range=198.18.0.10,198.18.255.250,255.255.0.0,1h --dhcp-lease-max=70000 \
            --dhcp-leasefile="$W/dnsmasq/leases" --pid-file="$W/dnsmasq/pid" > "$W/dnsmasq/log" 2>&1 &
        wait_port67 || { cat "$W/dnsmasq/log"; exit 1; }
        run_perf "$name" "$DNSMASQ_PERIOD"
        cpu_of "$name" "$(ip netns pids $S | head -1)"
        for p in $(ip netns pids $S); do kill "$p" 2>/dev/null; done; sleep 1
        for p in $(ip netns pids $S); do kill -9 "$p" 2>/dev/null; done
        ;;
    esac
}

for r in $(seq "$ROUNDS"); do
    order=$SERVERS
    [ $((r % 2)) -eq 0 ] && order=$(echo "$SERVERS" | tr ' ' '\n' | tac | tr '\n' ' ')
    for srv in $order; do
        echo "round $r: $srv (load $(cut -d' ' -f1 /proc/loadavg))" | tee -a "$OUT" >&2
        run_server "$srv" "$r"
    done
done

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) exit; if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }
echo "=== summary (DORA/s = perfdhcp 'Rate: 4-way exchanges/second')" | tee -a "$OUT"
for srv in $SERVERS; do
    for r in $(seq "$ROUNDS"); do
        printf '%-10s round %d %10s DORA/s  ' "$srv" "$r" "$(rate_of "$srv-$r")" | tee -a "$OUT"
        grep -E "^ *drops:|^ *avg delay:|non unique|overflows|CPU seconds|leases table" "$W/perf-$srv-$r.txt" | tr -s ' ' | tr '\n' ';' | tee -a "$OUT"
        echo | tee -a "$OUT"
    done
    printf '%-10s median %10s DORA/s\n' "$srv" "$(for r in $(seq "$ROUNDS"); do rate_of "$srv-$r"; done | median)" | tee -a "$OUT"
done
for k in kea kea-mt; do
    echo " $SERVERS " | grep -q " astralboot " && echo " $SERVERS " | grep -q " $k " || continue
    ratios=$(for r in $(seq "$ROUNDS"); do
        A=$(rate_of "astralboot-$r"); K=$(rate_of "$k-$r")
        [ -n "$A" ] && [ -n "$K" ] && awk -v a="$A" -v k="$K" 'BEGIN{printf "%.3f\n", a/k}'
    done)
    echo "Astralboot/$k per round: $(echo $ratios)" | tee -a "$OUT"
    echo "Astralboot/$k median of rounds = $(echo "$ratios" | median)" | tee -a "$OUT"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT"
grep -h "astralboot RSS" "$OUT" | tail -1
echo "full output: $OUT"

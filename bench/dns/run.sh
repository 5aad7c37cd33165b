#!/bin/bash
# DNS benchmark: dnsperf (Debian dnsperf 2.10) asks for the A records of NAMES machines, against
# Astralboot's embedded DNS (the names as DHCP reservations) and dnsmasq (the same names in an
# addn-hosts file, authoritative via --local), one after the other in each round, on a veth pair
# between two network namespaces. Prints queries/s of each, the Astralboot/dnsmasq ratio per round
# and the medians, and writes them to $OUT (default bench/dns/results-<date>.txt).
#
# Needs root, iproute2, dnsperf, dnsmasq-base, a JDK 21+ and Maven (builds target/astralboot.jar).
# Knobs (environment): NAMES (1000), PERIOD (seconds measured per server, 15), WARMUP (seconds of the
# same load before each measured run, 8), ROUNDS (3; the order alternates), CLIENTS (dnsperf -c, 4),
# OUTSTANDING (dnsperf -q, 200).
# Addresses: 198.18.44.0/22 inside the two namespaces only, deleted on exit.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NAMES=${NAMES:-1000}
PERIOD=${PERIOD:-15}
WARMUP=${WARMUP:-8}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-4}
OUTSTANDING=${OUTSTANDING:-200}
OUT=${OUT:-$ROOT/bench/dns/results-$(date -u +%Y%m%dT%H%M%SZ).txt}
JAVA_HOME=${JAVA_HOME:-$("$ROOT/scripts/find-jdk")}
export JAVA_HOME
S=abdnsbs; C=abdnsbc; SIF=abdnsbs0; CIF=abdnsbc0
W=$(mktemp -d /tmp/abd-dnsbench.XXXXXX)

cleanup() {
    for n in $S $C; do
        for p in $(ip netns pids $n 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del $n 2>/dev/null
    done
}
trap 'cleanup; echo "work files: $W" >&2' EXIT
cleanup
for t in dnsperf dnsmasq ip; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 2; }; done

if [ ! -f "$ROOT/target/astralboot.jar" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$ROOT/target/astralboot.jar" -print -quit)" ]; then
    (cd "$ROOT" && mvn -B -o -q package -DskipTests -DskipITs) || { echo "build failed" >&2; exit 1; }
fi

ip netns add $S && ip netns add $C
ip -n $S link set lo up; ip -n $C link set lo up
ip link add $SIF netns $S type veth peer name $CIF netns $C
ip -n $S addr add 198.18.44.1/22 dev $SIF; ip -n $C addr add 198.18.44.2/22 dev $CIF
ip -n $S link set $SIF up; ip -n $C link set $CIF up

# The same names for both servers: hostN.bench.example -> 198.18.44.10 + N (spilling into .45-.47).
addr() { local n=$(( 10 + $1 )); echo "198.18.$(( 44 + n / 256 )).$(( n % 256 ))"; }
mkdir -p "$W/ab/data"
cat > "$W/ab/config.toml" <<CFG
interface = "$SIF"
domain = "bench.example"
data = "./data"
database = "./astralboot.db"
ipfs = false
[http]
port = 8080
[dhcp]
range_start = "198.18.47.200"
range_end = "198.18.47.250"
CFG
: > "$W/hosts"; : > "$W/queries"
for i in $(seq 1 "$NAMES"); do
    a=$(addr "$i")
    printf '[[dhcp.reservation]]\nmac = "52:54:00:44:%02x:%02x"\naddress = "%s"\nhostname = "host%d"\n' \
        $(( i / 256 )) $(( i % 256 )) "$a" "$i" >> "$W/ab/config.toml"
    echo "$a host$i.bench.example host$i" >> "$W/hosts"
    echo "host$i.bench.example A" >> "$W/queries"
done

start_astralboot() {
    rm -f "$W/ab/astralboot.db"*
    (cd "$W/ab" && ip netns exec $S "$JAVA_HOME/bin/java" -Xmx256m -jar "$ROOT/target/astralboot.jar" serve -l \
        -c config.toml > "$W/ab/server.log" 2>&1 &)
    for _ in $(seq 300); do grep -q "Astralboot ready" "$W/ab/server.log" 2>/dev/null && return 0; sleep 0.1; done
    echo "astralboot did not start:" >&2; cat "$W/ab/server.log" >&2; return 1
}
start_dnsmasq() {
    ip netns exec $S dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --addn-hosts="$W/hosts" \
        --local=/bench.example/ --domain=bench.example --listen-address=198.18.44.1 --bind-interfaces \
        --cache-size=10000 > "$W/dnsmasq.log" 2>&1 &
    for _ in $(seq 100); do ip netns exec $S ss -Hlun 'sport = :53' | grep -q . && return 0; sleep 0.1; done
    echo "dnsmasq did not start" >&2; return 1
}
stop_server() { for p in $(ip netns pids $S 2>/dev/null); do kill "$p" 2>/dev/null; done; sleep 1;
    for p in $(ip netns pids $S 2>/dev/null); do kill -9 "$p" 2>/dev/null; done; }

measure() { # $1 server name; prints queries/s of the measured run
    local f="$W/perf-$1-$2.txt"
    ip netns exec $C dnsperf -s 198.18.44.1 -d "$W/queries" -l "$WARMUP" -c "$CLIENTS" -q "$OUTSTANDING" > /dev/null 2>&1
    ip netns exec $C dnsperf -s 198.18.44.1 -d "$W/queries" -l "$PERIOD" -c "$CLIENTS" -q "$OUTSTANDING" > "$f" 2>&1
    local qps lost
    qps=$(awk '/Queries per second:/{print $4}' "$f"); lost=$(awk '/Queries lost:/{print $3}' "$f")
    local noerr; noerr=$(awk '/Response codes:/{print $4}' "$f")
    echo "round $2 $1: ${qps:-0} queries/s, lost ${lost:-?}, NOERROR ${noerr:-0}, load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT"
    echo "${qps:-0}"
}

{
    echo "# bench/dns $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(cd "$ROOT" && git rev-parse --short HEAD)"
    echo "# NAMES=$NAMES PERIOD=$PERIOD WARMUP=$WARMUP ROUNDS=$ROUNDS CLIENTS=$CLIENTS OUTSTANDING=$OUTSTANDING, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT"
ratios=(); abs=(); dms=()
for r in $(seq 1 "$ROUNDS"); do
    order="astralboot dnsmasq"; [ $(( r % 2 )) -eq 0 ] && order="dnsmasq astralboot"
    for s in $order; do
        if [ "$s" = astralboot ]; then start_astralboot || exit 1; else start_dnsmasq || exit 1; fi
        q=$(measure "$s" "$r")
        stop_server
        if [ "$s" = astralboot ]; then ab=$q; else dm=$q; fi
    done
    ratio=$(awk -v a="$ab" -v b="$dm" 'BEGIN{printf "%.3f", (b > 0 ? a / b : 0)}')
    ratios+=("$ratio"); abs+=("$ab"); dms+=("$dm")
    echo "round $r ratio astralboot/dnsmasq $ratio" >> "$OUT"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
echo "median astralboot $(median "${abs[@]}") q/s, dnsmasq $(median "${dms[@]}") q/s, ratio $(median "${ratios[@]}") (target >= 1)" >> "$OUT"
cat "$OUT"

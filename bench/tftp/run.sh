#!/usr/bin/env bash
# TFTP benchmark: Astralboot vs dnsmasq vs tftpd-hpa, same run, same veth pair, same client (atftp).
#
#   sudo bench/tftp/run.sh            # from the repository root; REPEAT=3 SIZE_MIB=64 CONC=200 by default
#   REPEAT=5 bench/tftp/run.sh        # more repetitions (the median is reported)
#
# Needs root (network namespaces), atftp, dnsmasq (dnsmasq-base), tftpd-hpa (in.tftpd), python3,
# JDK 21+ (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64) and Maven (builds target/ if missing).
# Uses only namespaces abt-bs/abt-bc and addresses 198.18.40.0/24; removes them on exit.
# Prints a Markdown table of seconds and MiB/s per server and setting and Astralboot's ratios.
set -euo pipefail

REPEAT=${REPEAT:-3}
SIZE_MIB=${SIZE_MIB:-64}
CONC=${CONC:-200}
ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
SRV=abt-bs
CLI=abt-bc
A_IP=198.18.40.1   # Astralboot
D_IP=198.18.40.2   # dnsmasq
H_IP=198.18.40.3   # tftpd-hpa
C_IP=198.18.40.10  # client
UNDI=/usr/lib/ipxe/undionly.kpxe

for t in atftp dnsmasq in.tftpd python3 ip; do
    command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 2; }
[ -r "$UNDI" ] || { echo "missing $UNDI (Debian package ipxe)" >&2; exit 2; }

WORK=$(mktemp -d /dev/shm/abt-bench.XXXXXX)
chmod 755 "$WORK"
cleanup() {
    for ns in $SRV $CLI; do
        if ip netns list | grep -qw "$ns"; then
            for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
            sleep 0.3
            for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
cleanup_stale() {
    for ns in $SRV $CLI; do
        if ip netns list | grep -qw "$ns"; then
            echo "removing stale namespace $ns" >&2
            for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
            ip netns del "$ns"
        fi
    done
}
cleanup_stale

# --- build -----------------------------------------------------------------------------------
if [ ! -f "$ROOT_DIR/target/astralboot.jar" ] || [ -n "${REBUILD:-}" ]; then
    echo "building astralboot (mvn package)..." >&2
    (cd "$ROOT_DIR" && JAVA_HOME=$JAVA_HOME mvn -B -o -q -DskipTests -DskipITs package) >&2
fi
CP="$ROOT_DIR/target/astralboot.jar:$ROOT_DIR/target/lib/*"

# --- data ------------------------------------------------------------------------------------
DATA=$WORK/data
mkdir -p "$DATA/tftp" "$WORK/out"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$DATA/tftp/big.bin"
cp "$UNDI" "$DATA/tftp/undionly.kpxe"
chmod -R a+rX "$DATA"

# --- network ---------------------------------------------------------------------------------
ip netns add $SRV
ip netns add $CLI
ip -n $SRV link set lo up
ip -n $CLI link set lo up
ip link add abtbs0 netns $SRV type veth peer name abtbc0 netns $CLI
for a in $A_IP $D_IP $H_IP; do ip -n $SRV addr add $a/24 dev abtbs0; done
ip -n $CLI addr add $C_IP/24 dev abtbc0
ip -n $SRV link set abtbs0 up
ip -n $CLI link set abtbc0 up

# --- servers ---------------------------------------------------------------------------------
cat > "$WORK/config.toml" <<EOF
interface = "abtbs0"
address = "$A_IP"
ipfs = false
data = "$DATA"
database = "$WORK/astralboot.db"
[dhcp]
mode = "off"
[http]
port = 18080
[tftp]
max_transfers = 256
# All benchmark clients share one address; the per-address cap (default 16) is for hostile clients.
max_transfers_per_client = 256
EOF
# -v: one info line per transfer (with its count of timeouts), for the report below.
ip netns exec $SRV "$JAVA" -cp "$CP" org.astralboot.cli.Main serve -c "$WORK/config.toml" -l -v \
    > "$WORK/astralboot.log" 2>&1 &
ip netns exec $SRV dnsmasq --no-daemon --conf-file=/dev/null --port=0 --enable-tftp \
    --tftp-root="$DATA/tftp" --listen-address=$D_IP --bind-interfaces --tftp-max=256 --user=root \
    --pid-file="$WORK/dnsmasq.pid" --quiet-tftp --log-facility="$WORK/dnsmasq.log" > "$WORK/dnsmasq.out" 2>&1 &
ip netns exec $SRV in.tftpd -L -4 -u root -s -a $H_IP:69 "$DATA/tftp" > "$WORK/tftpd.log" 2>&1 &

for i in $(seq 1 300); do
    grep -q "Astralboot ready" "$WORK/astralboot.log" && break
    sleep 0.1
done
grep -q "Astralboot ready" "$WORK/astralboot.log" || { cat "$WORK/astralboot.log" >&2; exit 1; }
sleep 0.5

# --- measurements ----------------------------------------------------------------------------
RESULTS=$WORK/results.tsv
: > "$RESULTS"

# Times atftp inside the client namespace (bash $EPOCHREALTIME: no fork, no setns in the timing);
# prints the seconds, or FAIL.
fetch() { # server-ip out-file options...
    local ip=$1 out=$2
    shift 2
    local opts=()
    for o in "$@"; do opts+=(--option "$o"); done
    ip netns exec $CLI bash -c 't0=$EPOCHREALTIME; atftp "$@" >/dev/null 2>&1 || { echo FAIL; exit; }; t1=$EPOCHREALTIME
        echo "$t1 - $t0" | bc' _ "${opts[@]}" -g -r big.bin -l "$out" "$ip"
}

declare -A NAME=([$A_IP]=astralboot [$D_IP]=dnsmasq [$H_IP]=tftpd-hpa)
SETTINGS=("blksize 512" "blksize 1468" "blksize 1468|windowsize 16" "blksize 1468|windowsize 64")

echo "warm-up..." >&2
for ip in $A_IP $D_IP $H_IP; do
    fetch $ip "$WORK/out/warm" "blksize 1468" >/dev/null
    cmp -s "$WORK/out/warm" "$DATA/tftp/big.bin" || { echo "warm-up fetch from ${NAME[$ip]} is wrong" >&2; exit 1; }
done

for rep in $(seq 1 "$REPEAT"); do
    for s in "${SETTINGS[@]}"; do
        IFS='|' read -ra opts <<< "$s"
        for ip in $A_IP $D_IP $H_IP; do
            rm -f "$WORK/out/big"
            secs=$(fetch $ip "$WORK/out/big" "${opts[@]}")
            if [ "$secs" != FAIL ] && cmp -s "$WORK/out/big" "$DATA/tftp/big.bin"; then
                printf 'file\t%s\t%s\t%s\n' "${NAME[$ip]}" "$s" "$secs" >> "$RESULTS"
            else
                printf 'file\t%s\t%s\tFAIL\n' "${NAME[$ip]}" "$s" >> "$RESULTS"
            fi
            echo "rep $rep ${NAME[$ip]} [$s]: $(tail -1 "$RESULTS" | cut -f4)" >&2
        done
    done
    for ip in $A_IP $D_IP $H_IP; do
        dir=$WORK/out/conc
        rm -rf "$dir"
        mkdir -p "$dir"
        secs=$(ip netns exec $CLI bash -c "t0=\$EPOCHREALTIME; for i in \$(seq 1 $CONC); do atftp --option 'blksize 1468' --option 'tsize 0' -g -r undionly.kpxe -l $dir/f\$i $ip >/dev/null 2>&1 & done; wait; t1=\$EPOCHREALTIME; echo \"\$t1 - \$t0\" | bc")
        ok=0
        for i in $(seq 1 "$CONC"); do cmp -s "$dir/f$i" "$UNDI" && ok=$((ok + 1)); done
        printf 'conc\t%s\t%s\t%s\t%s\n' "${NAME[$ip]}" "$CONC" "$secs" "$ok" >> "$RESULTS"
        echo "rep $rep ${NAME[$ip]} $CONC concurrent: $(tail -1 "$RESULTS" | cut -f4) s, $ok correct" >&2
    done
done

# --- report ----------------------------------------------------------------------------------
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
grep -o 'tftp sent big.bin .*' "$WORK/astralboot.log" | sed 's/^/astralboot: /' >&2 || true
python3 - "$RESULTS" "$SIZE_MIB" "$REPEAT" "$CONC" <<'EOF'
import sys, statistics, collections
path, size, repeat, conc = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
files = collections.defaultdict(list); concs = collections.defaultdict(list); fails = collections.Counter()
for line in open(path):
    f = line.rstrip("\n").split("\t")
    if f[0] == "file":
        if f[3] == "FAIL": fails[(f[1], f[2])] += 1
        else: files[(f[1], f[2])].append(float(f[3]))
    else:
        concs[f[1]].append((float(f[3]), int(f[4])))
servers = ["astralboot", "dnsmasq", "tftpd-hpa"]
settings = ["blksize 512", "blksize 1468", "blksize 1468|windowsize 16", "blksize 1468|windowsize 64"]
def med(v): return statistics.median(v) if v else None
print(f"\n{size} MiB file, atftp client, median of {repeat} runs (seconds, MiB/s); best run in brackets:\n")
print("| setting | " + " | ".join(servers) + " | Astralboot speed-up vs best other |")
print("|---|" + "---|" * (len(servers) + 1))
for s in settings:
    cells = []; t = {}
    for srv in servers:
        m = med(files[(srv, s)]); t[srv] = m
        cell = "FAIL" if m is None else f"{m:.2f} s, {size / m:.1f} MiB/s ({min(files[(srv, s)]):.2f} s)"
        if fails[(srv, s)]: cell += f" ({fails[(srv, s)]} failed)"
        cells.append(cell)
    others = [t[x] for x in servers[1:] if t[x] is not None]
    ratio = f"{min(others) / t['astralboot']:.2f}x" if others and t["astralboot"] else "n/a"
    bests = [min(files[(x, s)]) for x in servers[1:] if files[(x, s)]]
    if bests and files[("astralboot", s)]:
        ratio += f" ({min(bests) / min(files[('astralboot', s)]):.2f}x best runs)"
    print(f"| {s.replace('|', ', ')} | " + " | ".join(cells) + f" | {ratio} |")
print(f"\n{conc} concurrent fetches of undionly.kpxe (atftp, blksize 1468), median wall time:\n")
print("| server | seconds | correct files (last run) |")
print("|---|---|---|")
for srv in servers:
    v = concs[srv]
    if v: print(f"| {srv} | {med([x[0] for x in v]):.2f} | {v[-1][1]}/{conc} |")
a = {s: med(files[("astralboot", s)]) for s in settings}
def best_other(s):
    o = [med(files[(x, s)]) for x in servers[1:] if files[(x, s)]]
    return min(o) if o else None
w64, b64 = a["blksize 1468|windowsize 64"], best_other("blksize 1468|windowsize 64")
l512, h512 = a["blksize 512"], med(files[("tftpd-hpa", "blksize 512")])
print("\nTargets (medians; best runs in brackets):")
bm = lambda srv, s: min(files[(srv, s)]) if files[(srv, s)] else None
s64 = "blksize 1468|windowsize 64"
if w64 and b64:
    bb = min(x for x in [bm("dnsmasq", s64), bm("tftpd-hpa", s64)] if x)
    print(f"- windowsize 64 >= 3x faster than the best other server: {b64 / w64:.2f}x ({bb / bm('astralboot', s64):.2f}x)"
          f" -> {'MET' if b64 / w64 >= 3 else 'NOT MET'}")
if l512 and h512:
    print(f"- lock-step 512 no slower than tftpd-hpa: {l512:.2f} s vs {h512:.2f} s"
          f" ({bm('astralboot', 'blksize 512'):.2f} s vs {bm('tftpd-hpa', 'blksize 512'):.2f} s)"
          f" -> {'MET' if l512 <= h512 else 'NOT MET'}")
EOF

#!/usr/bin/env bash
# usage: exp.sh CP N  -- cold fetch experiment with CPU accounting
set -euo pipefail
CP=$1; N=${2:-5}; api=http://127.0.0.1:57100; out=/tmp/kx/run; rm -rf $out; mkdir -p $out/tree/boot/bench $out/tree/tftp
JAVA=$(cd /work/main && scripts/find-jdk)/bin/java
for i in $(seq 1 $N); do head -c 104857600 /dev/urandom > $out/tree/tftp/b$i.bin; done
head -c 33554432 /dev/urandom > $out/tree/tftp/warmup.bin
echo 'description = "bench"' > $out/tree/boot/bench/os.toml
enc() { printf %s "$1" | sed 's|/|%2F|g'; }
adds=(-F "file=;type=application/x-directory;filename=tree")
for d in boot boot/bench tftp; do adds+=(-F "file=;type=application/x-directory;filename=$(enc "tree/$d")"); done
adds+=(-F "file=@$out/tree/boot/bench/os.toml;filename=$(enc tree/boot/bench/os.toml)")
for f in $out/tree/tftp/*.bin; do adds+=(-F "file=@$f;filename=$(enc "tree/tftp/$(basename "$f")")"); done
curl -s -X POST "${adds[@]}" "$api/api/v0/add?pin=true&cid-version=0" > $out/add.ndjson
tree=$(tail -1 $out/add.ndjson | sed 's/.*"Hash":"\([^"]*\)".*/\1/')
echo "boot = \"$tree\"" > $out/refs.toml
cat > $out/config.toml <<T
interface = "lo"
address = "127.0.0.1"
ipfs = true
ipfs_api = "$api"
ipfs_gateway = "http://127.0.0.1:57101"
refs = "$out/refs.toml"
cache = "$out/cache"
[http]
port = 57180
bind = "127.0.0.1"
[tftp]
port = 57181
[dhcp]
mode = "off"
T
cd $out; $JAVA ${JOPTS:-} -cp "$CP" org.astralboot.cli.Main serve -v -c $out/config.toml > $out/serve.log 2>&1 &
spid=$!; trap "kill $spid" EXIT
for _ in $(seq 300); do grep -q "Astralboot ready" $out/serve.log && break; sleep 0.1; done
kpid=$(cat /tmp/kx/repo/daemon.pid)
cpu(){ awk '{print $14, $15}' /proc/$1/stat; }
curl -s -o /dev/null http://127.0.0.1:57180/tftp/warmup.bin
for i in $(seq 1 $N); do
  cid=$(grep "\"tree/tftp/b$i.bin\"" $out/add.ndjson | sed 's/.*"Hash":"\([^"]*\)".*/\1/')
  for t in /proc/$spid/task/*; do echo "$(cat $t/comm | tr ' ' _) $(awk '{print $14, $15}' $t/stat)"; done > $out/th0
  l0=$(wc -l < $out/serve.log)
  read au as < <(cpu $spid); read ku ks < <(cpu $kpid)
  t=$( { /usr/bin/time -f '%U %S' curl -s -o $out/got -w '%{time_total}' http://127.0.0.1:57180/tftp/b$i.bin; } 2>$out/ct )
  read au2 as2 < <(cpu $spid); read ku2 ks2 < <(cpu $kpid)
  echo "astralboot $t s  java u$((au2-au)) s$((as2-as))  kubo u$((ku2-ku)) s$((ks2-ks))  curl $(cat $out/ct)"
  for t in /proc/$spid/task/*; do echo "$(cat $t/comm | tr ' ' _) $(awk '{print $14, $15}' $t/stat)"; done > $out/th1
  awk 'NR==FNR{u[$1]+=$2;s[$1]+=$3;next}{u2[$1]+=$2;s2[$1]+=$3}END{for(k in u2){d=u2[k]-u[k];e=s2[k]-s[k]; if(d+e>0) printf "   %s u%d s%d\n",k,d,e}}' $out/th0 $out/th1 | sort -k2 -r
  sed -n "$((l0+1)),\$p" $out/serve.log | { grep -v ' ipfs \| INFO \|DEBUG' || true; } > $out/comp$i.txt; echo "   compiles: $(wc -l < $out/comp$i.txt)"
  cmp $out/got $out/tree/tftp/b$i.bin; rm $out/got
  t=$( { /usr/bin/time -f '%U %S' curl -s -X POST -o $out/got -w '%{time_total}' "$api/api/v0/cat?arg=$cid"; } 2>$out/ct )
  read ku3 ks3 < <(cpu $kpid)
  echo "nodecat    $t s  kubo u$((ku3-ku2)) s$((ks3-ks2))  curl $(cat $out/ct)"; rm $out/got
done
grep -E "ipfs cached" $out/serve.log | tail -$N | sed 's/.* in //' | tr '\n' ' '; echo

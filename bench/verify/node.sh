# Sourced by the bench/verify scripts: starts their own Kubo (repo in $work/repo, --profile test,
# offline, API on the first free loopback port pair from $1, gateway on the next port), sets
# $ipfs, $pid, $api and $gw, and waits until the API answers. The caller sets $work and stops $pid.
ipfs="${KUBO_BIN:-/var/cache/astralboot/go-bin/kubo-v0.43.1/ipfs}"
export IPFS_PATH="$work/repo"
port="$(python3 -c 'import socket, sys
for p in range(int(sys.argv[1]), int(sys.argv[1]) + 1000, 2):
    ok = True
    for q in (p, p + 1):
        s = socket.socket()
        try: s.bind(("127.0.0.1", q))
        except OSError: ok = False
        s.close()
    if ok: print(p); break' "${1:-27401}")"
"$ipfs" init --profile test >/dev/null
"$ipfs" config Addresses.API "/ip4/127.0.0.1/tcp/$port"
"$ipfs" config Addresses.Gateway "/ip4/127.0.0.1/tcp/$((port + 1))"
"$ipfs" config --json Addresses.Swarm '[]'
"$ipfs" config --json Bootstrap '[]'
"$ipfs" config --json Discovery.MDNS.Enabled false
"$ipfs" daemon --offline >"$work/daemon.log" 2>&1 &
pid=$!
api="http://127.0.0.1:$port"
gw="http://127.0.0.1:$((port + 1))"
for _ in $(seq 100); do curl -sf -X POST "$api/api/v0/version" >/dev/null && break; sleep 0.2; done

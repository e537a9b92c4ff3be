#!/usr/bin/env bash
# Convergence benchmark: from the etcd write of a workload endpoint on host h1 to its route in host h2's kernel,
# p50/p99 over W workloads, on a fabric of N hosts (scripts/fabric). Each workload is first attached
# (javactl container add, with an address borrowed from another host's block, so it is a /32 route of its own), its endpoint key is then deleted until h2 drops the route, and the timed step re-writes
# the key with etcdctl; h2's route table is watched with `ip -ts monitor route`.
#   fabric-tests/bench/convergence.sh [HOSTS=3] [WORKLOADS=100] [BACKEND=java]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
hosts=${1:-3}; count=${2:-100}; backend=${3:-java}; id=cjb
fabric() { "$here/scripts/fabric" "$1" --id "$id" "${@:2}"; }
out=$(mktemp -d /tmp/cj-conv.XXXXXX)
wls=()
cleanup() { kill "${mon:-0}" 2>/dev/null || true; for w in "${wls[@]}"; do ip netns del "$w" 2>/dev/null; done; fabric down >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
fabric down >/dev/null 2>&1 || true
fabric up --hosts "$hosts" --backend "$backend" >/dev/null
fabric javactl pool add 10.70.0.0/16 --block-size 24 >/dev/null
# The workloads get borrowed addresses: from a /24 block affine to the last host, so each one is a /32 that h1 must
# advertise on its own (an address inside h1's own block would ride on h1's block route, already on h2: nothing to time).
owner=h$hosts
taken=$(fabric javactl ipam assign --host "$owner" --pool 10.70.0.0/16 | grep -oE '10\.70\.[0-9]+\.[0-9]+' | sed -n 1p)
[ -n "$taken" ] || { echo "could not claim a block for $owner" >&2; exit 1; }
base=${taken%.*}
[ "$count" -le 250 ] || { echo "at most 250 workloads (one /24 block)" >&2; exit 1; }
fabric javactl profile add bench >/dev/null
etcdctl_net() { ip netns exec "$id-net" env ETCDCTL_API=3 etcdctl --endpoints http://192.0.2.1:2379 "$@"; }
wait_route() { # wait_route IP present|absent [SECONDS=30]
  for _ in $(seq 1 $(( ${3:-30} * 20 ))); do
    if ip -n "$id-h2" route show "$1" | grep -q .; then [ "$2" = present ] && return 0; else [ "$2" = absent ] && return 0; fi
    sleep 0.05
  done; echo "timeout waiting for $1 $2 on h2" >&2; return 1
}
echo "fabric of $hosts hosts ($backend) up; waiting for BGP" >&2
ip -n "$id-h2" -ts monitor route > "$out/mon.log" 2>&1 & mon=$!
for i in $(seq 1 "$count"); do
  w=$id-h1-b$i; ip netns add "$w"; wls+=("$w")
  ip=$base.$(( i + 1 )); [ "$ip" != "$taken" ] || ip=$base.254
  ip netns exec "$id-h1" "$here/bin/javactl" --etcd-endpoints http://192.0.2.1:2379 container add "$w" "$ip" --hostname h1 --profile bench >/dev/null
  key=$(etcdctl_net get --prefix "/calico/v1/host/h1/workload/javactl/$w/endpoint/" --keys-only | sed -n 1p)
  val=$(etcdctl_net get --print-value-only "$key")
  wait_route "$ip" present 180   # the first one waits for the BGP sessions too
  etcdctl_net del "$key" >/dev/null
  wait_route "$ip" absent
  t0=$(date +%s.%N)
  etcdctl_net put "$key" "$val" >/dev/null
  wait_route "$ip" present
  echo "$ip $t0" >> "$out/writes"
  if [ $((i % 10)) = 0 ]; then echo "  $i/$count workloads measured" >&2; fi
done
sleep 0.5; kill $mon 2>/dev/null || true
# latency = first "ip/32 ... " add line in the monitor log after t0
python3 - "$out/writes" "$out/mon.log" "$hosts" "$backend" <<'PY'
import sys, re, datetime
writes = [l.split() for l in open(sys.argv[1])]
mon = []
for l in open(sys.argv[2]):
    m = re.match(r'\[(\S+)\]\s+(Deleted )?(\S+)', l)
    if not m or m.group(2): continue
    t = datetime.datetime.strptime(m.group(1)[:26], '%Y-%m-%dT%H:%M:%S.%f').timestamp()
    mon.append((t, m.group(3)))
lat = []
for ip, t0 in writes:
    t0 = float(t0)
    hits = [t for t, dst in mon if dst == ip and t >= t0]
    if hits: lat.append((min(hits) - t0) * 1000)
lat.sort()
if not lat: sys.exit("no measurements")
p = lambda q: lat[min(len(lat) - 1, int(round(q * (len(lat) - 1))))]
print(f"convergence etcd write (h1) -> route in h2's kernel, {sys.argv[3]} hosts, {sys.argv[4]} backend, "
      f"{len(lat)} workloads: p50 {p(0.5):.0f} ms, p90 {p(0.9):.0f} ms, p99 {p(0.99):.0f} ms, max {lat[-1]:.0f} ms")
PY

#!/usr/bin/env bash
# Benchmark: `javactl datastore check` and `javactl ipam check` over N workloads on H hosts (each an IPAM address
# under its CNI handle and an endpoint record carrying it, made by ctl/bench/Fill.java through the IPAM library),
# beside `etcdctl get --prefix` of the whole root (what both checks list first), interleaved in one run; median of
# RUNS calls each. Starts its own etcd (free port) and stops it by PID.
# Usage: ctl/bench/checks.sh [N] [H] [RUNS]   (defaults 10000 100 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000}; hosts=${2:-100}; runs=${3:-5}
source scripts/lib/etcd.sh
trap etcd_stop EXIT
etcd_start >/dev/null
export CALICO_ETCD_PREFIX=/bench
export JAVACTL_SOCKET=""
bin/javactl pool add 10.64.0.0/12 >/dev/null
bin/javactl profile add web >/dev/null
nodes=$(mktemp)
for h in $(seq 1 "$hosts"); do   # one apply of H Node resources: one JVM, not H
  printf 'apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: h%d}\nspec: {bgp: {ipv4Address: 172.16.%d.%d}}\n---\n' \
    "$h" $(( h / 250 )) $(( h % 250 + 1 )) >>"$nodes"
done
bin/javactl apply -f "$nodes" >/dev/null
rm -f "$nodes"
echo "filling $n workloads on $hosts hosts"
cp=$(ls ctl/target/lib/*.jar | tr '\n' ':')ctl/target/classes
java -cp "$cp" ctl/bench/Fill.java "$ETCD_ENDPOINTS" /bench "$n" "$hosts"
keys=$(ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" get --prefix /bench/ --keys-only | grep -c .)
bin/javactl datastore check >/dev/null   # the class-data-sharing archive, once
declare -A times
timed() {   # timed KEY CMD...: one call, its wall time in ms added to KEY's list; the exit code must be 0
  local key=$1 t0 t1
  shift
  t0=$(date +%s%N)
  "$@" >/dev/null
  t1=$(date +%s%N)
  times[$key]="${times[$key]:-} $(( (t1 - t0) / 1000000 ))"
}
for r in $(seq 1 "$runs"); do
  timed etcdctl env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" get --prefix /bench/
  timed datastore bin/javactl datastore check
  timed ipam bin/javactl ipam check
  echo "  round $r of $runs"
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
e=$(median "${times[etcdctl]}"); d=$(median "${times[datastore]}"); i=$(median "${times[ipam]}")
echo "$keys keys ($n workloads, $hosts hosts), median of $runs:"
awk -v e="$e" -v d="$d" -v i="$i" 'BEGIN {
  printf "  etcdctl get --prefix (the listing)  %6d ms\n", e
  printf "  javactl datastore check             %6d ms  (%.1fx)\n", d, d / e
  printf "  javactl ipam check                  %6d ms  (%.1fx)\n", i, i / e
}'
echo "{\"n\":$n,\"hosts\":$hosts,\"keys\":$keys,\"etcdctl_ms\":$e,\"datastore_check_ms\":$d,\"ipam_check_ms\":$i}"

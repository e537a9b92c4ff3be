#!/usr/bin/env bash
# Benchmark: `javactl pool show` with 50 pools in a local etcd, against `etcdctl get --prefix` of the same keys,
# side by side in the same run. Starts its own etcd (free port) and stops it by PID.
# Usage: ctl/bench/pool-show.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
source scripts/lib/etcd.sh
trap etcd_stop EXIT
etcd_start
export CALICO_ETCD_PREFIX=/bench
cidrs=(); for i in $(seq 1 50); do cidrs+=("10.$i.0.0/16"); done
bin/javactl pool add "${cidrs[@]}" >/dev/null
bin/javactl pool show >/dev/null   # first run records the class-data-sharing archive
bin/javactl pool show >/dev/null
ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" get --prefix /bench/v1/ipam/v4/pool/ >/dev/null
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }
tj=0; te=0; th=0
for _ in $(seq 1 "$runs"); do
  tj=$(( tj + $(ms bin/javactl pool show) ))
  te=$(( te + $(ms env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" get --prefix /bench/v1/ipam/v4/pool/) ))
  th=$(( th + $(ms java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version) ))
done
rows=$(bin/javactl pool show | grep -c '^| 10\.')
awk -v j="$tj" -v e="$te" -v h="$th" -v n="$runs" -v rows="$rows" 'BEGIN {
  printf "pools listed by javactl: %d\n", rows
  printf "javactl pool show          %7.1f ms/call\n", j/n/1000
  printf "etcdctl get --prefix       %7.1f ms/call\n", e/n/1000
  printf "java -version (bare JVM)   %7.1f ms/call\n", h/n/1000
  printf "ratio javactl/etcdctl      %7.1f x   (bare JVM/etcdctl %.1f x)\n", j/e, h/e
}'

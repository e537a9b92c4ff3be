#!/usr/bin/env bash
# Benchmark: wall time of javactl one-shot commands outside the fast path (picocli and Jackson databind), beside
# etcdctl get --prefix of the same keys, interleaved in one run; median of RUNS calls each. Starts its own etcd
# (free port) and stops it by PID.
# Usage: ctl/bench/other-commands.sh [RUNS]   (default 7)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
source scripts/lib/etcd.sh
trap etcd_stop EXIT
etcd_start >/dev/null
export CALICO_ETCD_PREFIX=/bench
bin/javactl pool add 10.1.0.0/16 10.2.0.0/16 10.3.0.0/16 >/dev/null
bin/javactl profile add web >/dev/null
cmds=("etcdctl" "get ippool" "profile show" "ipam show" "pool show -o json")
declare -A times
for c in "${cmds[@]:1}"; do bin/javactl $c >/dev/null 2>&1 || true; done   # archives recorded
for _ in $(seq 1 "$runs"); do
  for c in "${cmds[@]}"; do
    t0=$(date +%s%N)
    if [ "$c" = etcdctl ]; then
      ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" get --prefix /bench/v1/ipam/v4/pool/ >/dev/null
    else
      # shellcheck disable=SC2086
      bin/javactl $c >/dev/null 2>&1 || true
    fi
    t1=$(date +%s%N)
    times[$c]="${times[$c]:-} $(( (t1 - t0) / 1000 ))"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
base=$(echo "${times[etcdctl]}" | median)
echo "runs: $runs (median), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cmds[@]}"; do
  m=$(echo "${times[$c]}" | median)
  awk -v c="$c" -v m="$m" -v b="$base" 'BEGIN {printf "%-22s wall %8.1f ms (%5.1f x etcdctl)\n", c, m / 1000, m / b}'
done

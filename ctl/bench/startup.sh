#!/usr/bin/env bash
# Benchmark: start-up cost of one-shot javactl commands against etcdctl doing the same read, side by side in the same
# run (interleaved, so machine load hits every column alike). Median of RUNS calls each.
#   javactl version        no etcd: pure start-up
#   javactl pool show      3 pools read from etcd and printed as a table
#   etcdctl get --prefix   the same keys read by etcd's own Go client (the target: javactl within 4x of it)
#   java -version          the bare JVM with javactl's flags (the floor for any Java CLI)
# Starts its own etcd (free port) and stops it by PID.
# Usage: ctl/bench/startup.sh [RUNS]   (default 21)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-21}
source scripts/lib/etcd.sh
trap etcd_stop EXIT
etcd_start
export CALICO_ETCD_PREFIX=/bench
bin/javactl pool add 10.1.0.0/16 10.2.0.0/16 10.3.0.0/16 >/dev/null
bin/javactl pool show >/dev/null   # a first run may record the class-data-sharing archive
bin/javactl pool show >/dev/null
bin/javactl version >/dev/null
us() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; etcd_stop' EXIT
for _ in $(seq 1 "$runs"); do
  us bin/javactl version >>"$tmp/version"
  us bin/javactl pool show >>"$tmp/pool"
  us env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" get --prefix /bench/v1/ipam/v4/pool/ >>"$tmp/etcdctl"
  us java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -version >>"$tmp/java"
done
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]/1000}'; }
v=$(med "$tmp/version"); p=$(med "$tmp/pool"); e=$(med "$tmp/etcdctl"); j=$(med "$tmp/java")
rows=$(bin/javactl pool show | grep -c '10\.[123]\.0\.0/16')
echo "runs: $runs (median), pools listed by javactl: $rows, load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "javactl version            %7.1f ms\n" "$v"
printf "javactl pool show          %7.1f ms\n" "$p"
printf "etcdctl get --prefix       %7.1f ms\n" "$e"
printf "java -version (bare JVM)   %7.1f ms\n" "$j"
awk -v p="$p" -v v="$v" -v e="$e" -v j="$j" 'BEGIN {
  printf "ratio pool show/etcdctl    %7.1f x   (version/etcdctl %.1f x, bare JVM/etcdctl %.1f x)\n", p/e, v/e, j/e }'

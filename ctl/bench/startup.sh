#!/usr/bin/env bash
# Benchmark: start-up cost of one-shot javactl commands against etcdctl doing the same read, side by side in the same
# run (interleaved, so machine load hits every column alike). Median of RUNS calls each.
#   javactl version        no etcd: pure start-up
#   javactl pool show      3 pools read from etcd and printed as a table
#   etcdctl get --prefix   the same keys read by etcd's own Go client (the target: javactl within 4x of it)
#   java -version          the bare JVM with javactl's flags (the floor for any Java CLI)
# Starts its own etcd (free port) and stops it by PID.
# BEFORE=DIR: also time DIR/bin/javactl (another checkout, built: e.g. the commit before a start-up change), same run.
# Usage: [BEFORE=DIR] ctl/bench/startup.sh [RUNS]   (default 21)
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
before=${BEFORE:-}
if [ -n "$before" ]; then
  "$before/bin/javactl" pool show >/dev/null; "$before/bin/javactl" pool show >/dev/null   # its archive, its way
fi
# one call: wall time (us) appended to FILE, CPU time (user + sys, ms) to FILE.cpu (less disturbed by other load)
us() { local f=$1 t0 t1; shift; t0=$(date +%s%N); /usr/bin/time -f "%U %S" -o "$f.t" "$@" >/dev/null 2>&1; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000 )) >>"$f"; awk '{printf "%d\n", ($1 + $2) * 1000000}' "$f.t" >>"$f.cpu"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; etcd_stop' EXIT
for _ in $(seq 1 "$runs"); do
  us "$tmp/version" bin/javactl version
  us "$tmp/pool" bin/javactl pool show
  us "$tmp/etcdctl" env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" get --prefix /bench/v1/ipam/v4/pool/
  if [ -n "$before" ]; then
    us "$tmp/bversion" "$before/bin/javactl" version
    us "$tmp/bpool" "$before/bin/javactl" pool show
  fi
  us "$tmp/java" java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -version
done
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]/1000}'; }
rows=$(bin/javactl pool show | grep -c '10\.[123]\.0\.0/16')
echo "runs: $runs (median), pools listed by javactl: $rows, load: $(cut -d' ' -f1-3 /proc/loadavg)"
e=$(med "$tmp/etcdctl"); ec=$(med "$tmp/etcdctl.cpu")
line() { # line LABEL FILE
  local w c; w=$(med "$2"); c=$(med "$2.cpu")
  awk -v l="$1" -v w="$w" -v c="$c" -v e="$e" -v ec="$ec" 'BEGIN {
    printf "%-28s wall %7.1f ms (%5.1f x etcdctl)   cpu %7.1f ms (%5.1f x etcdctl)\n", l, w, w/e, c, (ec > 0 ? c/ec : 0) }'
}
line "etcdctl get --prefix" "$tmp/etcdctl"
line "javactl version" "$tmp/version"
line "javactl pool show" "$tmp/pool"
if [ -n "$before" ]; then
  line "before: javactl version" "$tmp/bversion"
  line "before: javactl pool show" "$tmp/bpool"
  echo "(before: $before)"
fi
line "java -version (bare JVM)" "$tmp/java"

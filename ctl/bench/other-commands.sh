#!/usr/bin/env bash
# Benchmark: wall time of javactl one-shot read commands, each run two ways: in a JVM of its own (the one-shot path:
# FastPath or picocli and Jackson databind) and handed to the resident javactl (`javactl serve`, what
# `node run --ctl-server` starts) by bin/javactl's shim; beside etcdctl get --prefix of the same keys, interleaved in
# one run; median of RUNS calls each. Starts its own etcd (free port) and server (a socket in a temporary directory)
# and stops both by PID.
# Usage: ctl/bench/other-commands.sh [RUNS]   (default 7)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
source scripts/lib/etcd.sh
dir=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  etcd_stop
  rm -rf "$dir"
}
trap cleanup EXIT
etcd_start >/dev/null
export CALICO_ETCD_PREFIX=/bench
export JAVACTL_SOCKET=""
bin/javactl pool add 10.1.0.0/16 10.2.0.0/16 10.3.0.0/16 >/dev/null
bin/javactl profile add web >/dev/null
env -u ETCD_ENDPOINTS -u CALICO_ETCD_PREFIX bin/javactl serve --socket "$dir/javactl.sock" >"$dir/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do [ -S "$dir/javactl.sock" ] && break; sleep 0.1; done
[ -S "$dir/javactl.sock" ] || { echo "javactl serve did not start: $(cat "$dir/serve.log")" >&2; exit 1; }
cmds=("version" "pool show" "get ippool" "profile show" "ipam show" "pool show -o json")
declare -A times
for c in "${cmds[@]}"; do   # archives recorded, server warm
  # shellcheck disable=SC2086
  bin/javactl $c >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  JAVACTL_SOCKET="$dir/javactl.sock" bin/javactl $c >/dev/null 2>&1 || true
done
timed() {   # timed KEY CMD...: one call, its wall time added to KEY's list
  local key=$1 t0 t1
  shift
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  times[$key]="${times[$key]:-} $(( (t1 - t0) / 1000 ))"
}
for _ in $(seq 1 "$runs"); do
  timed etcdctl env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" get --prefix /bench/v1/ipam/v4/pool/
  for c in "${cmds[@]}"; do
    # shellcheck disable=SC2086
    timed "$c" bin/javactl $c
    # shellcheck disable=SC2086
    timed "$c (server)" env JAVACTL_SOCKET="$dir/javactl.sock" bin/javactl $c
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
base=$(echo "${times[etcdctl]}" | median)
served=$(printf 'GET /metrics HTTP/1.1\r\nHost: javactl\r\nConnection: close\r\n\r\n' | nc -U "$dir/javactl.sock" | awk '/^javactl_server_calls_total/ {n += $2} END {print n + 0}')
echo "runs: $runs (median), load: $(cut -d' ' -f1-3 /proc/loadavg), calls the server ran: $served"
row() { awk -v c="$1" -v m="$2" -v b="$base" 'BEGIN {printf "%-28s wall %8.1f ms (%5.2f x etcdctl)\n", c, m / 1000, m / b}'; }
row etcdctl "$base"
for c in "${cmds[@]}"; do
  row "$c" "$(echo "${times[$c]}" | median)"
  row "$c (server)" "$(echo "${times[$c (server)]}" | median)"
done

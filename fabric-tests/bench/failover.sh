#!/usr/bin/env bash
# Failover benchmark (issue 15): time from host hN's uplink (eth0) set down to the last of its routes gone on every
# other host, p50/p99 over FAILURES failures, on a fabric of HOSTS hosts (scripts/fabric), in one run:
#   BACKEND + BFD (javactl bgp bfd on, 100 ms x 3), BACKEND without BFD (hold timer / graceful restart: minutes per
#   failure, so NOBFD_FAILURES, default 1), and BIRD + BFD as the baseline.
# After each failure the uplink comes back and the run waits until every host has hN's routes again.
#   fabric-tests/bench/failover.sh [HOSTS=3] [BACKEND=java] [FAILURES=20]     (as root; env NOBFD_FAILURES, MODES)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
hosts=${1:-3}; backend=${2:-java}; failures=${3:-20}; nobfd_failures=${NOBFD_FAILURES:-1}
modes=${MODES:-"$backend+bfd $backend bird+bfd"}
id=cjfo
fabric() { "$here/scripts/fabric" "$1" --id "$id" "${@:2}"; }
out=$(mktemp -d /tmp/cj-failover.XXXXXX)
cleanup() {
  ip -n "$id-h$hosts" link set eth0 up 2>/dev/null || true
  for h in $(seq 1 "$hosts"); do ip netns del "$id-h$h-fo" 2>/dev/null || true; done
  fabric down >/dev/null 2>&1 || true; rm -rf "$out"
}
trap cleanup EXIT
victim=$hosts; vip=192.0.2.$((10 + hosts))
has_route() { ip -n "$id-h$1" route show | grep -q "via $vip "; }
all_have() { for h in $(seq 1 $((hosts - 1))); do has_route "$h" || return 1; done; }
wait_all_have() { # SECONDS
  for _ in $(seq 1 $(($1 * 10))); do all_have && return 0; sleep 0.1; done
  echo "timed out waiting for h$victim's routes on every host" >&2; return 1
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

run_mode() { # MODE -> one line of results
  local mode=$1 b=${1%+bfd} n=$failures
  [ "$mode" = "$b" ] && n=$nobfd_failures
  fabric down >/dev/null 2>&1 || true
  fabric up --hosts "$hosts" --backend "$b" >/dev/null
  if [ "$mode" != "$b" ]; then fabric javactl bgp bfd on --interval-ms 100 --multiplier 3 >/dev/null; fi
  fabric javactl pool add 10.71.0.0/16 >/dev/null
  fabric javactl profile add bench >/dev/null
  for h in $(seq 1 "$hosts"); do
    ip netns add "$id-h$h-fo"
    ip netns exec "$id-h$h" "$here/bin/javactl" --etcd-endpoints http://192.0.2.1:2379 container add "$id-h$h-fo" ipv4 \
      --hostname "h$h" --profile bench >/dev/null
  done
  wait_all_have 240
  sleep 3  # BFD sessions Up and at their fast rate
  : > "$out/$mode"
  for i in $(seq 1 "$n"); do
    t0=$(now_ms)
    ip -n "$id-h$victim" link set eth0 down
    declare -A gone=()
    while [ ${#gone[@]} -lt $((hosts - 1)) ]; do
      for h in $(seq 1 $((hosts - 1))); do
        [ -n "${gone[$h]:-}" ] && continue
        has_route "$h" || gone[$h]=$(( $(now_ms) - t0 ))
      done
      [ $(( $(now_ms) - t0 )) -lt 600000 ] || { echo "$mode: routes still there after 600 s" >&2; exit 1; }
      sleep 0.01
    done
    last=0; for h in "${!gone[@]}"; do [ "${gone[$h]}" -gt "$last" ] && last=${gone[$h]}; done
    unset gone
    echo "$last" >> "$out/$mode"
    echo "  $mode failure $i/$n: last route gone after $last ms" >&2
    ip -n "$id-h$victim" link set eth0 up
    ip -n "$id-h$victim" route replace default via 192.0.2.1
    wait_all_have 300
    sleep 2
  done
  for h in $(seq 1 "$hosts"); do ip netns del "$id-h$h-fo" 2>/dev/null || true; done
  python3 - "$mode" "$out/$mode" <<'PY'
import sys
v = sorted(int(x) for x in open(sys.argv[2]) if x.strip())
pct = lambda p: v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]
print(f"{sys.argv[1]:<12} n={len(v):<3} p50={pct(50)} ms  p99={pct(99)} ms  min={v[0]} ms  max={v[-1]} ms")
PY
}

echo "failover: $hosts hosts, victim h$victim ($vip), modes: $modes; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for m in $modes; do run_mode "$m"; done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

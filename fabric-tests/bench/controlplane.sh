#!/usr/bin/env bash
# Control-plane scale benchmark (issue 20): HOSTS nodes that run only confd and the BGP daemon (scripts/fabric up
# --no-felix: no felix, no workloads, one IPAM block per host assigned in etcd before any node starts), as namespaces
# on one bridge. MODE mesh: the full node-to-node mesh; rr: mesh off, h1 and h2 route reflectors with cluster id
# 224.0.0.1 (peering with each other as plain iBGP), every other host their client (global peers h1 and h2; h1 and h2
# have a node peer for each client). Nodes start in parallel batches of BATCH (env, default 10); measured:
#   - up: from the first node started to the last node's BGP daemon up (its control socket), and the convergence:
#     from the last node up to every host having every other host's block route (proto bgp, or bird, "via" the owner)
#   - peak RSS (VmHWM) of each speaker (BIRD: bird), confd and node run process, from /proc, at convergence
#   - CPU seconds (utime + stime) used by those processes until convergence
#   - one new block: `javactl ipam assign --host hK` in a second pool (a new affinity for hK), from before the
#     command (javactl's ~0.3 s included) to every other host having its route
#   fabric-tests/bench/controlplane.sh HOSTS mesh|rr [java|bird]     (as root; env BATCH, TIMEOUT seconds)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
hosts=${1:?usage: controlplane.sh HOSTS mesh|rr [java|bird]}; mode=${2:?usage: controlplane.sh HOSTS mesh|rr [java|bird]}
backend=${3:-java}; batch=${BATCH:-10}; timeout=${TIMEOUT:-900}; id=cjcp
proto=bgp; [ "$backend" = bird ] && proto=bird # the speaker's routes are protocol 186 (bgp), BIRD's 12 (bird)
case "$mode" in mesh|rr) ;; *) echo "MODE: $mode (expected: mesh or rr)" >&2; exit 2 ;; esac
case "$backend" in java|bird) ;; *) echo "BACKEND: $backend (expected: java or bird)" >&2; exit 2 ;; esac
[ "$hosts" -ge 3 ] && [ "$hosts" -le 200 ] || { echo "HOSTS: 3..200" >&2; exit 2; }
fabric() { "$here/scripts/fabric" "$1" --id "$id" "${@:2}"; }
state=/tmp/calico-java-fabric/$id
cleanup() { fabric down >/dev/null 2>&1 || true; }
trap cleanup EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
echo "controlplane: $hosts hosts, $mode, $backend backend, batches of $batch; load $(load)" >&2
load_start=$(load)
fabric down >/dev/null 2>&1 || true
fabric up --hosts "$hosts" --no-felix --no-nodes --backend "$backend" 2>&1 | grep -v 'starting (pid' >&2
fabric javactl pool add 10.200.0.0/16 --block-size 26 >/dev/null # for the new block, before any node starts
if [ "$mode" = rr ]; then
  fabric javactl bgp node-mesh off >/dev/null
  for r in 1 2; do
    fabric javactl node "h$r" bgp rr-cluster-id 224.0.0.1 >/dev/null
    fabric javactl bgp peer add "192.0.2.$((10 + r))" as 64512 >/dev/null # every client (and the other RR) peers both
  done
  for c in $(seq 3 "$hosts"); do for r in 1 2; do echo "h$r 192.0.2.$((10 + c))"; done; done |
    xargs -P 4 -n 2 sh -c 'ip netns exec "$0-net" "$1/bin/javactl" --etcd-endpoints http://192.0.2.1:2379 \
      node "$2" bgp peer add "$3" as 64512 >/dev/null' "$id" "$here"
  echo "rr: h1, h2 reflect (cluster 224.0.0.1) for h3..h$hosts" >&2
fi
t_first=$(now)
fabric start-nodes --batch "$batch"
t_up=$(now)
up_s=$(since "$t_first")
echo "all $hosts nodes up after $up_s s (load $(load)); waiting for every host to have the $((hosts - 1)) other blocks" >&2

converged_count() { # how many hosts have all HOSTS-1 other hosts' block routes
  local c=0 h
  for h in $(seq 1 "$hosts"); do
    [ "$(ip -n "$id-h$h" route show proto "$proto" 2>/dev/null | grep -c ' via ')" -ge $((hosts - 1)) ] && c=$((c + 1))
  done
  echo "$c"
}
last_print=0
while :; do
  c=$(converged_count)
  [ "$c" = "$hosts" ] && break
  el=$(since "$t_up")
  if [ "${el%.*}" -ge $((last_print + 5)) ]; then
    last_print=${el%.*}; echo "  +$el s: $c/$hosts hosts have every block (load $(load))" >&2
  fi
  [ "${el%.*}" -lt "$timeout" ] || { echo "not converged after $timeout s: $c/$hosts hosts" >&2; exit 1; }
  sleep 0.2
done
conv_s=$(since "$t_up"); total_s=$(since "$t_first"); load_conv=$(load)
echo "converged: +$conv_s s after the last node up ($total_s s from the first start), load $load_conv" >&2

# peak RSS and CPU per process kind, from /proc (the PID files in the fabric's state dir)
stats() { # KIND PIDFILE-GLOB... -> "KIND n=.. hwm_max_mb hwm_mean_mb rss_sum_mb cpu_s"
  local kind=$1; shift
  python3 - "$kind" "$@" <<'PY'
import os, sys
kind, files = sys.argv[1], sys.argv[2:]
hz = os.sysconf('SC_CLK_TCK'); hwm = []; rss = 0; cpu = 0.0
for f in files:
    try:
        pid = open(f).read().strip()
        st = dict(l.split(':', 1) for l in open(f'/proc/{pid}/status'))
        fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    except (OSError, ValueError):
        continue
    hwm.append(int(st['VmHWM'].split()[0]) / 1024); rss += int(st['VmRSS'].split()[0]) / 1024
    cpu += (int(fields[11]) + int(fields[12])) / hz
if hwm:
    print(f"{kind} n={len(hwm)} peak_rss_max={max(hwm):.0f}MB peak_rss_mean={sum(hwm)/len(hwm):.0f}MB "
          f"rss_sum={rss:.0f}MB cpu={cpu:.0f}s ({cpu/len(hwm):.1f}s each)")
PY
}
if [ "$backend" = java ]; then daemon=bgp-speaker; else daemon=bird; fi
s_daemon=$(stats "$daemon" "$state"/h*/"$daemon".pid)
s_confd=$(stats confd "$state"/h*/confd-renderer.pid)
s_node=$(stats node-run "$state"/node-h*.pid)
mem_used=$(free -m | awk '/^Mem:/{print $3}')

# one new block: a new affinity for hK in the second pool; every other host must get its route
k=$(( (hosts + 1) / 2 ))
t0=$(now)
blk=$(fabric javactl ipam assign --host "h$k" --pool 10.200.0.0/16 | grep -oE '10\.200\.[0-9]+\.[0-9]+' | head -1)
blk=${blk%.*}.0
[ -n "$blk" ] || { echo "no address from 10.200.0.0/16" >&2; exit 1; }
while :; do
  c=0
  for h in $(seq 1 "$hosts"); do
    [ "$h" = "$k" ] && continue
    ip -n "$id-h$h" route show "$blk/26" proto "$proto" 2>/dev/null | grep -q ' via ' && c=$((c + 1))
  done
  [ "$c" = $((hosts - 1)) ] && break
  [ "$(since "$t0" | cut -d. -f1)" -lt 120 ] || { echo "new block $blk/26: $c/$((hosts - 1)) hosts after 120 s" >&2; exit 1; }
  sleep 0.05
done
block_s=$(since "$t0")
echo "controlplane $hosts hosts $mode $backend: nodes up in $up_s s, converged +$conv_s s after the last node up" \
  "($total_s s in all), new block $blk/26 of h$k on every host in $block_s s"
echo "  $s_daemon"
echo "  $s_confd"
echo "  $s_node"
echo "  machine memory used at convergence: $mem_used MB; load at start $load_start, at convergence $load_conv, end $(load)"
fabric down >/dev/null 2>&1 || true
left=$(ip netns list | awk '{print $1}' | grep -c "^$id-" || true)
echo "  fabric down; namespaces of $id left: $left" >&2

#!/usr/bin/env bash
# ADD/DEL wall time of calico-java-cni (+ calico-java-ipam, in-process) against the standard bridge + host-local
# plugins, in the same run, alternating, on this machine. Everything happens in namespaces this script makes (one
# standing in for the host, where its own etcd, javactl and the plugins run; one per container); all removed at the end.
# Usage: cni-plugin/bench/add-del.sh [ROUNDS]   (default 15; package cni-plugin and ctl first)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-15}
if [ -z "${CNI_BENCH_SFX:-}" ]; then
  export CNI_BENCH_SFX=$RANDOM
  ip netns add "cnibh$CNI_BENCH_SFX"
  rc=0
  ip netns exec "cnibh$CNI_BENCH_SFX" "$0" "$@" || rc=$?
  for ns in $(ip netns list | awk '{print $1}' | grep "^cnib[hc]$CNI_BENCH_SFX"); do ip netns delete "$ns"; done
  exit $rc
fi
source scripts/lib/etcd.sh
sfx=$CNI_BENCH_SFX
hostns=cnibh$sfx
work=$(mktemp -d /tmp/cni-bench.XXXXXX)
cleanup() {
  set +e
  for ns in $(ip netns list | awk '{print $1}' | grep "^cnibc$sfx"); do ip netns delete "$ns"; done
  etcd_stop
  rm -rf "$work"
}
trap cleanup EXIT
ip link set lo up
etcd_start
mkdir -p "$work/bin"
ln -s "$PWD/bin/calico-java-cni" "$work/bin/calico-java-cni"
ln -s "$PWD/bin/calico-java-ipam" "$work/bin/calico-java-ipam"
for p in bridge host-local loopback; do ln -s "/usr/lib/cni/$p" "$work/bin/$p"; done
bin/javactl pool add 10.231.0.0/16 >/dev/null
cat > "$work/calico.json" <<JSON
{"cniVersion":"1.0.0","name":"benchnet","type":"calico-java-cni","etcd_endpoints":"$ETCD_ENDPOINTS",
 "nodename":"benchhost","ipam":{"type":"calico-java-ipam"}}
JSON
cat > "$work/bridge.json" <<JSON
{"cniVersion":"1.0.0","name":"benchbr","type":"bridge","bridge":"cnibr$sfx","isGateway":true,
 "ipam":{"type":"host-local","dataDir":"$work/host-local","ranges":[[{"subnet":"10.232.0.0/16"}]]}}
JSON
call() { # plugin conf command container
  CNI_COMMAND=$3 CNI_CONTAINERID=$4 CNI_NETNS=/var/run/netns/$4 CNI_IFNAME=eth0 CNI_PATH="$work/bin" \
    "$work/bin/$1" < "$work/$2.json" > "$work/out" || { cat "$work/out" >&2; exit 1; }
}
# an untimed ADD/DEL first: records the class-data-sharing archive if there is none yet
ip netns add "cnibc${sfx}warm"; call calico-java-cni calico ADD "cnibc${sfx}warm"; call calico-java-cni calico DEL "cnibc${sfx}warm"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
: > "$work/times"
for i in $(seq 1 "$rounds"); do
  for kind in calico bridge; do
    c=cnibc$sfx$kind$i
    ip netns add "$c"
    plugin=$([ "$kind" = calico ] && echo calico-java-cni || echo bridge)
    t=$(date +%s%N); call "$plugin" "$kind" ADD "$c"; echo "$kind ADD $(ms "$t")" >> "$work/times"
    t=$(date +%s%N); call "$plugin" "$kind" DEL "$c"; echo "$kind DEL $(ms "$t")" >> "$work/times"
    ip netns delete "$c"
  done
done
median() { grep "^$1 $2 " "$work/times" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf 'rounds: %s (load: %s)\n' "$rounds" "$(cut -d' ' -f1-3 /proc/loadavg)"
for cmd in ADD DEL; do
  c=$(median calico $cmd); b=$(median bridge $cmd)
  printf '%s median: calico-java-cni %d ms, bridge+host-local %d ms, ratio %s\n' "$cmd" "$c" "$b" \
    "$(awk -v c="$c" -v b="$b" 'BEGIN {printf "%.2fx", c / (b > 0 ? b : 1)}')"
done

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
call() { # plugin conf command container: runs it; appends "wall-ms cpu-ms" of the call to $work/last
  CNI_COMMAND=$3 CNI_CONTAINERID=$4 CNI_NETNS=/var/run/netns/$4 CNI_IFNAME=eth0 CNI_PATH="$work/bin" \
    /usr/bin/time -o "$work/last" -f "%e %U %S" "$work/bin/$1" < "$work/$2.json" > "$work/out" \
    || { cat "$work/out" >&2; exit 1; }
}
timed() { # kind command plugin conf container
  call "$3" "$4" "$2" "$5"
  awk -v k="$1" -v c="$2" '{printf "%s %s %d %d\n", k, c, $1 * 1000, ($2 + $3) * 1000}' "$work/last" >> "$work/times"
}
# an untimed ADD/DEL first: records the class-data-sharing archive if there is none yet
ip netns add "cnibc${sfx}warm"; call calico-java-cni calico ADD "cnibc${sfx}warm"; call calico-java-cni calico DEL "cnibc${sfx}warm"
: > "$work/times"
for i in $(seq 1 "$rounds"); do
  for kind in calico bridge; do
    c=cnibc$sfx$kind$i
    ip netns add "$c"
    plugin=$([ "$kind" = calico ] && echo calico-java-cni || echo bridge)
    timed "$kind" ADD "$plugin" "$kind" "$c"
    timed "$kind" DEL "$plugin" "$kind" "$c"
    ip netns delete "$c"
  done
done
median() { # kind command column (3: wall, 4: cpu)
  grep "^$1 $2 " "$work/times" | awk -v f="$3" '{print $f}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
ratio() { awk -v c="$1" -v b="$2" 'BEGIN {printf "%.1fx", c / (b > 0 ? b : 10)}'; }
printf 'rounds: %s, %s cores (load: %s); medians, time from /usr/bin/time (10 ms resolution)\n' "$rounds" "$(nproc)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
for cmd in ADD DEL; do
  cw=$(median calico $cmd 3); bw=$(median bridge $cmd 3); cc=$(median calico $cmd 4); bc=$(median bridge $cmd 4)
  printf '%s wall: calico-java-cni %d ms, bridge+host-local %d ms, ratio %s | CPU: %d ms vs %d ms, ratio %s\n' \
    "$cmd" "$cw" "$bw" "$(ratio "$cw" "$bw")" "$cc" "$bc" "$(ratio "$cc" "$bc")"
done

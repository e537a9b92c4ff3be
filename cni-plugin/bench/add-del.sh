#!/usr/bin/env bash
# ADD/DEL wall time of calico-java-cni (+ calico-java-ipam, in-process) against the standard bridge + host-local
# plugins, in the same run, alternating, on this machine: calico-java-cni both as a JVM per call ("one-shot") and as
# the shim handing the call to a resident CNI server (`calico-java-cni serve`, started here on a socket of its own and
# warmed up by a few calls first, as a node's would be). Everything happens in namespaces this script makes (one
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
spid=
cleanup() {
  set +e
  if [ -n "$spid" ]; then kill "$spid"; wait "$spid" 2>/dev/null; fi
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
sock=$work/cni.sock
call() { # plugin conf command container socket: runs it; "elapsed user sys" of the plugin process into $work/last
  CALICO_JAVA_CNI_SOCKET=$5 CNI_COMMAND=$3 CNI_CONTAINERID=$4 CNI_NETNS=/var/run/netns/$4 CNI_IFNAME=eth0 \
    CNI_PATH="$work/bin" /usr/bin/time -o "$work/last" -f "%e %U %S" "$work/bin/$1" < "$work/$2.json" > "$work/out" \
    || { cat "$work/out" >&2; exit 1; }
}
server_ticks() { if [ -n "$spid" ]; then awk '{print $14 + $15}' "/proc/$spid/stat"; else echo 0; fi; }
timed() { # kind command plugin conf container socket: wall (EPOCHREALTIME, ms) and CPU (the plugin process's and,
          # through the shim, the server's: its utime+stime ticks across the call) appended to $work/times
  local s0 s1 t0 t1
  s0=$(server_ticks); t0=$EPOCHREALTIME
  call "$3" "$4" "$2" "$5" "$6"
  t1=$EPOCHREALTIME; s1=$(server_ticks)
  [ "$1" = server ] || s1=$s0
  awk -v k="$1" -v c="$2" -v t0="$t0" -v t1="$t1" -v st=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" \
    '{printf "%s %s %d %d\n", k, c, (t1 - t0) * 1000, ($2 + $3) * 1000 + st * 1000 / hz}' "$work/last" >> "$work/times"
}
# an untimed ADD/DEL first: records the class-data-sharing archive if there is none yet
ip netns add "cnibc${sfx}warm"; call calico-java-cni calico ADD "cnibc${sfx}warm" ""; call calico-java-cni calico DEL "cnibc${sfx}warm" ""
bin/calico-java-cni serve --socket "$sock" --log-level warn 2> "$work/server.log" &
spid=$!
for _ in $(seq 1 600); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$work/server.log" >&2; exit 1; }
for _ in 1 2 3 4 5; do   # the resident server is warm (classes loaded, hot paths compiled) after a node's first pods
  call calico-java-cni calico ADD "cnibc${sfx}warm" "$sock"; call calico-java-cni calico DEL "cnibc${sfx}warm" "$sock"
done
server_metrics() { printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | nc -U "$sock"; }
server_metrics > "$work/metrics.before"
: > "$work/times"
for i in $(seq 1 "$rounds"); do
  for kind in calico server bridge; do
    c=cnibc$sfx$kind$i
    ip netns add "$c"
    case $kind in
      calico) plugin=calico-java-cni conf=calico s= ;;
      server) plugin=calico-java-cni conf=calico s=$sock ;;
      *) plugin=bridge conf=bridge s= ;;
    esac
    timed "$kind" ADD "$plugin" "$conf" "$c" "$s"
    timed "$kind" DEL "$plugin" "$conf" "$c" "$s"
    ip netns delete "$c"
  done
done
median() { # kind command column (3: wall, 4: cpu)
  grep "^$1 $2 " "$work/times" | awk -v f="$3" '{print $f}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
ratio() { awk -v c="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", c / b; else printf "n/a"}'; }
printf 'rounds: %s, %s cores (load: %s); medians; wall in ms, CPU (user+sys, 10 ms resolution) of the plugin process\n' \
  "$rounds" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'and, for the server, of the server across the call; ratios against bridge+host-local\n'
printf '%-4s %-28s %8s %6s %8s %6s\n' cmd plugin wall ratio CPU ratio
for cmd in ADD DEL; do
  bw=$(median bridge $cmd 3); bc=$(median bridge $cmd 4)
  for kind in server calico bridge; do
    case $kind in server) label="calico-java-cni via server" ;; calico) label="calico-java-cni one-shot" ;;
      *) label="bridge + host-local" ;; esac
    w=$(median $kind $cmd 3); c=$(median $kind $cmd 4)
    printf '%-4s %-28s %6d ms %6s %6d ms %6s\n' "$cmd" "$label" "$w" "$(ratio "$w" "$bw")" "$c" "$(ratio "$c" "$bc")"
  done
done
# the server's own view: time inside the server per call over the timed rounds (from its /metrics); the rest of the
# wall time is the shim (bash, nc) and the socket
awk -F'[{}" ]+' '/^calico_java_cni_request_seconds_(sum|count)/ {
    k = $1 " " $3; if (FILENAME == ARGV[1]) a[k] = $NF; else b[k] = $NF }
  END {for (c in b) if (c ~ /_sum /) {split(c, p, " "); q = "calico_java_cni_request_seconds_count " p[2];
    n = b[q] - a[q]; if (n > 0) printf "server-side %s: %.1f ms mean over %d timed calls\n", p[2], (b[c] - a[c]) * 1000 / n, n}}' \
  "$work/metrics.before" <(server_metrics)

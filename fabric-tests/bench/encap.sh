#!/usr/bin/env bash
# Encapsulation throughput benchmark (issue 16): one TCP stream (iperf3, BYTES, default 1G) from a workload on h1 to a
# workload on h2, through a plain pool (native routing: the baseline), an IP-in-IP pool and a VXLAN pool (all "always"),
# side by side in one run on one two-host fabric (scripts/fabric, one subnet so native routing works too), REPEAT
# times each, interleaved; prints Gbit/s per run, the median per mode and its ratio to native.
#   fabric-tests/bench/encap.sh [BYTES=1G] [REPEAT=3]     (as root)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bytes=${1:-1G}; repeat=${2:-3}
id=cjenc
fabric() { "$here/scripts/fabric" "$1" --id "$id" "${@:2}"; }
srv_pids=()
cleanup() {
  for p in "${srv_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  fabric down >/dev/null 2>&1 || true
}
trap cleanup EXIT
command -v iperf3 >/dev/null || { echo "encap.sh: iperf3 is missing (scripts/setup installs it)" >&2; exit 1; }
modes="native ipip vxlan"
probe=cjencprobe$$
ip netns add "$probe"
if ! ip -n "$probe" link add cjprobe type ipip 2>/dev/null; then
  modes="native vxlan"; echo "encap bench: this kernel cannot make an ipip device: IP-in-IP left out" >&2
fi
ip netns del "$probe"
echo "encap bench: fabric up (2 hosts)" >&2
fabric up --hosts 2 >/dev/null
fabric javactl pool add 10.81.0.0/16 >/dev/null
case " $modes " in *" ipip "*) fabric javactl pool add 10.82.0.0/16 --ipip >/dev/null ;; esac
fabric javactl pool add 10.83.0.0/16 --vxlan >/dev/null
fabric javactl profile add bench >/dev/null
declare -A dst=()
for m in native:10.81.0.0/16 ipip:10.82.0.0/16 vxlan:10.83.0.0/16; do
  mode=${m%%:*}; pool=${m#*:}
  case " $modes " in *" $mode "*) ;; *) continue ;; esac
  fabric workload add 1 "c-$mode" --profile bench --pool "$pool" >/dev/null 2>&1
  dst[$mode]=$(fabric workload add 2 "s-$mode" --profile bench --pool "$pool" 2>/dev/null | tail -1)
  (exec ip netns exec "$id-w-s-$mode" iperf3 -s -B "${dst[$mode]}" >/dev/null 2>&1) &
  srv_pids+=($!)
done
for mode in $modes; do # wait until each path carries traffic (BGP, felix)
  for i in $(seq 1 600); do
    fabric workload exec "c-$mode" ping -c1 -W1 "${dst[$mode]}" >/dev/null 2>&1 && break
    [ "$i" = 600 ] && { echo "encap bench: $mode path never came up" >&2; exit 1; }
    sleep 0.1
  done
  echo "encap bench: $mode path up (workload MTU $(fabric workload exec "c-$mode" cat /sys/class/net/eth0/mtu))" >&2
done
declare -A runs=()
for r in $(seq 1 "$repeat"); do
  for mode in $modes; do
    g=$(fabric workload exec "c-$mode" iperf3 -c "${dst[$mode]}" -n "$bytes" -J 2>/dev/null \
      | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))')
    runs[$mode]="${runs[$mode]:-} $g"
    echo "encap bench: run $r/$repeat $mode $g Gbit/s" >&2
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo "${runs[native]}" | median)
printf '%-7s %-24s %8s %s\n' mode "runs (Gbit/s)" median "ratio to native"
for mode in $modes; do
  m=$(echo "${runs[$mode]}" | median)
  printf '%-7s %-24s %8s %s\n' "$mode" "${runs[$mode]# }" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2f", a / b}')"
done

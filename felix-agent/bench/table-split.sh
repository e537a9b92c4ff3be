#!/usr/bin/env bash
# Experiment (issue 19): what the kernel's whole-table validation costs one small commit, and whether splitting the
# endpoints over several tables lowers it. For N endpoints and each K in TABLES, a namespace of its own gets K inet
# tables; each holds a forward base chain that dispatches its share of the interfaces through verdict maps
# (iifname/oifname) to per-endpoint chains shaped like felix's (conntrack, marks, a jump to a shared policy chain,
# a few rules, drop), N/K endpoints per table. Then one endpoint is added to one table, as felix adds one (two
# chains with their rules, two map elements), ROUNDS times; the time is the kernel's, the `sendmsg` of nft's
# batch under strace -T (nft's own parsing and cache fill are not counted). Prints a JSON line per K.
# Usage: felix-agent/bench/table-split.sh [N] [TABLES] [ROUNDS]   (defaults 10000 "1 4 16" 15); root, nft, strace
set -euo pipefail
n=${1:-10000}
tables=${2:-1 4 16}
rounds=${3:-15}
dir=$(mktemp -d)
ns=""
cleanup() {
  if [ -n "$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
chains() {   # chains TABLE IFACE: the two endpoint chains of one interface and its map elements
  local t=$1 i=$2
  cat <<EOC
add chain inet $t tw-$i
add rule inet $t tw-$i ct state established,related accept
add rule inet $t tw-$i ct state invalid drop
add rule inet $t tw-$i meta mark set meta mark & 0xfffcffff
add rule inet $t tw-$i jump pol-in
add rule inet $t tw-$i meta mark & 0x10000 == 0x10000 return
add rule inet $t tw-$i tcp dport { 22, 80, 443 } accept
add rule inet $t tw-$i drop
add chain inet $t fw-$i
add rule inet $t fw-$i ct state established,related accept
add rule inet $t fw-$i ct state invalid drop
add rule inet $t fw-$i meta mark set meta mark & 0xfffcffff
add rule inet $t fw-$i jump pol-out
add rule inet $t fw-$i meta mark & 0x10000 == 0x10000 return
add rule inet $t fw-$i accept
add element inet $t tw-map { "$i" : goto tw-$i }
add element inet $t fw-map { "$i" : goto fw-$i }
EOC
}
for k in $tables; do
  ns="tsplit-$$-$k"
  ip netns add "$ns"
  {
    for t in $(seq 1 "$k"); do
      cat <<EOT
add table inet t$t
add chain inet t$t pol-in
add rule inet t$t pol-in ip saddr 10.0.0.0/8 meta mark set meta mark | 0x10000 return
add chain inet t$t pol-out
add rule inet t$t pol-out meta mark set meta mark | 0x10000 return
add map inet t$t tw-map { type ifname : verdict; }
add map inet t$t fw-map { type ifname : verdict; }
add chain inet t$t forward { type filter hook forward priority 0; policy accept; }
add rule inet t$t forward iifname vmap @fw-map
add rule inet t$t forward oifname vmap @tw-map
EOT
    done
    for e in $(seq 1 "$n"); do
      chains "t$(( e % k + 1 ))" "$(printf 'cali%011d' "$e")"
    done
  } > "$dir/ruleset.nft"
  t0=$(date +%s%N)
  ip netns exec "$ns" nft -f "$dir/ruleset.nft"
  t1=$(date +%s%N)
  times=""
  for r in $(seq 1 "$rounds"); do
    chains t1 "$(printf 'caliz%010d' "$r")" > "$dir/add.nft"
    ip netns exec "$ns" strace -f -T -e trace=sendmsg -o "$dir/trace" nft -f "$dir/add.nft"
    # the batch is nft's longest sendmsg; strace -T prints <seconds>
    s=$(grep -o '<[0-9.]*>$' "$dir/trace" | tr -d '<>' | sort -g | tail -1)
    times="$times $s"
  done
  med=$(echo "$times" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  load_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  printf '{"n":%d,"tables":%d,"per_table":%d,"load_s":%s,"add_commit_ms_p50":%.2f,"rounds":%d}\n' \
    "$n" "$k" "$(( n / k ))" "$load_s" "$(awk -v m="$med" 'BEGIN {print m * 1000}')" "$rounds"
  ip netns del "$ns"
  ns=""
done

#!/usr/bin/env bash
# A/B of the felix-agent cold start: bench/run.sh at N in this tree and in a worktree of BASE (a commit), alternating,
# ROUNDS times each (which tree goes first alternates too), with the same BENCH_OPTS (default: nftables, cold
# start only); prints each run's final JSON line of the first backend and, per tree, the medians of cold_start_s,
# cold_start_cpu_s and (with -Dprocess) process_cold_start_s, with this tree's ÷ BASE's. On this shared 2-core
# machine one build's cold start varies by ±15 % between runs, so a change of a few per cent shows only in medians
# of runs taken side by side. Both trees run this tree's run.sh (each with
# its own bench classes and modules); the worktree is removed afterwards. Needs root.
# Usage: felix-agent/bench/ab.sh BASE [N=10000] [ROUNDS=3]
set -euo pipefail
base=${1:?usage: felix-agent/bench/ab.sh BASE [N] [ROUNDS]}
n=${2:-10000}
rounds=${3:-3}
cd "$(dirname "$0")/../.."
here=$PWD
rev=$(git rev-parse --verify "$base^{commit}")
wt=$(mktemp -d /tmp/felix-ab.XXXXXX)
out=$(mktemp /tmp/felix-ab-lines.XXXXXX)
trap 'rm -f "$out"; git -C "$here" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"; git -C "$here" worktree prune' EXIT
git worktree add -q --detach "$wt" "$rev"
cp felix-agent/bench/run.sh "$wt/felix-agent/bench/run.sh"
echo "base ${rev:0:10} in $wt; packaging felix-agent with the modules it needs in both trees (-Dprocess runs" \
  "each tree's bin/felix-agent)" >&2
for dir in "$wt" "$here"; do
  (cd "$dir" && mvn -q -B -o package -pl felix-agent -am -DskipTests -Dspotless.check.skip=true >/dev/null)
done
export BENCH_OPTS=${BENCH_OPTS:--Dbackends=nftables -Dadds=0 -Dfloors=false -Dpolicyall=false -Dquiet.window=2}
for r in $(seq 1 "$rounds"); do
  order="base this"; [ $((r % 2)) -eq 0 ] && order="this base"
  for tree in $order; do
    dir=$here; [ "$tree" = base ] && dir=$wt
    line=$("$dir/felix-agent/bench/run.sh" "$n" | awk 'index($0, "{\"backend\"") == 1 && !found {print; found = 1}')
    echo "$tree round $r: $line"
    echo "$tree $line" >> "$out"
  done
done
median() { sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "null"; else print v[int((NR + 1) / 2)]}'; }
field() { { grep "^$1 " "$out" || true; } | { grep -o "\"$2\":[0-9.]\+" || true; } | cut -d: -f2 | median; }
for f in cold_start_s cold_start_cpu_s process_cold_start_s; do
  b=$(field base "$f"); t=$(field this "$f")
  ratio=$(awk -v b="$b" -v t="$t" 'BEGIN {if (b + 0 > 0 && t + 0 > 0) printf "%.2fx", t / b; else print "-"}')
  echo "median of $rounds, $f: base $b, this tree $t ($ratio)"
done

#!/bin/sh
# Real fuzzing (Jazzer, JAZZER_FUZZ=1) of one @FuzzTest for a bounded time; prints libFuzzer's summary (executions,
# coverage) and any finding. A finding is written by Jazzer next to the seeds
# (src/test/resources/<package>/<Class>Inputs/<method>/crash-*): keep it there as a regression seed once fixed.
# Usage: bgp-speaker/bench/fuzz.sh TARGET [SECONDS=60]
#   TARGET: CodecFuzzTest#update | CodecFuzzTest#open | CodecFuzzTest#notification | CodecFuzzTest#frames |
#           SessionFuzzTest#session
set -e
target=${1:?usage: fuzz.sh TARGET [SECONDS]}
secs=${2:-60}
home=$(cd "$(dirname "$0")/../.." && pwd)
cd "$home"
log=$(mktemp)
set +e
JAZZER_FUZZ=1 mvn -B -ntp ${MVN_OFFLINE:+-o} test -pl bgp-speaker -am -Dtest="$target" \
  -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.hooks=true -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$secs" \
  -Djazzer.internal.arg.2=-print_final_stats=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=error >"$log" 2>&1
rc=$?
set -e
grep -E '^#[0-9]+[[:space:]]*(INITED|DONE)|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss|== Java Exception|FuzzTestFinding|Tests run:|crash-|BUILD' "$log" | tail -25
echo "fuzz.sh: $target for ${secs}s: mvn exit $rc (full log: $log)"
exit $rc

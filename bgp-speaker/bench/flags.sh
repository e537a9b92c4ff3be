#!/bin/bash
# What each JVM flag of bin/bgp-speaker buys: the pass-through benchmark (java only, 100k and 1M twice) with the
# defaults, then with one flag left out or changed at a time. Usage: bgp-speaker/bench/flags.sh (build as passthrough.sh)
cd "$(dirname "$0")/../.." || exit 1
JIT="-XX:Tier3InvocationThreshold=20 -XX:Tier3MinInvocationThreshold=10 -XX:Tier3CompileThreshold=200 -XX:Tier3BackEdgeThreshold=6000"
FULL="-XX:+UseSerialGC -Xms48m -Xmn16m -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 -XX:TieredStopAtLevel=1 -XX:+UseTransparentHugePages"
declare -a NAMES=("defaults (all)" "old defaults (serial, free ratios)" "no -Xmn16m" "no -Xms48m" "C2 (no TieredStopAtLevel)" "lower C1 thresholds too" "no THP" "G1 instead of serial" "JVM defaults (G1, no flags)")
declare -a OPTS=("$FULL" "-XX:+UseSerialGC -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5"
 "-XX:+UseSerialGC -Xms48m -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 -XX:TieredStopAtLevel=1 -XX:+UseTransparentHugePages"
 "-XX:+UseSerialGC -Xmn16m -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 -XX:TieredStopAtLevel=1 -XX:+UseTransparentHugePages"
 "-XX:+UseSerialGC -Xms48m -Xmn16m -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 -XX:+UseTransparentHugePages"
 "$FULL $JIT"
 "-XX:+UseSerialGC -Xms48m -Xmn16m -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 -XX:TieredStopAtLevel=1"
 "-XX:+UseG1GC -Xms48m -XX:TieredStopAtLevel=1 -XX:+UseTransparentHugePages"
 "-XX:+UseG1GC")
for i in "${!NAMES[@]}"; do
  echo "== ${NAMES[$i]}: ${OPTS[$i]}"
  BENCH_JAVA_OPTS="${OPTS[$i]}" bgp-speaker/bench/passthrough.sh 100000,1000000,100000,1000000 java 2>&1 | grep -E "^java N"
done

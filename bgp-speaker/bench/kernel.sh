#!/bin/sh
# Kernel install benchmark: N learned routes installed by `ip -n NS -batch -` and by the speaker's KernelSync, each
# into a fresh network namespace (created and deleted by the bench), in the same run; prints progress every N/10,
# seconds, routes/s, the ratio KernelSync/ip and the load average. As root.
# Usage: bgp-speaker/bench/kernel.sh [N=100000]      (BENCH_SKIP_BUILD=1 to skip the Maven build)
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
home=$(cd "$here/.." && pwd)
if [ -z "$BENCH_SKIP_BUILD" ]; then
  (cd "$home" && mvn -q -B -ntp ${MVN_OFFLINE:+-o} -Pjmh -DskipTests package -pl bgp-speaker -am)
fi
exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$here/target/test-classes:$here/target/classes:$here/target/lib/*" \
  org.calicojava.bgp.bench.KernelBench "${1:-100000}"

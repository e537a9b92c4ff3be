#!/bin/sh
# UPDATE codec benchmark (JMH, one fork, short iterations, GC profiler for allocation per operation).
# Usage: bgp-speaker/bench/run.sh [extra JMH args]   (from the repository root or anywhere)
set -e
module=$(cd "$(dirname "$0")/.." && pwd)
mvn -q -B ${MVN_OFFLINE:+-o} -Pjmh -f "$module/pom.xml" test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$module/target/bench.cp"
exec java -cp "$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.cp")" org.openjdk.jmh.Main \
  'org.calicojava.bgp.bench.UpdateCodecBench' -prof gc "$@"

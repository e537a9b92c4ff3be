#!/bin/sh
# Pass-through benchmark: feeder -> speaker (kernel off) -> sink, our speaker vs BIRD 2 vs the harness floor.
# Usage: bgp-speaker/bench/passthrough.sh [N,N...] [speakers]   (default 100000,1000000 and direct,bird,java)
# Needs: mvn -Pjmh -f bgp-speaker/pom.xml package -DskipTests (the bench mains are in src/jmh/java), bird2 installed.
# Environment: BENCH_JAVA_OPTS replaces bin/bgp-speaker's JVM flags (e.g. to compare GC settings); BENCH_THREADS=1 prints
# the speaker's CPU seconds per thread; BENCH_KEEP_LOG=PREFIX keeps each speaker's log as PREFIX.SPEAKER.N.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
home=$(cd "$here/.." && pwd)
exec java -Xmx1g -cp "$here/target/test-classes:$here/target/classes:$here/target/lib/*" \
  org.calicojava.bgp.bench.PassThroughBench "$home" "${1:-100000,1000000}" "${2:-direct,bird,java}"

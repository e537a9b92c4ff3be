#!/usr/bin/env bash
# Runs the render benchmark (JMH, short: 1 fork, 2 warmup + 3 measurement iterations of 1 s).
# Usage: confd-renderer/bench/render.sh [extra JMH args]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp -Pjmh test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
exec java -cp "target/test-classes:target/classes:$(cat target/bench.cp)" org.openjdk.jmh.Main RenderBench \
  -f 1 -wi 2 -i 3 -w 1s -r 1s "$@"

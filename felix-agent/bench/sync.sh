#!/usr/bin/env bash
# felix-agent initial sync with N endpoints cluster-wide, most on other hosts (RemoteSyncBench), beside etcdctl get.
# Usage: felix-agent/bench/sync.sh [N ...]   (default 20000 50000; needs root; its own etcd and namespace)
set -euo pipefail
if [ $# -eq 0 ]; then set -- 20000 50000; fi
cd "$(dirname "$0")/../.."
mvn -q -B -ntp -Pjmh -f felix-agent/pom.xml test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
source scripts/lib/etcd.sh
etcd_start
trap etcd_stop EXIT
# the agent runs in this JVM: with the flags bin/felix-agent gives it (FELIX_JAVA_OPTS replaces them, as there)
java -Xmx2g ${FELIX_JAVA_OPTS:--XX:+UseParallelGC -XX:TieredStopAtLevel=1 -XX:MetaspaceSize=64m} ${BENCH_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dorg.slf4j.simpleLogger.log.org.calicojava.felix.dataplane.Dataplane=info \
  -cp "felix-agent/target/test-classes:felix-agent/target/classes:$(cat felix-agent/target/bench.cp)" \
  org.calicojava.felix.bench.RemoteSyncBench "$@"

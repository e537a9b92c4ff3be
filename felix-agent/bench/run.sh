#!/usr/bin/env bash
# felix-agent benchmark: cold start at N endpoints (default 1000 and 10000) for each backend (auto = the default,
# nftables, iptables-nft, iptables-legacy; -Dbackends=a,b to choose), beside the
# floors (ip -batch routes, one iptables-restore of the same rules, iptables-save, one nft -f of the same ruleset,
# adding one endpoint to it, nft list, and the start's own kernel work prepared: the agent's batch, the routes and
# the sysctls at once) measured in the same run;
# incremental add p50/p99 over 200 adds; refresh cost. Needs root; creates and deletes its own namespaces and etcd.
# One JVM per N, so that each N's first backend starts in a cold JVM (the floors are measured after the agents).
# -Dprocess=REPS in BENCH_OPTS: also bin/felix-agent as a process, exec to ready, with and without its CDS archive.
# Usage: felix-agent/bench/run.sh [N ...]
set -euo pipefail
if [ $# -eq 0 ]; then set -- 1000 10000; fi
cd "$(dirname "$0")/../.."
# built with the modules it depends on (-am): the classpath then has this tree's netlink, etcd-schema, ... classes,
# not what was last installed into the local Maven repository
mvn -q -B -ntp -Pjmh -pl felix-agent -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
source scripts/lib/etcd.sh
etcd_start
trap etcd_stop EXIT
# the agent runs in this JVM: with the flags bin/felix-agent gives it (FELIX_JAVA_OPTS replaces them, as there)
for n in "$@"; do
  java -Xmx2g ${FELIX_JAVA_OPTS:--XX:+UseParallelGC -XX:TieredStopAtLevel=1 -XX:MetaspaceSize=64m} ${BENCH_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.calicojava.felix.dataplane.Dataplane=info \
    -cp "felix-agent/target/test-classes:felix-agent/target/classes:$(cat felix-agent/target/bench.cp)" \
    org.calicojava.felix.bench.FelixBench "$n"
done

#!/usr/bin/env bash
# Benchmark: IPAM auto-assign throughput with 1 and 4 concurrent clients, up to N addresses (default 10000),
# against its own etcd (free port, stopped by PID). Usage: etcd-schema/bench/ipam.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/etcd.sh
trap etcd_stop EXIT
etcd_start
mvn -q -B -ntp -Pjmh -f etcd-schema/pom.xml test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp >/dev/null
cp="etcd-schema/target/classes:etcd-schema/target/test-classes:$(cat etcd-schema/target/bench.cp)"
java -cp "$cp" org.calicojava.ipam.IpamBench "${1:-10000}"

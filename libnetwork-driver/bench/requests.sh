#!/usr/bin/env bash
# Request benchmark of the libnetwork driver: one docker run + rm worth of plugin calls (real etcd, real veths in a
# throw-away namespace) over the unix socket vs. direct calls, and GetCapabilities alone (transport only).
# Usage (as root, from the repo root): libnetwork-driver/bench/requests.sh [CYCLES=100] [ROUNDS=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/etcd.sh
mvn -q -B -ntp -Pjmh -f libnetwork-driver/pom.xml package -DskipTests
etcd_start
trap etcd_stop EXIT
m=libnetwork-driver/target
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$m/test-classes:$m/classes:$m/lib/*" \
  org.calicojava.libnetwork.RequestBench "${1:-100}" "${2:-5}"

#!/bin/sh
# Per-interface sysctl benchmark: WorkloadInterface.configureSysctls for N veths vs `sysctl -q -p FILE` (procps) of the
# same settings and vs the Java file API, in a fresh namespace (deleted after).
# usage: netlink/bench/sysctls.sh [N=10000] [ROUNDS=5]    (as root)
set -e
cd "$(dirname "$0")/.."
mvn -q -B -ntp -Pjmh -f pom.xml package -DskipTests -Dspotless.check.skip=true
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dslf4j.internal.verbosity=ERROR \
  -cp "target/classes:target/test-classes:target/lib/*" org.calicojava.netlink.bench.SysctlBench "$@"

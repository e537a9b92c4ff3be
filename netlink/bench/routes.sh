#!/bin/sh
# Route install/delete benchmark: netlink Batch vs `ip -n NS -batch FILE`, in a fresh namespace (deleted after).
# usage: netlink/bench/routes.sh [N=10000] [ROUNDS=5] [BIG_N=100000]    (as root)
set -e
cd "$(dirname "$0")/.."
mvn -q -B -ntp -Pjmh -f pom.xml package -DskipTests
exec java -Xmx256m -Dslf4j.internal.verbosity=ERROR \
  -cp "target/classes:target/test-classes:target/lib/*" org.calicojava.netlink.bench.RouteBench "$@"

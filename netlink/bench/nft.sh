#!/bin/sh
# nftables commit benchmark (issue 19's floor_kernel_commit_s): N rules as one prepared netlink transaction vs
# `nft -f` of the same text, in a fresh namespace (deleted after).
# usage: netlink/bench/nft.sh [N=20000] [ROUNDS=3]    (as root)
set -e
cd "$(dirname "$0")/.."
mvn -q -B -ntp -Pjmh -f pom.xml package -DskipTests -Dspotless.check.skip=true
exec java -Xmx512m -Dslf4j.internal.verbosity=ERROR \
  -cp "target/classes:target/test-classes:target/lib/*" org.calicojava.netlink.bench.NftCommitBench "$@"

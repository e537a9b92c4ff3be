#!/usr/bin/env bash
# Writes felix-agent/cds/classlist: the classes bin/felix-agent loads in a real cold start at 1,000 endpoints, on
# the default backend (nftables) and on iptables-nft, in the bench's own namespace and etcd
# (felix-agent/bench/run.sh with -Dprocess). The build archives them in target/felix-agent-<JVM>.jsa (-Xshare:dump,
# felix-agent/cds/dump.sh). Run it again after changes that load other classes in a cold start; a class missing from
# the list only loads as before.
# Needs root, like the bench.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=felix-agent/cds/classlist
# the list is recorded from bin/felix-agent, which runs the packaged jar: package the current code first
mvn -q -B -ntp -f felix-agent/pom.xml package -DskipTests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for backend in auto iptables-nft; do
  BENCH_OPTS="-Dbackends=$backend -Dadds=0 -Dfloors=false -Dpolicyall=false -Dquiet.window=2 -Dprocess=1
    -Dprocess.classlist=$tmp/$backend" felix-agent/bench/run.sh 1000 | grep -E "process cold start"
done
# in the order loaded, each once; not the JVM's generated proxies and accessors (not in any jar)
{
  echo "# felix-agent's cold-start classes for -Xshare:dump; written by felix-agent/cds/classlist.sh"
  cat "$tmp/auto" "$tmp/iptables-nft" | grep -v -e '^#' -e 'jdk/proxy' -e '\$Proxy[0-9]' -e 'Generated[A-Za-z]*Accessor' \
    | awk '!seen[$0]++'
} > "$out"
echo "$out: $(grep -vc '^#' "$out") classes and lambda forms"

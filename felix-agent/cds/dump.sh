#!/bin/sh
# Dumps felix-agent's class-data-sharing archive for the `java` on the PATH: the classes of felix-agent/cds/classlist
# (-Xshare:dump), into DIR/felix-agent-<that JVM>.jsa (cds/jvm.sh names it) through a temporary name renamed into
# place, so that a start never maps a half-written archive and concurrent dumps do not collide. Run by the build
# (felix-agent/pom.xml, package phase) and by bin/felix-agent when the archive for its JVM is missing or stale. Exits 1
# on any failure (the build tolerates it: the archive is only a speed-up).
# Usage: dump.sh DIR CLASSLIST CLASSPATH
dir=$1
list=$2
cp=$3
. "$(dirname "$0")/jvm.sh" || exit 1
if [ ! -f "$libjvm" ]; then
  echo "felix-agent/cds/dump.sh: no libjvm.so for the java on the PATH ($libjvm)" >&2
  exit 1
fi
jsa="$dir/$archive_name"
tmp="$jsa.$$"
trap 'rm -f "$tmp"' EXIT
trap 'exit 1' TERM INT HUP # the EXIT trap then removes the temporary file (dash runs it only on exit)
java -Xshare:dump -Xlog:cds=error -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$tmp" -cp "$cp" >/dev/null \
  || exit 1
mv -f "$tmp" "$jsa" || exit 1

#!/bin/sh
# Dumps felix-agent's class-data-sharing archive: the classes of felix-agent/cds/classlist, as the `java` on the PATH
# maps them (-Xshare:dump), into ARCHIVE through a temporary name renamed into place, then writes ARCHIVE's JVM file
# (felix-agent.jvm beside it: the libjvm.so that made it). bin/felix-agent maps the archive only when that file names
# the JVM it runs: another JDK (java on the PATH switched to one built before the archive) refuses an archive it did
# not make, with an error line, and starts without it. Run by the build (felix-agent/pom.xml, package phase) and by
# bin/felix-agent when its archive is stale. Usage: dump.sh ARCHIVE CLASSLIST CLASSPATH
set -e
jsa=$1
list=$2
cp=$3
javabin=$(readlink -f "$(command -v java)")
libjvm=${javabin%/bin/java}/lib/server/libjvm.so
tmp="$jsa.$$"
trap 'rm -f "$tmp"' EXIT
java -Xshare:dump -Xlog:cds=error -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$tmp" -cp "$cp" >/dev/null
mv -f "$tmp" "$jsa"
# after the archive: a start between the two sees the old JVM file and runs without the new archive, never the
# other way round
printf '%s\n' "$libjvm" > "${jsa%.jsa}.jvm"

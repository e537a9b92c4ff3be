# Sourced (not run) by bin/felix-agent and felix-agent/cds/dump.sh: which JVM the `java` on the PATH is, and the name of
# felix-agent's class-data-sharing archive for it. A JVM maps only an archive of its own build (JDK 25 refuses JDK
# 17's with an error line; another build of 17 drops it), so each JVM's archive is named after its libjvm.so:
# libjvm, its path; archive_name, felix-agent-<cksum of that path>.jsa.
javabin=$(readlink -f "$(command -v java)")
libjvm=${javabin%/bin/java}/lib/server/libjvm.so
sum=$(printf %s "$libjvm" | cksum)
archive_name="felix-agent-${sum%% *}.jsa"

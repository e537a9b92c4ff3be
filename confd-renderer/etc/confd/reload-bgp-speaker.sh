#!/bin/sh
# reload-bgp-speaker.sh PIDFILE SOCKET: confd's reload of the bgp-speaker (the shipped bgp-speaker resource runs it).
# SIGHUP goes to the PID in PIDFILE only if that PID's command line is the speaker's (a stale PID file must not make
# confd signal an unrelated process: refused with one line, exit 1), and only once the speaker has created its control
# socket SOCKET after it started (its SIGHUP handler exists from then on; a SIGHUP while its JVM starts would end it,
# exit 129). A socket older than the process is a leftover of an earlier speaker and does not count. Nothing to do
# while there is no PID file or it names the speaker's wrapper still waiting for its first config.
f=$1
s=$2
p=$(cat "$f" 2>/dev/null) || exit 0
case "$p" in ''|*[!0-9]*) exit 0 ;; esac
c=$(tr '\000' ' ' < "/proc/$p/cmdline" 2>/dev/null) || exit 0
case "$c" in
  *' org.calicojava.bgp.Main '*) ;;
  *'bin/bgp-speaker'*|'') exit 0 ;;
  *) echo "$f: pid $p is not the bgp-speaker ($c); not signalled" >&2; exit 1 ;;
esac
# the process's start in seconds since the epoch (rounded down): boot time + start ticks / ticks per second
started=$(awk -v t="$(getconf CLK_TCK)" -v b="$(awk '/^btime/ {print $2}' /proc/stat)" \
  '{ sub(/^.*\) /, ""); print b + int($20 / t) }' "/proc/$p/stat" 2>/dev/null) || exit 0
i=0
while [ ! -S "$s" ] || [ "$(stat -c %Y "$s" 2>/dev/null || echo 0)" -lt "$started" ]; do
  [ -d "/proc/$p" ] || exit 0
  i=$((i + 1))
  if [ $i -gt 100 ]; then echo "bgp-speaker (pid $p) has no control socket $s after 20 s; not signalled" >&2; exit 1; fi
  sleep 0.2
done
exec kill -HUP "$p"

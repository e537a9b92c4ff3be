# shellcheck shell=bash
# Start and stop a throw-away etcd (Debian etcd-server) on free ports of 127.0.0.1.
# etcd_start sets ETCD_PID, ETCD_DIR and exports ETCD_ENDPOINTS; etcd_stop stops it by PID and removes its data.

free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return; fi
  done
}

etcd_start() {
  command -v etcd >/dev/null || { echo "etcd not found: run scripts/setup first" >&2; return 1; }
  ETCD_DIR=$(mktemp -d /tmp/calico-java-etcd.XXXXXX)
  local cport pport
  cport=$(free_port); pport=$(free_port)
  while [ "$pport" = "$cport" ]; do pport=$(free_port); done
  etcd --name cj --data-dir "$ETCD_DIR/data" \
    --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "cj=http://127.0.0.1:$pport" --logger zap --log-outputs "$ETCD_DIR/etcd.log" \
    >"$ETCD_DIR/stdout.log" 2>&1 &
  ETCD_PID=$!
  export ETCD_ENDPOINTS="http://127.0.0.1:$cport"
  for _ in $(seq 1 100); do
    if ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" endpoint health >/dev/null 2>&1; then
      echo "etcd running: pid $ETCD_PID at $ETCD_ENDPOINTS (data in $ETCD_DIR)" >&2
      return 0
    fi
    if ! kill -0 "$ETCD_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "etcd did not start; its log:" >&2; tail -20 "$ETCD_DIR/etcd.log" "$ETCD_DIR/stdout.log" >&2
  etcd_stop; return 1
}

etcd_stop() {
  if [ -n "${ETCD_PID:-}" ] && kill -0 "$ETCD_PID" 2>/dev/null; then
    kill "$ETCD_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$ETCD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$ETCD_PID" 2>/dev/null || true
  fi
  [ -n "${ETCD_DIR:-}" ] && rm -rf "$ETCD_DIR"
  ETCD_PID=""
}

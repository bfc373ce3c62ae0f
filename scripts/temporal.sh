#!/usr/bin/env bash
# A local Temporal dev server (the Temporal CLI's `server start-dev`, SQLite on disk), for
# `npm run demo`, `npm test` and CI.
#
#   scripts/temporal.sh start    build the CLI if needed, start the server if not answering, wait
#                                until the `default` namespace is usable; prints
#                                TEMPORAL_ADDRESS=127.0.0.1:7233 and TEMPORAL_UI_URL=http://127.0.0.1:8233
#   scripts/temporal.sh stop     stop the server this script started (pid file)
#   scripts/temporal.sh status   prints "running ..." (exit 0) or "stopped" (exit 3)
#   scripts/temporal.sh address  prints the address only
#
# With TEMPORAL_ADDRESS set (to anything but this script's own address) nothing is built or
# started: `start`/`status` only check that it answers, `address` prints it, `stop` does nothing.
#
# Files: $DIALER_CACHE/bin/temporal (CLI), $DIALER_CACHE/temporal/dev.db (state, survives
# restarts), $DIALER_CACHE/run/temporal.pid, $DIALER_CACHE/logs/temporal.log and temporal-build.log.
set -euo pipefail

DIALER_LOG_TAG=temporal
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

CLI_MODULE=github.com/temporalio/cli
CLI_PKG=$CLI_MODULE/cmd/temporal
# Pinned: later releases carry replace directives that `go install pkg@version` refuses.
CLI_VERSION=v1.5.1
# What `temporal --version` of that build reports (the CLI's own version is only set by release
# builds' ldflags; a `go install` build says 0.0.0-DEV), used when `go` isn't there to ask.
CLI_SERVER_VERSION="Server 1.29.1,"
GO_MIN_MINOR=25

TEMPORAL_BIN="$DIALER_BIN_DIR/temporal"
BUILD_LOG="$DIALER_LOG_DIR/temporal-build.log"
SERVER_LOG="$DIALER_LOG_DIR/temporal.log"
PID_FILE="$DIALER_RUN_DIR/temporal.pid"
STATE_DIR="$DIALER_CACHE/temporal"
DB_FILE="$STATE_DIR/dev.db"
HOST=127.0.0.1
PORT="$DIALER_TEMPORAL_PORT"
UI_PORT="$DIALER_TEMPORAL_UI_PORT"
MANAGED_ADDRESS="$HOST:$PORT"
MANAGED_UI_URL="http://$HOST:$UI_PORT"
NAMESPACE=default

usage() {
  echo "usage: $0 start|stop|status|address" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# The CLI binary

find_go() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    echo /usr/local/go/bin/go
  fi
}

# built_version — the module version the binary was built from (via `go version -m`), or, without
# go, "server-match" if `temporal --version` reports the server version of the pinned release.
built_version() {
  local go
  [[ -x "$TEMPORAL_BIN" ]] || return 1
  "$TEMPORAL_BIN" --version >/dev/null 2>&1 || return 1
  go="$(find_go)"
  if [[ -n "$go" ]]; then
    "$go" version -m "$TEMPORAL_BIN" 2>/dev/null | awk -v m="$CLI_MODULE" '$1 == "mod" && $2 == m { print $3 }'
  elif "$TEMPORAL_BIN" --version 2>/dev/null | grep -qF "$CLI_SERVER_VERSION"; then
    echo server-match
  fi
}

binary_ok() {
  local v
  v="$(built_version || true)"
  [[ "$v" == "$CLI_VERSION" || "$v" == server-match ]]
}

# other_build_pid — pid of a `go install` of the CLI started by someone else (e.g. a provisioning
# step), which writes the same binary: wait for it rather than race it.
other_build_pid() {
  pgrep -f "go install (.* )?$CLI_PKG@" 2>/dev/null | head -n1
}

ensure_cli() {
  if binary_ok; then return 0; fi

  local pid waited=0
  while pid="$(other_build_pid)" && [[ -n "$pid" ]]; do
    if ((waited == 0)); then
      log "a build of the Temporal CLI is already running (pid $pid); waiting for it instead of starting another"
    elif ((waited % 60 == 0)); then
      log "still waiting for the running build (pid $pid, ${waited}s)"
    fi
    ((waited >= 1200)) && die "the Temporal CLI build already running (pid $pid) has not finished after ${waited}s"
    sleep 5
    waited=$((waited + 5))
  done
  if ((waited > 0)) && binary_ok; then
    log "reusing the CLI that build produced ($TEMPORAL_BIN)"
    return 0
  fi

  local go have
  go="$(find_go)"
  [[ -n "$go" ]] || die "the Temporal CLI is not at $TEMPORAL_BIN and Go is not installed to build it (need Go >= 1.$GO_MIN_MINOR; or set TEMPORAL_ADDRESS to an existing server)"
  have="$("$go" env GOVERSION 2>/dev/null || true)"
  if [[ ! "$have" =~ ^go1\.([0-9]+) ]] || ((BASH_REMATCH[1] < GO_MIN_MINOR)); then
    die "building the Temporal CLI $CLI_VERSION needs Go >= 1.$GO_MIN_MINOR but $go is ${have:-unknown}; install a newer Go or set TEMPORAL_ADDRESS to an existing server"
  fi
  if [[ -x "$TEMPORAL_BIN" ]]; then
    log "$TEMPORAL_BIN is $(built_version || echo 'unknown version'), want $CLI_VERSION: rebuilding"
  fi
  log "building the Temporal CLI $CLI_VERSION with $have (a few minutes when cold; log: $BUILD_LOG)"
  local t0=$EPOCHREALTIME
  # Installed into a staging dir and renamed into place: `go install` refuses to overwrite a file
  # that isn't a Go binary, and nobody should ever run a half-written one.
  local stage="$DIALER_BIN_DIR/.build"
  rm -rf "$stage"
  mkdir -p "$stage"
  if ! GOBIN="$stage" GOFLAGS=-mod=mod "$go" install "$CLI_PKG@$CLI_VERSION" >"$BUILD_LOG" 2>&1 9>&-; then
    tail_log "$BUILD_LOG"
    die "building the Temporal CLI failed (go install $CLI_PKG@$CLI_VERSION); see $BUILD_LOG"
  fi
  mv -f "$stage/temporal" "$TEMPORAL_BIN"
  rmdir "$stage" 2>/dev/null || true
  binary_ok || die "built $TEMPORAL_BIN but it reports '$(built_version || true)', not $CLI_VERSION; see $BUILD_LOG"
  log "built in $(since "$t0") s: $("$TEMPORAL_BIN" --version 2>/dev/null | head -n1)"
}

# ---------------------------------------------------------------------------------------------
# Talking to a server

# cli ARGS... — the CLI against our own server, ignoring the caller's Temporal profile/env config.
cli() {
  "$TEMPORAL_BIN" --address "$MANAGED_ADDRESS" --disable-config-file --disable-config-env \
    --command-timeout 5s --color never "$@"
}

healthy() {
  cli operator cluster health >/dev/null 2>&1
}

namespace_ready() {
  cli operator namespace describe --namespace "$NAMESPACE" -o none >/dev/null 2>&1 \
    && cli workflow list --namespace "$NAMESPACE" --limit 1 -o none >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------------
# External server (TEMPORAL_ADDRESS set by the caller)

external_mode() {
  [[ -n "${TEMPORAL_ADDRESS:-}" && "$TEMPORAL_ADDRESS" != "$MANAGED_ADDRESS" ]]
}

# external_check SECONDS — with the CLI if it is already installed (it honours the caller's
# TEMPORAL_* TLS/API-key settings), else a TCP connect to host:port.
external_check() {
  local deadline=$((SECONDS + $1)) host port
  host="${TEMPORAL_ADDRESS%:*}"
  port="${TEMPORAL_ADDRESS##*:}"
  host="${host#\[}" host="${host%\]}"
  while :; do
    if [[ -x "$TEMPORAL_BIN" ]]; then
      if "$TEMPORAL_BIN" operator cluster health --address "$TEMPORAL_ADDRESS" --command-timeout 5s >/dev/null 2>&1; then
        return 0
      fi
    elif port_open "$host" "$port"; then
      return 0
    fi
    ((SECONDS >= deadline)) && return 1
    sleep 1
  done
}

external() {
  case "$1" in
    start)
      log "TEMPORAL_ADDRESS is set: using it, not building or starting Temporal"
      external_check 30 || die "TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS does not answer after 30 s"
      log "TEMPORAL_ADDRESS answers"
      echo "TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS"
      echo "TEMPORAL_UI_URL=${TEMPORAL_UI_URL:-}"
      ;;
    status)
      if external_check 3; then
        echo "temporal: external, answering at $TEMPORAL_ADDRESS"
      else
        echo "temporal: external, NOT answering at $TEMPORAL_ADDRESS"
        exit 3
      fi
      ;;
    stop) log "TEMPORAL_ADDRESS is set: that server is not managed by this script; nothing to stop" ;;
    address) echo "$TEMPORAL_ADDRESS" ;;
    *) usage ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Managed dev server

# server_pid — pid from the pid file if that process is alive and is our dev server.
server_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(head -n1 "$PID_FILE" 2>/dev/null || true)"
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "server start-dev" || return 1
  echo "$pid"
}

clear_stale_pid() {
  if [[ -f "$PID_FILE" ]] && ! server_pid >/dev/null; then
    log "removing stale pid file $PID_FILE (pid $(head -n1 "$PID_FILE" 2>/dev/null || echo '?') is not running)"
    rm -f "$PID_FILE"
  fi
  return 0
}

# wait_ready SECONDS [PID] — until healthy and the namespace answers; fails early if PID dies.
wait_ready() {
  local deadline=$((SECONDS + $1)) pid="${2:-}"
  until healthy && namespace_ready; do
    if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
      tail_log "$SERVER_LOG"
      die "the Temporal dev server (pid $pid) exited during startup; see $SERVER_LOG"
    fi
    ((SECONDS >= deadline)) && return 1
    sleep 0.5
  done
}

print_env() {
  echo "TEMPORAL_ADDRESS=$MANAGED_ADDRESS"
  echo "TEMPORAL_UI_URL=$MANAGED_UI_URL"
}

managed_start() {
  with_lock temporal 1500
  ensure_cli

  local pid
  if pid="$(server_pid)"; then
    if ! wait_ready 60 "$pid"; then
      tail_log "$SERVER_LOG"
      die "the Temporal dev server (pid $pid) is running but not healthy after 60 s; see $SERVER_LOG"
    fi
    log "already running (pid $pid, $MANAGED_ADDRESS)"
    print_env
    return 0
  fi
  clear_stale_pid

  if port_open "$HOST" "$PORT"; then
    if healthy && namespace_ready; then
      log "a Temporal server not started by this script already answers on $MANAGED_ADDRESS; using it"
      print_env
      return 0
    fi
    die "port $PORT on $HOST is taken by something that is not a healthy Temporal server; stop it or set DIALER_TEMPORAL_PORT"
  fi
  if port_open "$HOST" "$UI_PORT"; then
    die "the Temporal UI port $UI_PORT on $HOST is taken by another process; stop it or set DIALER_TEMPORAL_UI_PORT"
  fi

  mkdir -p "$STATE_DIR"
  # Keep one previous log around rather than growing forever.
  if [[ -f "$SERVER_LOG" ]] && (($(stat -c %s "$SERVER_LOG") > 20 * 1024 * 1024)); then
    mv -f "$SERVER_LOG" "$SERVER_LOG.1"
  fi
  printf '=== %s scripts/temporal.sh start ===\n' "$(date -u +%FT%TZ)" >>"$SERVER_LOG"

  log "starting the dev server on $MANAGED_ADDRESS, UI $MANAGED_UI_URL (db $DB_FILE, log $SERVER_LOG)"
  local t0=$EPOCHREALTIME
  # setsid: own session, so it outlives this shell and a Ctrl-C in the caller's terminal. The pid
  # file is written by the process itself just before it execs the server (setsid may fork, so
  # $! isn't always the server). 9>&- : it must not inherit the lock descriptor.
  rm -f "$PID_FILE"
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid nohup bash -c 'echo $$ >"$0" && exec "$@"' "$PID_FILE" \
    "$TEMPORAL_BIN" server start-dev \
    --ip "$HOST" --port "$PORT" --ui-port "$UI_PORT" \
    --db-filename "$DB_FILE" \
    --namespace "$NAMESPACE" \
    --log-level warn \
    --sqlite-pragma journal_mode=wal \
    --sqlite-pragma synchronous=normal \
    --dynamic-config-value matching.numTaskqueueReadPartitions=1 \
    --dynamic-config-value matching.numTaskqueueWritePartitions=1 \
    </dev/null >>"$SERVER_LOG" 2>&1 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s "$PID_FILE" ]] && break
    sleep 0.1
  done
  pid="$(head -n1 "$PID_FILE" 2>/dev/null || true)"
  if ! pid_alive "$pid"; then
    tail_log "$SERVER_LOG"
    die "the Temporal dev server did not start (no live pid in $PID_FILE); see $SERVER_LOG"
  fi

  if ! wait_ready 60 "$pid"; then
    tail_log "$SERVER_LOG"
    die "the Temporal dev server (pid $pid) did not become healthy with namespace '$NAMESPACE' within 60 s; see $SERVER_LOG"
  fi
  if ! wait_for_port "$HOST" "$UI_PORT" 10; then
    log "WARNING: the server is up but the UI does not answer on $MANAGED_UI_URL; see $SERVER_LOG"
  fi
  log "ready in $(since "$t0") s (pid $pid)"
  print_env
}

managed_stop() {
  with_lock temporal 1500
  local pid
  if ! pid="$(server_pid)"; then
    clear_stale_pid
    if port_open "$HOST" "$PORT"; then
      log "not started by this script (no live pid in $PID_FILE), but something answers on $MANAGED_ADDRESS; leaving it alone"
    else
      log "not running"
    fi
    return 0
  fi
  log "stopping the dev server (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      log "still running after 30 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  log "stopped"
}

managed_status() {
  local pid
  if pid="$(server_pid)"; then
    if healthy; then
      echo "temporal: running (pid $pid, $MANAGED_ADDRESS, UI $MANAGED_UI_URL, db $DB_FILE, log $SERVER_LOG)"
      print_env
    else
      echo "temporal: process $pid is up but not healthy (see $SERVER_LOG)"
      exit 1
    fi
  elif [[ -x "$TEMPORAL_BIN" ]] && port_open "$HOST" "$PORT" && healthy; then
    echo "temporal: answering on $MANAGED_ADDRESS but not started by this script"
    print_env
  else
    if [[ -f "$PID_FILE" ]]; then
      echo "temporal: stopped (stale pid file; the next start removes it)"
    else
      echo "temporal: stopped"
    fi
    exit 3
  fi
}

ADDRESS_COMMAND=address
MANAGED_ADDRESS_TEXT="$MANAGED_ADDRESS"
dispatch_component "$@"

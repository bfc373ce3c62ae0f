#!/usr/bin/env bash
# The project's own Postgres cluster, for `npm run demo`, `npm test` and CI.
#
#   scripts/postgres.sh start    install (apt) if needed, initdb if needed, start, create role+db;
#                                prints DATABASE_URL=postgres://dialer:dialer@127.0.0.1:55432/dialer
#   scripts/postgres.sh stop     stop the cluster (fast shutdown)
#   scripts/postgres.sh status   prints "running ..." (exit 0) or "stopped" (exit 3)
#   scripts/postgres.sh url      prints the URL only
#
# With DATABASE_URL set (to anything but this script's own URL) nothing is installed or started:
# `start`/`status` only check that it answers, `url` prints it, `stop` does nothing.
#
# Layout: when run as root, Postgres refuses to run as root, so the cluster runs as the `postgres`
# OS user in /var/lib/postgresql/dialer-<major>/ (root's home isn't traversable by it); otherwise in
# $DIALER_CACHE/postgres/<major>/. Either can be overridden with DIALER_PG_HOME. Inside it:
#   data/          the cluster (settings in data/dialer.conf, rewritten by every `start`)
#   superuser.pw   password of the `postgres` superuser (scram-sha-256 everywhere)
#   server.log     server log (also linked as $DIALER_LOG_DIR/postgres.log)
#   .s.PGSQL.<port>  unix socket (or in /tmp when the path would be too long)
set -euo pipefail

DIALER_LOG_TAG=postgres
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

PG_PORT="$DIALER_PG_PORT"
MANAGED_URL="postgres://dialer:dialer@127.0.0.1:${PG_PORT}/dialer"
APT_LOG="$DIALER_LOG_DIR/apt-postgresql.log"

# Connection settings from the caller's environment must not leak into our own admin connections.
unset PGSERVICE PGSERVICEFILE PGSSLMODE PGREQUIRESSL PGGSSENCMODE PGOPTIONS PGTARGETSESSIONATTRS \
  PGCHANNELBINDING PGHOSTADDR PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE 2>/dev/null || true

usage() {
  echo "usage: $0 start|stop|status|url" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# External database (DATABASE_URL set by the caller)

external_mode() {
  [[ -n "${DATABASE_URL:-}" && "$DATABASE_URL" != "$MANAGED_URL" ]]
}

any_psql() {
  if command -v psql >/dev/null 2>&1; then
    command -v psql
    return
  fi
  local d
  d="$(newest_pg_bin || true)"
  if [[ -n "$d" && -x "$d/psql" ]]; then echo "$d/psql"; fi
}

any_pg_isready() {
  if command -v pg_isready >/dev/null 2>&1; then
    command -v pg_isready
    return
  fi
  local d
  d="$(newest_pg_bin || true)"
  if [[ -n "$d" && -x "$d/pg_isready" ]]; then echo "$d/pg_isready"; fi
}

# external_check SECONDS — true once DATABASE_URL accepts `select 1` (or pg_isready without psql).
external_check() {
  local seconds="$1" psql isready deadline=$((SECONDS + $1)) out=""
  psql="$(any_psql)"
  isready="$(any_pg_isready)"
  if [[ -z "$psql" && -z "$isready" ]]; then
    die "DATABASE_URL is set but neither psql nor pg_isready is installed to check it (apt-get install postgresql-client)"
  fi
  while :; do
    if [[ -n "$psql" ]]; then
      if out="$("$psql" -X -qAt -d "$DATABASE_URL" -c 'select 1' 2>&1)"; then return 0; fi
    else
      if out="$("$isready" -d "$DATABASE_URL" -t 5 2>&1)"; then return 0; fi
    fi
    if ((SECONDS >= deadline)); then
      log "last error: ${out//$'\n'/ }"
      return 1
    fi
    sleep 1
  done
}

redacted_url() {
  # postgres://user:secret@host/db -> postgres://user:***@host/db
  sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"
}

external() {
  local cmd="$1"
  case "$cmd" in
    start)
      log "DATABASE_URL is set: using it, not installing or starting Postgres"
      external_check 30 || die "DATABASE_URL ($(redacted_url "$DATABASE_URL")) does not answer 'select 1' after 30 s"
      log "DATABASE_URL answers"
      echo "DATABASE_URL=$DATABASE_URL"
      ;;
    status)
      if external_check 3; then
        echo "postgres: external, answering ($(redacted_url "$DATABASE_URL"))"
      else
        echo "postgres: external, NOT answering ($(redacted_url "$DATABASE_URL"))"
        exit 3
      fi
      ;;
    stop) log "DATABASE_URL is set: the database is not managed by this script; nothing to stop" ;;
    url) echo "$DATABASE_URL" ;;
    *) usage ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Managed cluster

newest_pg_bin() {
  local d best="" best_ver=0 v
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/postgres" && -x "$d/initdb" && -x "$d/pg_ctl" ]] || continue
    v="$(basename "$(dirname "$d")")"
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if ((v > best_ver)); then best_ver="$v" best="$d"; fi
  done
  [[ -n "$best" ]] && echo "$best"
}

install_postgres() {
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 \
      || die "PostgreSQL is not installed and this user is not root and has no sudo: install the 'postgresql' package or set DATABASE_URL"
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 \
    || die "PostgreSQL is not installed (/usr/lib/postgresql/*/bin) and apt-get is missing: install PostgreSQL or set DATABASE_URL"
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql)
  log "installing the 'postgresql' package with apt-get (log: $APT_LOG)"
  if ! "${apt[@]}" >>"$APT_LOG" 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$APT_LOG" 2>&1 \
      || { tail_log "$APT_LOG"; die "apt-get update failed; see $APT_LOG"; }
    "${apt[@]}" >>"$APT_LOG" 2>&1 \
      || { tail_log "$APT_LOG"; die "apt-get install postgresql failed; see $APT_LOG"; }
  fi
}

setup_paths() {
  PG_BIN="$(newest_pg_bin || true)"
  if [[ -z "$PG_BIN" ]]; then
    [[ "${1:-}" == install ]] || return 1
    install_postgres
    PG_BIN="$(newest_pg_bin || true)"
    [[ -n "$PG_BIN" ]] || die "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/postgres was found; see $APT_LOG"
  fi
  PG_MAJOR="$(basename "$(dirname "$PG_BIN")")"

  if ((EUID == 0)); then
    RUN_AS=postgres
    id -u postgres >/dev/null 2>&1 \
      || die "running as root but there is no 'postgres' OS user to run the cluster as (it comes with the Debian postgresql package)"
    # Not under $DIALER_CACHE: the postgres user can't reach /root. A non-default port gets its own
    # cluster, so two configurations never share (and rewrite) one data dir.
    local suffix=""
    [[ "$PG_PORT" == 55432 ]] || suffix="-$PG_PORT"
    PG_HOME="${DIALER_PG_HOME:-/var/lib/postgresql/dialer-$PG_MAJOR$suffix}"
  else
    RUN_AS=""
    PG_HOME="${DIALER_PG_HOME:-$DIALER_CACHE/postgres/$PG_MAJOR}"
  fi
  PG_DATA="$PG_HOME/data"
  PG_PWFILE="$PG_HOME/superuser.pw"
  PG_LOG="$PG_HOME/server.log"
  # A unix socket path is limited to 107 bytes.
  if ((${#PG_HOME} + ${#PG_PORT} + 12 <= 100)); then PG_SOCKDIR="$PG_HOME"; else PG_SOCKDIR=/tmp; fi
  return 0
}

# as_pg CMD... — run as the cluster's OS user (from /, which that user can always enter).
as_pg() {
  if [[ -n "$RUN_AS" ]]; then
    (cd / && runuser -u "$RUN_AS" -- "$@")
  else
    (cd / && "$@")
  fi
}

# pid_is_postgres PID — the process exists and is a postgres server process.
pid_is_postgres() {
  local pid="$1" comm
  pid_alive "$pid" || return 1
  comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  [[ "$comm" == postgres || "$comm" == postmaster ]]
}

# postmaster_pid — pid of our running postmaster, or false. Never touches files.
postmaster_pid() {
  local pid
  [[ -f "$PG_DATA/postmaster.pid" ]] || return 1
  pid="$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
  pid_is_postgres "$pid" || return 1
  echo "$pid"
}

# clear_stale_pid — after a crash or a kill -9: remove postmaster.pid and the socket lock file if
# the process they name is gone (or is no longer postgres: pids get reused).
clear_stale_pid() {
  local f pid
  for f in "$PG_DATA/postmaster.pid" "$PG_SOCKDIR/.s.PGSQL.$PG_PORT.lock"; do
    [[ -f "$f" ]] || continue
    pid="$(head -n1 "$f" 2>/dev/null || true)"
    if ! pid_is_postgres "$pid"; then
      log "removing stale $(basename "$f") (pid ${pid:-?} is not running)"
      rm -f "$f"
      [[ "$f" == *.lock ]] && rm -f "${f%.lock}"
    fi
  done
  return 0
}

settings() {
  cat <<EOF
# Written by scripts/postgres.sh on every start: edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKDIR'
max_connections = 200
shared_buffers = 256MB
work_mem = 16MB
maintenance_work_mem = 128MB
effective_cache_size = 1GB
random_page_cost = 1.1
max_wal_size = 2GB
# Durability stays on: the dialer's guarantees are tested against a real, crash-safe database.
fsync = on
synchronous_commit = on
full_page_writes = on
password_encryption = 'scram-sha-256'
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 1000
log_lock_waits = on
EOF
}

ensure_layout() {
  mkdir -p "$PG_HOME"
  if [[ -n "$RUN_AS" ]]; then chown "$RUN_AS": "$PG_HOME"; fi
  chmod 0755 "$PG_HOME"
  if [[ ! -s "$PG_PWFILE" ]]; then
    log "generating the superuser password ($PG_PWFILE)"
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$PG_PWFILE")
  fi
  if [[ -n "$RUN_AS" ]]; then chown "$RUN_AS": "$PG_PWFILE"; fi
  chmod 0600 "$PG_PWFILE"
  ln -sfn "$PG_LOG" "$DIALER_LOG_DIR/postgres.log"
}

ensure_initdb() {
  if [[ -f "$PG_DATA/PG_VERSION" ]]; then
    local have
    have="$(cat "$PG_DATA/PG_VERSION")"
    [[ "$have" == "$PG_MAJOR" ]] \
      || die "$PG_DATA holds a Postgres $have cluster but the binaries are $PG_MAJOR; move it away or set DIALER_PG_HOME"
    return 0
  fi
  if [[ -e "$PG_DATA" ]]; then
    local aside
    aside="$PG_DATA.incomplete-$(date +%Y%m%d%H%M%S)"
    log "$PG_DATA has no PG_VERSION (interrupted initdb?); moving it to $aside"
    mv "$PG_DATA" "$aside"
  fi
  local locale=C
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi
  local initlog="$DIALER_LOG_DIR/postgres-initdb.log"
  log "initdb $PG_DATA (Postgres $PG_MAJOR, UTF8, locale $locale, scram-sha-256)"
  if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" --username=postgres --pwfile="$PG_PWFILE" \
    --auth=scram-sha-256 --encoding=UTF8 --locale="$locale" >"$initlog" 2>&1; then
    tail_log "$initlog"
    die "initdb failed; see $initlog"
  fi
}

# ensure_settings — write data/dialer.conf and include it; prints "changed" if it was rewritten.
ensure_settings() {
  local conf="$PG_DATA/dialer.conf" new
  new="$(settings)"
  if ! grep -qE "^include_if_exists = 'dialer.conf'" "$PG_DATA/postgresql.conf"; then
    printf "\n# Project settings (scripts/postgres.sh)\ninclude_if_exists = 'dialer.conf'\n" >>"$PG_DATA/postgresql.conf"
  fi
  if [[ ! -f "$conf" ]] || [[ "$(cat "$conf")" != "$new" ]]; then
    printf '%s\n' "$new" >"$conf"
    if [[ -n "$RUN_AS" ]]; then chown "$RUN_AS": "$conf"; fi
    chmod 0600 "$conf"
    echo changed
  fi
}

# super_psql ARGS... — psql as the superuser over TCP.
super_psql() {
  PGPASSWORD="$(cat "$PG_PWFILE")" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -d "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres connect_timeout=5" "$@"
}

dialer_answers() {
  "$PG_BIN/psql" -X -qAt -d "$MANAGED_URL" -c 'select 1' >/dev/null 2>&1
}

ensure_role_and_db() {
  if dialer_answers; then return 0; fi
  log "creating role 'dialer' and database 'dialer'"
  super_psql <<'SQL' >"$DIALER_LOG_DIR/postgres-bootstrap.log" 2>&1 || {
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dialer') THEN
    CREATE ROLE dialer LOGIN CREATEDB PASSWORD 'dialer';
  ELSE
    ALTER ROLE dialer LOGIN CREATEDB PASSWORD 'dialer';
  END IF;
END
$$;
SELECT 'CREATE DATABASE dialer OWNER dialer'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'dialer')
\gexec
ALTER DATABASE dialer OWNER TO dialer;
-- The tests drop their own databases WITH (FORCE), which may have to end an autovacuum worker.
GRANT pg_signal_backend TO dialer;
SQL
    tail_log "$DIALER_LOG_DIR/postgres-bootstrap.log"
    die "creating role/database 'dialer' failed; see $DIALER_LOG_DIR/postgres-bootstrap.log"
  }
  dialer_answers || die "role/database 'dialer' exist but $MANAGED_URL does not answer; see $PG_LOG"
}

managed_start() {
  with_lock postgres
  setup_paths install
  ensure_layout
  ensure_initdb
  local changed pid
  changed="$(ensure_settings)"

  if pid="$(postmaster_pid)"; then
    if [[ "$changed" == changed ]]; then
      log "settings changed; reloading"
      as_pg "$PG_BIN/pg_ctl" reload -D "$PG_DATA" -s >/dev/null
      local pending
      pending="$(super_psql -At -c 'select string_agg(name, $$, $$) from pg_settings where pending_restart' 2>/dev/null || true)"
      if [[ -n "$pending" ]]; then
        log "WARNING: changed settings need a restart ($pending): scripts/postgres.sh stop && scripts/postgres.sh start"
      fi
    fi
    log "already running (pid $pid, data $PG_DATA)"
  else
    clear_stale_pid
    if port_open 127.0.0.1 "$PG_PORT"; then
      die "port $PG_PORT on 127.0.0.1 is taken by another process (not the cluster in $PG_DATA); stop it or set DIALER_PG_PORT"
    fi
    log "starting Postgres $PG_MAJOR on 127.0.0.1:$PG_PORT (data $PG_DATA, log $PG_LOG)"
    local t0=$EPOCHREALTIME
    # 9>&- : the server must not inherit the lock descriptor.
    if ! as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s 9>&-; then
      tail_log "$PG_LOG"
      die "Postgres did not start; see $PG_LOG"
    fi
    log "started in $(since "$t0") s"
  fi
  ensure_role_and_db
  echo "DATABASE_URL=$MANAGED_URL"
}

managed_stop() {
  with_lock postgres
  if ! setup_paths; then
    log "Postgres is not installed; nothing to stop"
    return 0
  fi
  local pid
  if pid="$(postmaster_pid)"; then
    log "stopping Postgres (pid $pid)"
    if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 -s; then
      tail_log "$PG_LOG"
      die "pg_ctl stop failed; see $PG_LOG"
    fi
    log "stopped"
  else
    clear_stale_pid
    log "not running"
  fi
}

managed_status() {
  if ! setup_paths; then
    echo "postgres: not installed"
    exit 3
  fi
  local pid
  if pid="$(postmaster_pid)"; then
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 3; then
      echo "postgres: running (pid $pid, Postgres $PG_MAJOR, 127.0.0.1:$PG_PORT, data $PG_DATA, log $PG_LOG)"
      echo "DATABASE_URL=$MANAGED_URL"
    else
      echo "postgres: process $pid is up but not accepting connections (see $PG_LOG)"
      exit 1
    fi
  else
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
      echo "postgres: stopped (no cluster yet at $PG_DATA)"
    elif [[ -f "$PG_DATA/postmaster.pid" ]]; then
      echo "postgres: stopped (stale postmaster.pid; the next start removes it)"
    else
      echo "postgres: stopped (data $PG_DATA)"
    fi
    exit 3
  fi
}

ADDRESS_COMMAND=url
MANAGED_ADDRESS_TEXT="$MANAGED_URL"
dispatch_component "$@"

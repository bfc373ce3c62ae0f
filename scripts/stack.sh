#!/usr/bin/env bash
# Postgres + Temporal together, for `npm run demo`, `npm test` and CI.
#
#   scripts/stack.sh start    starts both (in parallel), writes $DIALER_CACHE/stack.env and prints
#                             its path on stdout; callers then:  source "$(scripts/stack.sh start)"
#   scripts/stack.sh stop     stops both (whatever these scripts started; external ones are left alone)
#   scripts/stack.sh status   both statuses; exit 0 only if both are up
#
# stack.env holds `export DATABASE_URL=...`, `export TEMPORAL_ADDRESS=...`, `export TEMPORAL_UI_URL=...`
# and DIALER_PAYLOAD_KEYS: the one already in the environment, else a development key made once
# into $DIALER_CACHE/payload-keys (the dev server's histories are encrypted with it; deleting
# that file makes them unreadable).
# DATABASE_URL / TEMPORAL_ADDRESS already set in the environment are used instead (see the scripts).
set -euo pipefail

DIALER_LOG_TAG=stack
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/env.sh
source "$HERE/env.sh"

STACK_ENV="$DIALER_CACHE/stack.env"

usage() {
  echo "usage: $0 start|stop|status" >&2
  exit 2
}

# value KEY FILE — the last KEY=value line of FILE.
value() {
  sed -n "s/^$1=//p" "$2" | tail -n1
}

# dev_payload_keys — prints the development key Temporal payloads are encrypted with
# (`dev-<random id>:<base64 of 32 random bytes>`), made once; readable by this user only.
dev_payload_keys() {
  local file="$DIALER_CACHE/payload-keys" tmp
  if [[ ! -s "$file" ]]; then
    tmp="$(mktemp "$DIALER_CACHE/payload-keys.XXXXXX")"
    printf 'dev-%s:%s\n' "$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')" "$(head -c 32 /dev/urandom | base64 -w0)" >"$tmp"
    # A hard link fails if the file exists: of two starts racing, the first key stays.
    ln "$tmp" "$file" 2>/dev/null || true
    rm -f "$tmp"
  fi
  cat "$file"
}

start() {
  local tmp t0=$EPOCHREALTIME
  tmp="$(mktemp -d)"
  STACK_TMP="$tmp"
  trap 'rm -rf "$STACK_TMP"' EXIT

  "$HERE/postgres.sh" start >"$tmp/postgres" &
  local pg=$!
  "$HERE/temporal.sh" start >"$tmp/temporal" &
  local tp=$!
  local pg_rc=0 tp_rc=0
  wait "$pg" || pg_rc=$?
  wait "$tp" || tp_rc=$?
  if ((pg_rc != 0 && tp_rc != 0)); then
    die "both scripts/postgres.sh start and scripts/temporal.sh start failed (their errors are above)"
  elif ((pg_rc != 0)); then
    die "scripts/postgres.sh start failed (its error is above)"
  elif ((tp_rc != 0)); then
    die "scripts/temporal.sh start failed (its error is above)"
  fi

  local db addr ui
  db="$(value DATABASE_URL "$tmp/postgres")"
  addr="$(value TEMPORAL_ADDRESS "$tmp/temporal")"
  ui="$(value TEMPORAL_UI_URL "$tmp/temporal")"
  [[ -n "$db" ]] || die "scripts/postgres.sh start printed no DATABASE_URL line"
  [[ -n "$addr" ]] || die "scripts/temporal.sh start printed no TEMPORAL_ADDRESS line"

  {
    echo "# Written by scripts/stack.sh start; source it: . $STACK_ENV"
    printf 'export DATABASE_URL=%q\n' "$db"
    printf 'export TEMPORAL_ADDRESS=%q\n' "$addr"
    printf 'export TEMPORAL_UI_URL=%q\n' "$ui"
    # shellcheck disable=SC2016 # expanded when sourced: a key already set wins
    printf 'export DIALER_PAYLOAD_KEYS="${DIALER_PAYLOAD_KEYS:-%s}"\n' "$(dev_payload_keys)"
  } >"$tmp/stack.env"
  chmod 600 "$tmp/stack.env"
  # Rewritten only when it changes (atomically: a concurrent reader never sees half a file).
  if ! cmp -s "$tmp/stack.env" "$STACK_ENV"; then
    cp "$tmp/stack.env" "$STACK_ENV.tmp.$$"
    mv -f "$STACK_ENV.tmp.$$" "$STACK_ENV"
  fi
  log "ready in $(since "$t0") s: Postgres $db, Temporal $addr${ui:+, UI $ui}"
  echo "$STACK_ENV"
}

stop() {
  local rc=0
  "$HERE/temporal.sh" stop || rc=1
  "$HERE/postgres.sh" stop || rc=1
  ((rc == 0)) || die "stopping failed (the errors are above)"
}

status() {
  local rc=0
  "$HERE/postgres.sh" status || rc=3
  "$HERE/temporal.sh" status || rc=3
  if [[ -f "$STACK_ENV" ]]; then echo "stack.env: $STACK_ENV"; fi
  return "$rc"
}

[[ $# -eq 1 ]] || usage
case "$1" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac

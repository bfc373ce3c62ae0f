#!/usr/bin/env bash
# Renders the caller-ID pools' numbers (Postgres: caller_id_pool, caller_id_number) into the
# dialplan context dialer-pool-numbers, which extensions.conf's from-carrier includes: a call back
# to a pool number reaches the pool's operators queue or its message (docs/callerId.md).
#
#   bash render-callerids.sh                 prints the rendered file
#   bash render-callerids.sh --into FILE     writes FILE (atomically) only when it changed, and
#                                            then prints "changed": reload the dialplan after it
#
# Production (on the Asterisk box, e.g. every minute from cron; a reload only after a change):
#   [ "$(bash render-callerids.sh --into /etc/asterisk/extensions_callerids.conf)" = changed ] \
#     && asterisk -rx 'dialplan reload'
#
# Needs psql and DATABASE_URL (a read-only role will do: it only SELECTs). On any error nothing
# is written, so Asterisk keeps routing the numbers it knew. The tables' CHECKs keep names,
# numbers and sound names to characters that are safe in the dialplan as they are.
set -euo pipefail

fail() {
  echo "render-callerids.sh: $*" >&2
  exit 2
}

into=""
case "${1:-}" in
  "") ;;
  --into) [[ -n "${2:-}" ]] || fail "--into needs a FILE"; into="$2" ;;
  *) fail "usage: render-callerids.sh [--into FILE]" ;;
esac
[[ -n "${DATABASE_URL:-}" ]] || fail "DATABASE_URL is not set"
command -v psql >/dev/null 2>&1 || fail "psql is needed (apt-get install postgresql-client)"

# A +7 number also under the forms Russian carriers deliver it in: 8 and the 10 digits (a
# number of another pool with the same digits wins: its exact form comes first).
SQL="
SELECT line FROM (
  SELECT n.e164, 0 AS k, format(E'exten => %s,1,Set(DIALER_POOL=%s)\n same => n,Set(DIALER_CALLBACK_MESSAGE=%s)\n same => n,Goto(dialer-callback,%s,1)',
                                substr(n.e164, 2), p.name, p.inbound_message, p.inbound) AS line
    FROM caller_id_number n JOIN caller_id_pool p ON p.name = n.pool
  UNION ALL
  SELECT n.e164, 1, format('exten => 8%s,1,Goto(%s,1)', substr(n.e164, 3), substr(n.e164, 2))
    FROM caller_id_number n WHERE n.e164 ~ '^\+7[0-9]{10}$'
     AND NOT EXISTS (SELECT FROM caller_id_number o WHERE o.e164 = '+8' || substr(n.e164, 3))
  UNION ALL
  SELECT n.e164, 2, format('exten => %s,1,Goto(%s,1)', substr(n.e164, 3), substr(n.e164, 2))
    FROM caller_id_number n WHERE n.e164 ~ '^\+7[0-9]{10}$'
     AND NOT EXISTS (SELECT FROM caller_id_number o WHERE o.e164 = '+' || substr(n.e164, 3))
) l ORDER BY e164, k"

# Collected first: a failed query leaves no half-written file behind.
body="$(psql "$DATABASE_URL" -X -q -A -t -v ON_ERROR_STOP=1 -c "$SQL")" || fail "reading the pools from Postgres failed"
out="; Written by asterisk/production/render-callerids.sh from Postgres: do not edit, render again.
; The numbers of the caller-ID pools; extensions.conf's from-carrier includes this context.
[dialer-pool-numbers]
${body}"

if [[ -z "$into" ]]; then
  printf '%s\n' "$out"
  exit 0
fi
if [[ -f "$into" ]] && [[ "$(cat "$into")" == "$out" ]]; then exit 0; fi
mkdir -p "$(dirname "$into")"
tmp="$(mktemp "$(dirname "$into")/.callerids.XXXXXX")"
printf '%s\n' "$out" >"$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$into"
echo changed

#!/usr/bin/env bash
# npm run bench -- [contacts] [concurrency]: the throughput benchmark; npm run bench:gate --
# [calls]: the gate's cost per call; npm run bench -- --asterisk [contacts] [concurrency]: the
# throughput through the real Asterisk 22 (with --trunk: through the production PJSIP trunk to
# the SIPp carrier of scripts/sipp.sh, held for the run); npm run bench -- upsert [rows]: upsertContacts
# through the built API beside a bare multi-row INSERT; npm run bench -- control [sizes]: resume,
# edit and stop reaching the contacts in flight; npm run bench -- lag [attempts] [campaigns]:
# live counters' lag to a subscriber; npm run bench:besthour, bench:speech, bench:import: bestHour
# against byOutcome, the prepare step on the fake SpeechKit, the list import beside a bare COPY.
# All on the same stack the tests use (installed and started if missing), with the offline voice
# the prepare step speaks in. Figures go to stdout; see BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DIALER_LOG_TAG=bench
source scripts/env.sh
source scripts/prelude.sh

ensure_node_deps
start_stack
start_speech_tools
migrate_database

# hold_carrier: the SIP carrier is one SIPp that the trunk tests restart and silence, so the
# bench takes turns with them through their lock (holdCarrier in test/trunk/carrier.ts): a
# directory with the holder's pid in it, taken over when that process is gone. Held by this
# shell until it exits.
hold_carrier() {
  local dir="$DIALER_RUN_DIR/sipp-carrier.lock.d" holder deadline=$((SECONDS + 600))
  mkdir -p "$DIALER_RUN_DIR"
  until mkdir "$dir" 2>/dev/null; do
    holder="$(cat "$dir/pid" 2>/dev/null || true)"
    if [[ "$holder" =~ ^[0-9]+$ ]] && ! kill -0 "$holder" 2>/dev/null; then
      rm -rf "$dir"
    elif [[ -z "$holder" ]] && (($(date +%s) - $(stat -c %Y "$dir" 2>/dev/null || date +%s) > 10)); then
      rm -rf "$dir"
    elif ((SECONDS > deadline)); then
      die "the SIP carrier is held by process ${holder:-?} for over 600 s ($dir)"
    else
      sleep 0.25
    fi
  done
  echo $$ >"$dir/pid"
  # shellcheck disable=SC2064 # the path now, not at exit
  trap "rm -rf '$dir'" EXIT
}

if [[ " $* " == *" --asterisk "* ]]; then
  start_asterisk
fi
if [[ " $* " == *" --trunk "* ]]; then
  [[ " $* " == *" --asterisk "* ]] || die "--trunk dials through the real Asterisk: add --asterisk"
  hold_carrier
  trunk_env="$(bash scripts/sipp.sh start answering)" || die "starting the SIP carrier (scripts/sipp.sh) failed: see above"
  eval "$(sed 's/^/export /' <<<"$trunk_env")"
fi
case "${1:-}" in
  gate) shift; npx tsx bench/gateCost.ts "$@" ;;
  upsert) shift; npm run --silent build:api; npx tsx bench/upsertContacts.ts "$@" ;;
  control) shift; npx tsx bench/campaignControl.ts "$@" ;;
  lag) shift; npx tsx bench/subscriptionLag.ts "$@" ;;
  besthour) shift; npx tsx bench/bestHour.ts "$@" ;;
  speech) shift; npx tsx bench/speechPrepare.ts "$@" ;;
  import) shift; npx tsx bench/importList.ts "$@" ;;
  *) npx tsx bench/throughput.ts "$@" ;;
esac

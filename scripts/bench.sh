#!/usr/bin/env bash
# npm run bench -- [contacts] [concurrency]: the throughput benchmark; npm run bench:gate --
# [calls]: the gate's cost per call; npm run bench -- --asterisk [contacts] [concurrency]: the
# throughput through the real Asterisk 22 (with --trunk: through the production PJSIP trunk to
# the SIPp carrier of scripts/sipp.sh, which the bench starts and holds for the run); npm run bench -- upsert [rows]: upsertContacts
# through the built API beside a bare multi-row INSERT; npm run bench -- control [sizes]: resume,
# edit and stop reaching the contacts in flight; npm run bench -- lag [attempts] [campaigns]:
# live counters' lag to a subscriber; npm run bench:besthour, bench:speech, bench:import: bestHour
# against byOutcome, the prepare step on the fake SpeechKit, the list import beside a bare COPY;
# npm run bench -- feed [contacts] [width]: the campaign feed's shapes on the bare server.
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

if [[ " $* " == *" --asterisk "* ]]; then
  start_asterisk
fi
case "${1:-}" in
  gate) shift; npx tsx bench/gateCost.ts "$@" ;;
  upsert) shift; npm run --silent build:api; npx tsx bench/upsertContacts.ts "$@" ;;
  control) shift; npx tsx bench/campaignControl.ts "$@" ;;
  lag) shift; npx tsx bench/subscriptionLag.ts "$@" ;;
  besthour) shift; npx tsx bench/bestHour.ts "$@" ;;
  speech) shift; npx tsx bench/speechPrepare.ts "$@" ;;
  import) shift; npx tsx bench/importList.ts "$@" ;;
  feed) shift; npx tsx bench/feedShapes.ts "$@" ;;
  *) npx tsx bench/throughput.ts "$@" ;;
esac

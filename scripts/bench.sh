#!/usr/bin/env bash
# npm run bench -- [contacts] [concurrency]: the throughput benchmark; npm run bench:gate --
# [calls]: the gate's cost per call; npm run bench -- --asterisk [contacts] [concurrency]: the
# throughput through the real Asterisk 22; npm run bench -- upsert [rows]: upsertContacts
# through the built API beside a bare multi-row INSERT; npm run bench -- control [sizes]: resume,
# edit and stop reaching the contacts in flight; npm run bench -- lag [attempts] [campaigns]:
# live counters' lag to a subscriber. All on the same stack the
# tests use (installed and started if missing). Figures go to stdout; see BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DIALER_LOG_TAG=bench
source scripts/env.sh
source scripts/prelude.sh

ensure_node_deps
start_stack
migrate_database
if [[ " $* " == *" --asterisk "* ]]; then
  start_asterisk
fi
if [[ "${1:-}" == gate ]]; then
  shift
  npx tsx bench/gateCost.ts "$@"
elif [[ "${1:-}" == upsert ]]; then
  shift
  npm run --silent build:api
  npx tsx bench/upsertContacts.ts "$@"
elif [[ "${1:-}" == control ]]; then
  shift
  npx tsx bench/campaignControl.ts "$@"
elif [[ "${1:-}" == lag ]]; then
  shift
  npx tsx bench/subscriptionLag.ts "$@"
else
  npx tsx bench/throughput.ts "$@"
fi

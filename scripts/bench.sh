#!/usr/bin/env bash
# npm run bench -- [contacts] [concurrency]: the throughput benchmark; npm run bench:gate --
# [calls]: the gate's cost per call; npm run bench -- --asterisk [contacts] [concurrency]: the
# throughput through the real Asterisk 22. All on the same stack the
# tests use (installed and started if missing). Figures go to stdout; see BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DIALER_LOG_TAG=bench
source scripts/env.sh
source scripts/node-deps.sh

ensure_node_deps
bash scripts/stack.sh start >/dev/null
# shellcheck disable=SC1091
source "$DIALER_CACHE/stack.env"
npx node-pg-migrate up --migrations-dir schema/migrations --check-order >"$DIALER_LOG_DIR/migrate.log" 2>&1 \
  || die "database migration failed: see $DIALER_LOG_DIR/migrate.log"
if [[ " $* " == *" --asterisk "* ]]; then
  asterisk_env="$(bash scripts/asterisk.sh start)"
  eval "$(sed 's/^/export /' <<<"$asterisk_env")"
fi
if [[ "${1:-}" == gate ]]; then
  shift
  npx tsx bench/gateCost.ts "$@"
else
  npx tsx bench/throughput.ts "$@"
fi

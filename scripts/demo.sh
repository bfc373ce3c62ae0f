#!/usr/bin/env bash
# npm run demo: installs and starts what is missing (Postgres, Temporal dev server), then the
# ARI simulator and the worker, and runs a demo campaign on examples/accounting-demo.csv.
# npm run demo -- --asterisk: the same calls through a real Asterisk 22 (scripts/asterisk.sh)
# and its sandbox's simulated carrier instead of the ARI simulator.
# Postgres and Temporal stay up afterwards so the Temporal UI can be browsed; stop them with
# `bash scripts/stack.sh stop`.
set -euo pipefail
cd "$(dirname "$0")/.."
DIALER_LOG_TAG=demo
source scripts/env.sh
source scripts/prelude.sh

use_asterisk=false
for arg in "$@"; do
  case "$arg" in
    --asterisk) use_asterisk=true ;;
    *) die "unknown option $arg (the only option is --asterisk)" ;;
  esac
done

ensure_node_deps
start_stack
migrate_database
# Reference data the calling rules read, both idempotent: Russia's non-working days and the
# example extract of the numbering plan registry (the subscriber's zone from the number).
npx tsx apps/cli/calendarDays.ts import calendars/RU.csv >"$DIALER_LOG_DIR/reference-data.log" 2>&1 \
  && LOG_LEVEL=warn npx tsx apps/cli/importNumberingPlan.ts examples/numbering/*.csv >>"$DIALER_LOG_DIR/reference-data.log" 2>&1 \
  || die "loading the calendar and the numbering plan failed: see $DIALER_LOG_DIR/reference-data.log"

export TEMPORAL_TASK_QUEUE="${TEMPORAL_TASK_QUEUE:-dialer-demo}"
export CALL_DTMF_WAIT_MS="${CALL_DTMF_WAIT_MS:-1500}"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

if $use_asterisk; then
  start_asterisk
  # The sandbox's simulated carrier picks the subscriber's behaviour from the number, as the
  # simulator does (asterisk/README.md).
  export ARI_ENDPOINT_TEMPLATE='Local/{number}@sim-carrier/n' DEMO_TELEPHONY="Asterisk 22 at $ASTERISK_ARI_URL"
else
  # A password of this run's own for the simulator's ARI user: nothing secret lives in the repo.
  ARI_PASSWORD="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  export ARI_PASSWORD ARI_USERNAME=dialer
  export ARI_SIM_PORT="${ARI_SIM_PORT:-8188}" ARI_SIM_TIME_SCALE="${ARI_SIM_TIME_SCALE:-0.25}"
  export ASTERISK_ARI_URL="http://127.0.0.1:$ARI_SIM_PORT" DEMO_TELEPHONY="the ARI simulator"
  port_open 127.0.0.1 "$ARI_SIM_PORT" && die "port $ARI_SIM_PORT is taken: set ARI_SIM_PORT to a free port"
  log "starting the ARI simulator on port $ARI_SIM_PORT (time scale $ARI_SIM_TIME_SCALE; log $DIALER_LOG_DIR/ari-simulator.log)"
  node --import tsx apps/ari-simulator/main.ts >"$DIALER_LOG_DIR/ari-simulator.log" 2>&1 &
  pids+=($!)
  wait_for_port 127.0.0.1 "$ARI_SIM_PORT" 30 || die "the ARI simulator did not start: see $DIALER_LOG_DIR/ari-simulator.log"
fi

log "starting the worker (log $DIALER_LOG_DIR/worker.log)"
node --import tsx apps/worker/main.ts >"$DIALER_LOG_DIR/worker.log" 2>&1 &
pids+=($!)

npx tsx apps/demo/main.ts
